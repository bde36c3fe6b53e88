package dev.ferry.buffer;

import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;

/**
 * Watches one segment handle: enqueued by the GC if the handle becomes unreachable while allocated.
 * Holds what is needed to report and reclaim the block without the handle.
 */
final class LeakTracker extends PhantomReference<Segment>
{
    final BuddyArena arena;
    final int blockId;
    final int length;
    final Throwable allocatedAt;

    LeakTracker(final Segment segment, final ReferenceQueue<Segment> queue, final Throwable allocatedAt)
    {
        super(segment, queue);
        this.arena = segment.arena;
        this.blockId = segment.blockId;
        this.length = segment.length();
        this.allocatedAt = allocatedAt;
    }
}
