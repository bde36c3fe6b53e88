package dev.ferry.cli.demo;

import dev.ferry.buffer.PoolClosedException;
import dev.ferry.buffer.PoolWaiter;
import dev.ferry.buffer.Segment;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The consumer agent's request for memory, queued on its pool while the pool is exhausted. The
 * agent polls it in its duty cycle instead of blocking; exactly one of served, closed and given up
 * wins, so a segment offered after the agent gave up is declined and passes to the next waiter.
 */
final class SegmentWaiter implements PoolWaiter
{
    private static final int WAITING = 0;
    private static final int DONE = 1;

    private final int size;
    private final AtomicInteger state = new AtomicInteger(WAITING);
    private volatile Segment segment;
    private volatile PoolClosedException closedCause;

    /**
     * @param size bytes wanted.
     */
    SegmentWaiter(final int size)
    {
        this.size = size;
    }

    public int size()
    {
        return size;
    }

    public boolean onSegment(final Segment segment)
    {
        if (!state.compareAndSet(WAITING, DONE))
        {
            return false;
        }
        this.segment = segment;

        return true;
    }

    public void onPoolClosed(final PoolClosedException cause)
    {
        if (state.compareAndSet(WAITING, DONE))
        {
            closedCause = cause;
        }
    }

    /**
     * @return the segment the pool handed over, or null if none yet.
     */
    Segment segment()
    {
        return segment;
    }

    /**
     * @return why no segment will come because the pool closed, or null.
     */
    PoolClosedException closedCause()
    {
        return closedCause;
    }

    /**
     * Stop wanting a segment.
     *
     * @return true if no segment was taken and none will be; false if the pool served or closed first.
     */
    boolean giveUp()
    {
        return state.compareAndSet(WAITING, DONE);
    }
}
