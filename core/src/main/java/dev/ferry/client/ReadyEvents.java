package dev.ferry.client;

import dev.ferry.bulk.BulkTransportException;
import dev.ferry.event.Event;
import org.agrona.BitUtil;
import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What a consumer's I/O agent and its application threads share, so that taking an event and
 * acknowledging one need no command to the agent.
 * <ul>
 *   <li>{@link #take()}: events whose data has arrived, in order within each partition, or the failure
 *   that took an event's place. The agent adds; application threads take.</li>
 *   <li>{@link #taken(int)}: per partition, how many the application has taken. The agent gives the
 *   server credit for them in batches.</li>
 *   <li>{@link #acknowledge(int, long)}: per partition, the highest event acknowledged. The agent reads
 *   it once per duty cycle, releases the memory and tells the server.</li>
 *   <li>{@link #waiters()}: pulls waiting on the agent for an event. While there are any, an
 *   application thread takes nothing itself: the waiting pulls get the next events, in the order they
 *   were made.</li>
 * </ul>
 * The queue holds at most the consumer's prefetch per partition: the server sends no more than that
 * ahead of what was taken.
 */
final class ReadyEvents
{
    /**
     * An event whose data could not be read, in the queue in its place.
     */
    record Failure(int index, BulkTransportException cause)
    {
    }

    private final int[] partitions;
    private final ManyToManyConcurrentArrayQueue<Object> ready;
    private final AtomicLongArray taken;
    private final AtomicLongArray acknowledged;
    private final AtomicInteger waiters = new AtomicInteger();
    private volatile RuntimeException closedBy;

    ReadyEvents(final int[] partitions, final int prefetch)
    {
        this.partitions = partitions;
        this.ready = new ManyToManyConcurrentArrayQueue<>(
            BitUtil.findNextPositivePowerOfTwo(Math.max(2, partitions.length * prefetch)));
        this.taken = new AtomicLongArray(partitions.length);
        this.acknowledged = new AtomicLongArray(partitions.length);
        for (int i = 0; i < partitions.length; i++)
        {
            acknowledged.set(i, -1);
        }
    }

    /**
     * @param partition of the topic.
     * @return its index among the consumer's partitions, or -1 if the consumer does not read it.
     */
    int indexOf(final int partition)
    {
        for (int i = 0; i < partitions.length; i++)
        {
            if (partitions[i] == partition)
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * Add an event or a {@link Failure}. On the agent.
     *
     * @return false if the queue is full; try again later.
     */
    boolean offer(final Object next)
    {
        return ready.offer(next);
    }

    /**
     * Take the next event or {@link Failure}, counting it as taken.
     *
     * @return it, or null if there is none.
     */
    Object take()
    {
        final Object next = ready.poll();
        if (null != next)
        {
            taken.incrementAndGet(next instanceof Event event ? indexOf(event.partition()) : ((Failure)next).index());
        }
        return next;
    }

    /**
     * @param index of the partition among the consumer's.
     * @return how many of its events (or failures in their place) have been taken.
     */
    long taken(final int index)
    {
        return taken.get(index);
    }

    /**
     * Raise a partition's acknowledged event; any thread.
     *
     * @param index   of the partition among the consumer's.
     * @param eventId acknowledged, with every earlier event of the partition.
     */
    void acknowledge(final int index, final long eventId)
    {
        long current;
        while (eventId > (current = acknowledged.get(index)))
        {
            if (acknowledged.compareAndSet(index, current, eventId))
            {
                return;
            }
        }
    }

    /**
     * @param index of the partition among the consumer's.
     * @return the highest event of the partition acknowledged, or -1.
     */
    long acknowledged(final int index)
    {
        return acknowledged.get(index);
    }

    AtomicInteger waiters()
    {
        return waiters;
    }

    /**
     * The consumer can deliver no more: drop what is ready, and let every later take fail with the cause.
     * On the agent.
     */
    void close(final RuntimeException cause)
    {
        closedBy = cause;
        ready.clear();
    }

    /**
     * @return why the consumer can deliver no more, or null while it can.
     */
    RuntimeException closedBy()
    {
        return closedBy;
    }
}
