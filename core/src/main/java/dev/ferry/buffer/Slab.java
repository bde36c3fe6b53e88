package dev.ferry.buffer;

import dev.ferry.FerryException;
import dev.ferry.bulk.Region;
import dev.ferry.shm.ShmDirectory;
import org.agrona.BufferUtil;
import org.agrona.IoUtil;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One mapped file of a pool: the unit the pool grows by, that peers map and RDMA registers.
 * <p>
 * The file is filled with zeros when it is created, so that every page exists before it is used:
 * a full tmpfs then fails here with a clear error instead of killing the process with SIGBUS on the
 * first write into a page that cannot be backed.
 */
final class Slab implements Region
{
    private static final AtomicLong REGION_IDS = new AtomicLong();

    private final long regionId;
    private final int index;
    private final Path file;
    private final int length;
    private final long address;
    private MappedByteBuffer mapping;
    /**
     * Blocks of this slab handed out and not yet released; guarded by the pool's lock.
     */
    int usedBlocks;

    private Slab(final int index, final Path file, final MappedByteBuffer mapping, final int length)
    {
        this.regionId = REGION_IDS.incrementAndGet();
        this.index = index;
        this.file = file;
        this.mapping = mapping;
        this.length = length;
        this.address = BufferUtil.address(mapping);
    }

    static Slab map(final Path file, final int index, final int length)
    {
        try
        {
            final long usable = Files.getFileStore(file.getParent()).getUsableSpace();
            if (usable < length)
            {
                throw new FerryException(
                    "cannot create a " + Sizes.format(length) + " slab at " + file + ": its file system has only " +
                    Sizes.format(usable) + " free; free space there, lower the pool's bound, or move Ferry's " +
                    "directory with -D" + ShmDirectory.DIR_PROP_NAME + "=DIR");
            }

            try (FileChannel channel = ShmDirectory.createOwnerOnlyFile(file))
            {
                IoUtil.fill(channel, 0, length, (byte)0);
                final MappedByteBuffer mapping = channel.map(FileChannel.MapMode.READ_WRITE, 0, length);
                return new Slab(index, file, mapping, length);
            }
        }
        catch (final IOException ex)
        {
            throw new FerryException(
                "cannot create a " + Sizes.format(length) + " slab at " + file + ": " + ex + "; check free space " +
                "and permissions there, or lower the pool's bound", ex);
        }
    }

    int index()
    {
        return index;
    }

    public long regionId()
    {
        return regionId;
    }

    public long address()
    {
        return address;
    }

    public long length()
    {
        return length;
    }

    public Path file()
    {
        return file;
    }

    /**
     * @return the mapping, which segments keep reachable so that memory they point at stays mapped.
     */
    MappedByteBuffer mapping()
    {
        return mapping;
    }

    /**
     * Unmap now. Only when no block of the slab is in use: a segment still held would point at
     * unmapped memory. Slabs dropped with blocks still in use are unmapped by the GC instead, once
     * the last segment that keeps the mapping reachable is gone.
     */
    void unmap()
    {
        if (null != mapping)
        {
            IoUtil.unmap(mapping);
            mapping = null;
        }
    }

    public String toString()
    {
        return "slab " + index + " (" + Sizes.format(length) + ", " + file + ")";
    }
}
