package dev.ferry.client;

import dev.ferry.FerryException;
import dev.ferry.agent.IoAgentThreads;
import dev.ferry.buffer.BufferPool;
import dev.ferry.buffer.Segment;
import dev.ferry.event.DataView;
import dev.ferry.event.Metadata;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Pushes events into a topic (Mofka semantics).
 * <p>
 * {@link #push} validates the event, picks its partition (round robin, unless given), puts its data
 * in the client's registered pool (no copy when it already is there: {@link #allocate(int)} and
 * {@link #push(Metadata, Segment)}; one copy otherwise), and hands it to the I/O agent, which
 * batches events per partition and sends the batches. The returned future completes with the
 * event's ID once the server has stored it; dropping the future is fine.
 * <p>
 * <b>Flow control.</b> At most {@code maxPendingBatches} batches per partition are unacknowledged;
 * when they and the batch being filled are full, {@code push} blocks until the server catches up, at
 * most {@link ProducerOptions#pushTimeout()}. Events of one partition are stored in push order.
 * <p>
 * Thread-safe: any number of application threads may push. Futures complete on the client's I/O
 * agent thread: a callback chained with {@code thenAccept} runs there and must be quick; use the
 * {@code ...Async} variants for real work.
 */
public final class Producer implements AutoCloseable
{
    private final Topic topic;
    private final ProducerOptions options;
    private final ClientConductor conductor;
    private final BufferPool pool;
    private final long producerId;
    private final Semaphore room;
    private final int maxPending;
    private final AtomicInteger nextPartition = new AtomicInteger();
    private volatile boolean closed;

    Producer(final Topic topic, final ProducerOptions options)
    {
        this.topic = topic;
        this.options = options;
        this.conductor = topic.ferry().conductor();
        this.pool = topic.ferry().pool();
        this.producerId = conductor.nextId();
        this.maxPending = topic.partitions() * (options.maxPendingBatches() + 1) * options.eventsPerBatch();
        this.room = new Semaphore(maxPending);
        conductor.command((c) -> c.addProducer(this));
    }

    /**
     * Push an event to the partition the topic's selector (round robin) picks.
     * <p>
     * <b>Blocks</b> while the producer's pending batches are full, at most the push timeout.
     *
     * @param metadata of the event; copied.
     * @param data     of the event; copied once into registered memory, and may be reused as soon
     *                 as this method returns.
     * @return the future event ID.
     */
    public CompletableFuture<Long> push(final Metadata metadata, final DataView data)
    {
        return push(metadata, data, Math.floorMod(nextPartition.getAndIncrement(), topic.partitions()));
    }

    /**
     * Push an event to a given partition, bypassing the selector. <b>Blocks</b> like {@link #push(Metadata, DataView)}.
     *
     * @param metadata  of the event; copied.
     * @param data      of the event; copied once into registered memory.
     * @param partition to store it in.
     * @return the future event ID.
     */
    public CompletableFuture<Long> push(final Metadata metadata, final DataView data, final int partition)
    {
        final long deadlineNs = System.nanoTime() + options.pushTimeout().toNanos();
        checkEvent(metadata, data.length(), partition);
        Segment segment = null;
        if (data.length() > 0)
        {
            segment = allocate((int)data.length(), deadlineNs);
            data.copyTo(segment.buffer(), 0);
        }
        return enqueue(metadata, segment, partition, deadlineNs);
    }

    /**
     * Push an event whose data the application wrote in place into a segment from {@link #allocate(int)}:
     * nothing is copied. The segment belongs to the producer from now on; do not touch it again.
     * <b>Blocks</b> like {@link #push(Metadata, DataView)}.
     *
     * @param metadata of the event; copied.
     * @param data     a segment of this client's pool.
     * @return the future event ID.
     */
    public CompletableFuture<Long> push(final Metadata metadata, final Segment data)
    {
        return push(metadata, data, Math.floorMod(nextPartition.getAndIncrement(), topic.partitions()));
    }

    /**
     * As {@link #push(Metadata, Segment)}, to a given partition.
     *
     * @param metadata  of the event; copied.
     * @param data      a segment of this client's pool.
     * @param partition to store it in.
     * @return the future event ID.
     */
    public CompletableFuture<Long> push(final Metadata metadata, final Segment data, final int partition)
    {
        if (data.pool() != pool)
        {
            throw new IllegalArgumentException(
                "the segment is not from this client's pool; allocate it with producer.allocate(size), or push a DataView");
        }
        checkEvent(metadata, data.length(), partition);
        return enqueue(metadata, data, partition, System.nanoTime() + options.pushTimeout().toNanos());
    }

    /**
     * Memory for an event's data, to fill in place and push with {@link #push(Metadata, Segment)}.
     * <b>Blocks</b> while the client's pool is exhausted, at most the push timeout.
     *
     * @param size bytes.
     * @return a segment of the client's registered pool.
     */
    public Segment allocate(final int size)
    {
        return allocate(size, System.nanoTime() + options.pushTimeout().toNanos());
    }

    /**
     * Send every event pushed so far, whatever the batch size. Returns at once.
     */
    public void flush()
    {
        conductor.command((c) -> c.flush(this));
    }

    /**
     * Send what is pending and wait until every pushed event is acknowledged or failed, at most the
     * push timeout; then stop. <b>Blocks.</b>
     */
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        flush();
        IoAgentThreads.checkMayBlock("Producer.close");
        try
        {
            if (room.tryAcquire(maxPending, options.pushTimeout().toNanos(), TimeUnit.NANOSECONDS))
            {
                room.release(maxPending);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        conductor.command((c) -> c.removeProducer(this));
    }

    long producerId()
    {
        return producerId;
    }

    Topic topic()
    {
        return topic;
    }

    ProducerOptions options()
    {
        return options;
    }

    void released(final int events)
    {
        room.release(events);
    }

    private Segment allocate(final int size, final long deadlineNs)
    {
        if (size > pool.maxSegmentBytes())
        {
            throw new IllegalArgumentException(
                "an event's data of " + size + " bytes exceeds the largest the client's pool holds (" +
                pool.maxSegmentBytes() + "); raise the pool's slab size");
        }
        return pool.allocate(size, deadlineNs);
    }

    private void checkEvent(final Metadata metadata, final long dataLength, final int partition)
    {
        if (closed)
        {
            throw new FerryException("producer '" + options.name() + "' is closed");
        }
        if (partition < 0 || partition >= topic.partitions())
        {
            throw new IllegalArgumentException(
                "topic '" + topic.name() + "' has no partition " + partition + " (it has " + topic.partitions() + ")");
        }
        final int maxMetadata = topic.ferry().context().maxMetadataBytes();
        if (metadata.length() > maxMetadata)
        {
            throw new IllegalArgumentException(
                "metadata of " + metadata.length() + " bytes exceeds the limit of " + maxMetadata + " bytes");
        }
        if (dataLength > pool.maxSegmentBytes())
        {
            throw new IllegalArgumentException(
                "an event's data of " + dataLength + " bytes exceeds the largest the client's pool holds (" +
                pool.maxSegmentBytes() + "); raise the pool's slab size");
        }
    }

    private CompletableFuture<Long> enqueue(
        final Metadata metadata, final Segment segment, final int partition, final long deadlineNs)
    {
        IoAgentThreads.checkMayBlock("Producer.push");
        boolean acquired = false;
        try
        {
            acquired = room.tryAcquire(Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }

        if (!acquired)
        {
            if (null != segment)
            {
                segment.release();
            }
            throw new FerryException(
                "producer '" + options.name() + "' waited " + options.pushTimeout().toMillis() + " ms for room: " +
                maxPending + " events are pushed and not yet acknowledged by the server of topic '" + topic.name() +
                "'; is the server running and keeping up?");
        }

        final PendingEvent event = new PendingEvent(this, metadata.toByteArray(), segment, partition);
        conductor.command((c) -> c.push(event));
        return event.future;
    }
}
