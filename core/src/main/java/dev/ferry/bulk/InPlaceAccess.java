package dev.ferry.bulk;

import dev.ferry.event.DataView;

/**
 * Implemented by bulk transports that can show a peer's data where it lies, without copying it:
 * shared memory on one host.
 */
public interface InPlaceAccess
{
    /**
     * @param peer   that owns the source.
     * @param source names data in a region of the peer attached before.
     * @param offset of the first byte within the source's data.
     * @param length bytes to view.
     * @return a read-only view of the peer's memory; its bytes are the peer's to change, so it is
     * valid only while the peer keeps the data (for a log, until the event is acknowledged).
     * @throws BulkTransportException as {@link BulkTransport#pull} does for a bad source.
     */
    DataView view(PeerInfo peer, DataDescriptor source, long offset, long length);
}
