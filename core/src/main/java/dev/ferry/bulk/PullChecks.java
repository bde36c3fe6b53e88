package dev.ferry.bulk;

import dev.ferry.event.DataView;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * The checks every bulk transport makes before a pull reads a byte, so that all transports refuse the
 * same requests with the same words.
 */
public final class PullChecks
{
    private PullChecks()
    {
    }

    /**
     * @param attachedByPeer a transport's attached regions: peer id to (region id to region).
     * @param peer           the pull names.
     * @param source         the pull names.
     * @param <R>            the transport's attached-region type.
     * @return the region {@code source} names.
     * @throws BulkTransportException naming what the peer did attach if it attached no such region.
     */
    public static <R> R attachedRegion(
        final Long2ObjectHashMap<Long2ObjectHashMap<R>> attachedByPeer, final PeerInfo peer, final DataDescriptor source)
    {
        final long regionId = source.regionId();
        final Long2ObjectHashMap<R> regions = attachedByPeer.get(peer.peerId());
        final R region = null == regions ? null : regions.get(regionId);
        if (null == region)
        {
            throw new BulkTransportException(
                "refusing to read " + source + " of " + peer + ": the peer attached no region " + regionId +
                (null == regions ? " (it attached none)" : " (it attached " + regions.keySet() + ")"));
        }

        return region;
    }

    /**
     * @param peer         that owns the region.
     * @param source       names a range of a region of {@code regionLength} bytes.
     * @param regionLength of the attached region.
     * @param offset       of the first byte to read within the source.
     * @param length       bytes to read.
     * @throws BulkTransportException if the source lies outside its region or the range outside the source.
     */
    public static void checkRange(
        final PeerInfo peer, final DataDescriptor source, final long regionLength, final long offset, final long length)
    {
        if (source.offset() < 0 || source.length() < 0)
        {
            throw new BulkTransportException(
                "refusing to read " + source + " of " + peer + ": its offset and length must not be negative");
        }
        if (source.offset() > regionLength - source.length())
        {
            throw new BulkTransportException(
                "refusing to read " + source + " of " + peer + ": it reaches past the end of region " +
                source.regionId() + " (" + regionLength + " bytes)");
        }
        if (offset < 0 || length < 0 || offset > source.length() - length)
        {
            throw new BulkTransportException(
                "refusing to read [" + offset + ", " + length + "] of " + source + " of " + peer +
                ": the range lies outside the descriptor");
        }
    }

    /**
     * @param length      bytes a pull moves.
     * @param destination it moves them into.
     * @throws BulkTransportException if the destination is shorter.
     */
    public static void checkDestination(final long length, final DataView destination)
    {
        if (destination.length() < length)
        {
            throw new BulkTransportException(
                "cannot pull " + length + " bytes into a destination of " + destination.length() + " bytes");
        }
    }
}
