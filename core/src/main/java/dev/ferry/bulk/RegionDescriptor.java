package dev.ferry.bulk;

import java.util.Arrays;
import java.util.Objects;

/**
 * What a peer needs to read a registered region: sent once per region, after which event data is
 * named by {@link DataDescriptor}s that refer to the region by id.
 * <p>
 * The locator is the transport's own: the mapped file for shared memory, the remote address and
 * key for RDMA. Core carries it as bytes and never reads it.
 */
public final class RegionDescriptor
{
    private final String transport;
    private final long regionId;
    private final long length;
    private final byte[] locator;

    /**
     * @param transport that made the descriptor, which alone can read the locator.
     * @param regionId  unique in the owning process.
     * @param length    of the region in bytes.
     * @param locator   transport-specific; copied.
     */
    public RegionDescriptor(final String transport, final long regionId, final long length, final byte[] locator)
    {
        this.transport = Objects.requireNonNull(transport, "transport");
        this.regionId = regionId;
        this.length = length;
        this.locator = locator.clone();
    }

    public String transport()
    {
        return transport;
    }

    public long regionId()
    {
        return regionId;
    }

    public long length()
    {
        return length;
    }

    /**
     * @return a copy of the transport-specific locator.
     */
    public byte[] locator()
    {
        return locator.clone();
    }

    public boolean equals(final Object other)
    {
        if (!(other instanceof RegionDescriptor))
        {
            return false;
        }
        final RegionDescriptor that = (RegionDescriptor)other;
        return regionId == that.regionId && length == that.length && transport.equals(that.transport) &&
            Arrays.equals(locator, that.locator);
    }

    public int hashCode()
    {
        return Long.hashCode(regionId) * 31 + transport.hashCode();
    }

    public String toString()
    {
        return "RegionDescriptor{transport=" + transport + ", regionId=" + regionId + ", length=" + length + "}";
    }
}
