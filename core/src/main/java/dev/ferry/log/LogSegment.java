package dev.ferry.log;

import dev.ferry.FerryException;
import dev.ferry.bulk.Region;
import dev.ferry.bulk.RegionIds;
import dev.ferry.shm.MappedFiles;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.MappedByteBuffer;
import java.nio.file.Path;

/**
 * One segment file of a {@link PartitionLog}: a fixed-size, owner-only mapping, created zero-filled
 * (or, in a durable log, found again on recovery), that holds records laid out as
 * {@link LogRecordDescriptor} draws, and the region peers are told of to pull data from.
 * <p>
 * The mapping is never unmapped explicitly: the segment, the buffer over it and every view handed
 * out keep it reachable, and the garbage collector unmaps it once none is left, so nothing ever
 * reads unmapped memory.
 */
final class LogSegment implements Region
{
    /**
     * Segment files are named this followed by the segment's index: {@code seg-0}, {@code seg-1}, ….
     */
    static final String FILE_PREFIX = "seg-";

    private final long regionId;
    private final int index;
    private final Path file;
    private final MappedByteBuffer mapping;
    private final UnsafeBuffer buffer;

    private LogSegment(final int index, final Path file, final MappedByteBuffer mapping)
    {
        this.regionId = RegionIds.next();
        this.index = index;
        this.file = file;
        this.mapping = mapping;
        this.buffer = new UnsafeBuffer(mapping);
    }

    /**
     * @param directory of the log.
     * @param index     of the segment within the log, from 0.
     * @param length    of the segment in bytes.
     * @return the new segment, its file created and mapped.
     * @throws dev.ferry.FerryException if the file cannot be created or mapped.
     */
    static LogSegment create(final Path directory, final int index, final int length)
    {
        final Path file = directory.resolve(FILE_PREFIX + index);
        final String toNeedLess = "lower the log's segment size or bound";
        return new LogSegment(index, file, MappedFiles.createZeroFilled(file, length, "log segment", toNeedLess));
    }

    /**
     * Map the segment file a durable log left, to recover it.
     *
     * @param file   of the segment.
     * @param index  of the segment within the log, from 0.
     * @param length the log's segment size, which the file must have.
     * @return the segment, its file mapped.
     * @throws FerryException if the file's size is not the log's segment size, or it cannot
     *                                  be mapped.
     */
    static LogSegment open(final Path file, final int index, final int length)
    {
        final long size = LogFiles.size(file);
        if (size != length)
        {
            throw new FerryException(
                "cannot recover partition log " + file.getParent() + ": its segment file " + file + " is " + size +
                " bytes, but the log's segment size (segmentBytes) is " + length + "; open the log with the segment " +
                "size it was written with, or move the directory away to start an empty log");
        }

        return new LogSegment(index, file, LogFiles.mapExisting(file, "log segment"));
    }

    public long regionId()
    {
        return regionId;
    }

    public long address()
    {
        return buffer.addressOffset();
    }

    public long length()
    {
        return buffer.capacity();
    }

    public Path file()
    {
        return file;
    }

    /**
     * @return the segment's index within its log.
     */
    int index()
    {
        return index;
    }

    /**
     * @return a buffer over the whole segment, which keeps the mapping reachable.
     */
    UnsafeBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return the mapping, for views to keep reachable.
     */
    MappedByteBuffer mapping()
    {
        return mapping;
    }

    public String toString()
    {
        return "log segment " + index + " (region " + regionId + ", " + buffer.capacity() + " bytes, " + file + ")";
    }
}
