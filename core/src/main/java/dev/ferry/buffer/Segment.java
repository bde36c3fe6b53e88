package dev.ferry.buffer;

import dev.ferry.bulk.Region;
import dev.ferry.event.DataView;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A piece of a {@link BufferPool}'s memory, handed out by an allocation and given back by
 * {@link #release()}.
 * <p>
 * <b>Ownership.</b> Whoever allocated a segment owns it: they may write it, hand it on (as event
 * data, say) and must release it exactly once, after which neither they nor anyone they gave it to
 * may touch it. A segment dropped without release is reported by the pool's leak detector with
 * where it was allocated, and its memory reclaimed.
 * <p>
 * Handles are recycled by the pool (so that allocation creates no garbage), which means a reference
 * kept after release may come to name another allocation; in {@link LeakDetection#PARANOID} mode
 * handles are never recycled and a second release is caught.
 */
public final class Segment
{
    final BufferPool pool;
    final UnsafeBuffer buffer = new UnsafeBuffer(0L, 0);
    Slab slab;
    BuddyArena arena;
    int blockId;
    int capacity;
    boolean allocated;
    boolean recyclable;
    LeakTracker tracker;
    Segment nextRecycled;

    Segment(final BufferPool pool)
    {
        this.pool = pool;
    }

    void bind(final BuddyArena arena, final int blockId, final int length)
    {
        this.arena = arena;
        this.blockId = blockId;
        this.slab = arena.slab(blockId);
        this.capacity = arena.blockBytes(arena.orderOf(blockId));
        this.allocated = true;
        buffer.wrap(arena.address(blockId), length);
    }

    /**
     * @return the address of the first byte.
     */
    public long address()
    {
        return buffer.addressOffset();
    }

    /**
     * @return the bytes asked for when the segment was allocated.
     */
    public int length()
    {
        return buffer.capacity();
    }

    /**
     * @return the bytes the pool set aside, a power of two at least {@link #length()}.
     */
    public int capacity()
    {
        return capacity;
    }

    /**
     * @return a view over the segment's {@link #length()} bytes to write event data into. The same
     * object for the life of the allocation; do not re-wrap it.
     */
    public MutableDirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return the registered region (slab) the segment lies in; peers name it in descriptors.
     */
    public Region region()
    {
        return slab;
    }

    /**
     * @return the offset of the first byte within {@link #region()}.
     */
    public long regionOffset()
    {
        return address() - slab.address();
    }

    /**
     * @return a data view over the segment, which keeps the memory mapped while it is reachable.
     */
    public DataView view()
    {
        return DataView.of(address(), length(), slab.mapping());
    }

    /**
     * @return the pool the segment belongs to.
     */
    public BufferPool pool()
    {
        return pool;
    }

    /**
     * Give the segment back to its pool; shorthand for {@code pool().release(this)}.
     */
    public void release()
    {
        pool.release(this);
    }

    public String toString()
    {
        return "Segment{pool=" + pool.name() + ", region=" + (null == slab ? "-" : slab.regionId()) +
            ", offset=" + (null == slab ? "-" : regionOffset()) + ", length=" + length() +
            ", capacity=" + capacity + (allocated ? "" : ", released") + "}";
    }
}
