package dev.ferry.test;

import dev.ferry.buffer.BufferPool;
import dev.ferry.buffer.Segment;

import java.nio.file.Path;
import java.util.List;

/**
 * Small buffer pools and filled segments for the bulk-transport tests.
 */
public final class TestPools
{
    private static final int RESERVE_BYTES = 4096;

    private TestPools()
    {
    }

    /**
     * @param root      Ferry's shared-memory root for the test.
     * @param name      of the pool.
     * @param slabBytes of each slab.
     * @param slabs     the most slabs the pool may map, besides its reserve.
     * @return a new pool.
     */
    public static BufferPool pool(final Path root, final String name, final int slabBytes, final int slabs)
    {
        return new BufferPool(new BufferPool.Context()
            .name(name)
            .directory(root)
            .slabBytes(slabBytes)
            .reserveBytes(RESERVE_BYTES)
            .maxBytes((long)slabs * slabBytes + RESERVE_BYTES));
    }

    /**
     * @param pool     to allocate from, without waiting.
     * @param bytes    to write at the segment's start.
     * @param segments the test releases at its end; the new segment is added.
     * @return a segment holding {@code bytes}.
     */
    public static Segment filled(final BufferPool pool, final byte[] bytes, final List<Segment> segments)
    {
        final Segment segment = pool.tryAllocate(bytes.length);
        segments.add(segment);
        segment.buffer().putBytes(0, bytes);
        return segment;
    }
}
