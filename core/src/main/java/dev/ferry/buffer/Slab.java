package dev.ferry.buffer;

import dev.ferry.bulk.Region;
import dev.ferry.bulk.RegionIds;
import dev.ferry.shm.MappedFiles;
import org.agrona.BufferUtil;
import org.agrona.IoUtil;

import java.nio.MappedByteBuffer;
import java.nio.file.Path;

/**
 * One mapped file of a pool: the unit the pool grows by, that peers map and RDMA registers.
 * <p>
 * The file is created zero-filled by {@link MappedFiles#createZeroFilled}, so a full tmpfs fails when
 * the pool grows, with a clear error, rather than as SIGBUS on a later write.
 */
final class Slab implements Region
{
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
        this.regionId = RegionIds.next();
        this.index = index;
        this.file = file;
        this.mapping = mapping;
        this.length = length;
        this.address = BufferUtil.address(mapping);
    }

    static Slab map(final Path file, final int index, final int length)
    {
        final MappedByteBuffer mapping = MappedFiles.createZeroFilled(file, length, "slab", "lower the pool's bound");
        return new Slab(index, file, mapping, length);
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
