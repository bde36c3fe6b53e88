package dev.ferry.log;

import dev.ferry.bulk.Region;
import org.agrona.DirectBuffer;

/**
 * A reusable flyweight over one committed event of a {@link PartitionLog}, filled by
 * {@link PartitionLog#read(long, LogEntry)} without copying or allocating.
 * <p>
 * The metadata is read in place from {@link #metadataBuffer()}; the data is named by region, offset
 * and length, which is what a descriptor sent to a consumer holds. Committed records never change,
 * and the buffer and region keep their mapping reachable, so an entry stays valid until it is
 * filled again. Read through it only: it points into the log.
 */
public final class LogEntry
{
    private long eventId = -1;
    private long timestampNanos;
    private DirectBuffer metadataBuffer;
    private int metadataOffset;
    private int metadataLength;
    private Region region;
    private long dataOffset;
    private long dataLength;

    void set(
        final long eventId,
        final long timestampNanos,
        final DirectBuffer metadataBuffer,
        final int metadataOffset,
        final int metadataLength,
        final Region region,
        final long dataOffset,
        final long dataLength)
    {
        this.eventId = eventId;
        this.timestampNanos = timestampNanos;
        this.metadataBuffer = metadataBuffer;
        this.metadataOffset = metadataOffset;
        this.metadataLength = metadataLength;
        this.region = region;
        this.dataOffset = dataOffset;
        this.dataLength = dataLength;
    }

    /**
     * @return the event's id within its partition; -1 before the entry is first filled.
     */
    public long eventId()
    {
        return eventId;
    }

    /**
     * @return when the event was appended, as given to {@link PartitionLog#append}: nanoseconds since the epoch.
     */
    public long timestampNanos()
    {
        return timestampNanos;
    }

    /**
     * @return the buffer holding the metadata, to be read from {@link #metadataOffset()} for
     * {@link #metadataLength()} bytes; it spans the whole segment, so read nothing outside that range.
     */
    public DirectBuffer metadataBuffer()
    {
        return metadataBuffer;
    }

    /**
     * @return the offset of the first metadata byte in {@link #metadataBuffer()}.
     */
    public int metadataOffset()
    {
        return metadataOffset;
    }

    /**
     * @return the metadata's length in bytes.
     */
    public int metadataLength()
    {
        return metadataLength;
    }

    /**
     * @return the region (log segment) the data lies in, as registered with the bulk transports.
     */
    public Region region()
    {
        return region;
    }

    /**
     * @return the offset of the first data byte within {@link #region()}; 64-byte aligned.
     */
    public long dataOffset()
    {
        return dataOffset;
    }

    /**
     * @return the data's length in bytes; 0 for an event with metadata only.
     */
    public long dataLength()
    {
        return dataLength;
    }

    public String toString()
    {
        return "LogEntry{eventId=" + eventId + ", metadataLength=" + metadataLength + ", region=" +
            (null == region ? "-" : region.regionId()) + ", dataOffset=" + dataOffset + ", dataLength=" + dataLength +
            ", timestampNanos=" + timestampNanos + "}";
    }
}
