package dev.ferry.buffer;

/**
 * A request for memory that could not be served at once, queued on a pool with
 * {@link BufferPool#subscribe(PoolWaiter)}: the non-blocking way to wait, for the I/O agent.
 * <p>
 * Waiters are served strictly first come, first served. When memory is released the pool sets a
 * segment aside for the first waiter, under its lock, so no later request can take it, and then
 * offers it to that waiter. A waiter that no longer wants it (it timed out, or its session closed)
 * declines, and the pool passes the memory on to the next waiter.
 * <p>
 * Both callbacks run on whatever thread releases memory or closes the pool, without the pool's lock
 * held. They must be quick and must not block: hand the segment to your agent's queue, or unpark a
 * thread.
 */
public interface PoolWaiter
{
    /**
     * @return the bytes wanted; fixed for the life of the waiter.
     */
    int size();

    /**
     * Offer a segment of at least {@link #size()} bytes.
     *
     * @param segment allocated for this waiter.
     * @return true if the waiter takes ownership of the segment; false to decline and let the pool
     * pass it on.
     */
    boolean onSegment(Segment segment);

    /**
     * The pool was closed while this waiter was queued; no segment will come.
     *
     * @param cause names the pool and the request.
     */
    void onPoolClosed(PoolClosedException cause);
}
