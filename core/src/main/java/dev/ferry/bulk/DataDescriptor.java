package dev.ferry.bulk;

/**
 * Where an event's data lies in its owner's memory: a range of a region the owner registered.
 * Travels with the event's metadata; the bulk transport checks it against the region before any
 * byte is read.
 */
public final class DataDescriptor
{
    private final long regionId;
    private final long offset;
    private final long length;

    /**
     * @param regionId of a region the owner registered and sent a {@link RegionDescriptor} for.
     * @param offset   of the first byte within the region.
     * @param length   in bytes.
     */
    public DataDescriptor(final long regionId, final long offset, final long length)
    {
        this.regionId = regionId;
        this.offset = offset;
        this.length = length;
    }

    /**
     * @param region a registered local region.
     * @param offset of the first byte within it.
     * @param length in bytes.
     * @return a descriptor of that range.
     */
    public static DataDescriptor of(final Region region, final long offset, final long length)
    {
        return new DataDescriptor(region.regionId(), offset, length);
    }

    public long regionId()
    {
        return regionId;
    }

    public long offset()
    {
        return offset;
    }

    public long length()
    {
        return length;
    }

    public boolean equals(final Object other)
    {
        return other instanceof DataDescriptor && regionId == ((DataDescriptor)other).regionId &&
            offset == ((DataDescriptor)other).offset && length == ((DataDescriptor)other).length;
    }

    public int hashCode()
    {
        return (int)(regionId * 31 + offset * 17 + length);
    }

    public String toString()
    {
        return "DataDescriptor{region=" + regionId + ", offset=" + offset + ", length=" + length + "}";
    }
}
