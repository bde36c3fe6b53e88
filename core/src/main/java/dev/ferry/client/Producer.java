package dev.ferry.client;

import dev.ferry.FerryException;
import dev.ferry.agent.IoAgentThreads;
import dev.ferry.buffer.BufferPool;
import dev.ferry.buffer.Segment;
import dev.ferry.event.DataView;
import dev.ferry.event.Metadata;
import dev.ferry.topic.InvalidEventException;
import dev.ferry.topic.PartitionSelector;
import dev.ferry.topic.Validator;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Pushes events into a topic (Mofka semantics).
 * <p>
 * {@link #push} validates the event and picks its partition (unless given) with its topic's
 * {@link dev.ferry.topic.TopicConfig} (or the producer's own, {@link ProducerOptions#validator}); a
 * refused event throws {@link InvalidEventException} and nothing of it is sent. Then it puts its data
 * in the client's registered pool (no copy when it already is there: {@link #allocate(int)} and
 * {@link #push(Metadata, Segment)}; one copy otherwise), and hands it to the I/O agent, which
 * batches events per partition and sends the batches. The returned future completes with the
 * event's ID once the server has stored it; dropping the future is fine.
 * <p>
 * <b>Flow control.</b> At most {@code maxPendingBatches} batches per partition are unacknowledged;
 * when they and the batch being filled are full, {@code push} blocks until the server catches up, at
 * most {@link ProducerOptions#pushTimeout()}, and {@link #tryPush} returns
 * {@link PushStatus#BACK_PRESSURED} at once. The server applies the same pressure upstream: when a
 * partition's queue of batches is full it stops reading from this producer's client until it has
 * drained, so the batches stay unacknowledged here. Events of one partition are stored in push order.
 * <p>
 * <b>Sources.</b> Instead of pushing from its own loop, an application may {@link #attach(PushSource)
 * attach} a source: a {@link PushSource} pushes on its own threads and is paused while the pending
 * batches are full or the connection is gone, and resumed when they have drained to half; a
 * {@link PullSource} is asked to {@link PullSource#produce produce} whenever there is room. (This is
 * DESIGN's {@code attach(source, streaming)}: the source's type says which it is.)
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
    private final int resumeAt;
    private final Validator validator;
    private final PartitionSelector selector;
    private final CopyOnWriteArrayList<Attachment> attachments = new CopyOnWriteArrayList<>();
    private final Object sourcesLock = new Object();
    /**
     * Whether attached push sources are paused; written under {@link #sourcesLock}.
     */
    private volatile boolean sourcesPaused;
    private volatile boolean disconnected;
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
        this.resumeAt = maxPending / 2;
        this.validator = null != options.validator() ? options.validator() : topic.config().validator();
        this.selector = null != options.partitionSelector() ?
            options.partitionSelector() : topic.config().newPartitionSelector();
        conductor.command((c) -> c.addProducer(this));
    }

    /**
     * Push an event to the partition the topic's selector picks.
     * <p>
     * <b>Blocks</b> while the producer's pending batches are full, at most the push timeout.
     *
     * @param metadata of the event; copied.
     * @param data     of the event; copied once into registered memory, and may be reused as soon
     *                 as this method returns.
     * @return the future event ID.
     * @throws InvalidEventException if the topic's validator or selector refuses the event.
     */
    public CompletableFuture<Long> push(final Metadata metadata, final DataView data)
    {
        validator.validate(metadata, data);
        return pushValid(metadata, data, selector.select(metadata, topic.partitions()));
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
        validator.validate(metadata, data);
        return pushValid(metadata, data, partition);
    }

    private CompletableFuture<Long> pushValid(final Metadata metadata, final DataView data, final int partition)
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
     * nothing is copied. The segment belongs to the producer from now on, even if the event is refused
     * (the producer releases it then); do not touch it again. <b>Blocks</b> like
     * {@link #push(Metadata, DataView)}.
     *
     * @param metadata of the event; copied.
     * @param data     a segment of this client's pool.
     * @return the future event ID.
     * @throws InvalidEventException if the topic's validator or selector refuses the event.
     */
    public CompletableFuture<Long> push(final Metadata metadata, final Segment data)
    {
        return pushSegment(metadata, data, true, 0);
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
        return pushSegment(metadata, data, false, partition);
    }

    /**
     * Push an event whose data is a segment the producer owns from now on: released here if the event
     * is refused.
     */
    private CompletableFuture<Long> pushSegment(
        final Metadata metadata, final Segment data, final boolean select, final int givenPartition)
    {
        final int partition;
        try
        {
            validate(metadata, data);
            partition = select ? selector.select(metadata, topic.partitions()) : givenPartition;
            checkOwnSegment(data);
            checkEvent(metadata, data.length(), partition);
        }
        catch (final RuntimeException ex)
        {
            data.release();
            throw ex;
        }
        return enqueue(metadata, data, partition, System.nanoTime() + options.pushTimeout().toNanos());
    }

    /**
     * Offer an event to the partition the topic's selector picks. <b>Never blocks</b>:
     * if the event cannot be taken at once it is not taken, and the result says why.
     *
     * @param metadata of the event; copied if taken.
     * @param data     of the event; copied once into registered memory if taken.
     * @return {@link PushStatus#PUSHED} with the future event ID, or why the event was not taken.
     * @throws IllegalArgumentException if the event can never be pushed (too large, bad partition).
     * @throws InvalidEventException    if the topic's validator or selector refuses the event.
     */
    public PushResult tryPush(final Metadata metadata, final DataView data)
    {
        validator.validate(metadata, data);
        return tryPushValid(metadata, data, selector.select(metadata, topic.partitions()));
    }

    /**
     * As {@link #tryPush(Metadata, DataView)}, to a given partition.
     *
     * @param metadata  of the event; copied if taken.
     * @param data      of the event; copied once into registered memory if taken.
     * @param partition to store it in.
     * @return {@link PushStatus#PUSHED} with the future event ID, or why the event was not taken.
     */
    public PushResult tryPush(final Metadata metadata, final DataView data, final int partition)
    {
        validator.validate(metadata, data);
        return tryPushValid(metadata, data, partition);
    }

    private PushResult tryPushValid(final Metadata metadata, final DataView data, final int partition)
    {
        final PushResult refusal = checkTry(metadata, data.length(), partition);
        if (null != refusal)
        {
            return refusal;
        }
        Segment segment = null;
        if (data.length() > 0)
        {
            segment = pool.tryAllocate((int)data.length());
            if (null == segment)
            {
                room.release();
                return PushResult.BACK_PRESSURED;
            }
            data.copyTo(segment.buffer(), 0);
        }
        return PushResult.pushed(send(metadata, segment, partition));
    }

    /**
     * As {@link #tryPush(Metadata, DataView)} for data written in place into a segment from
     * {@link #allocate(int)}. If the event is not taken, the segment stays the caller's, to offer
     * again or release.
     *
     * @param metadata of the event; copied if taken.
     * @param data     a segment of this client's pool; the producer's from now on if taken.
     * @return {@link PushStatus#PUSHED} with the future event ID, or why the event was not taken.
     * @throws InvalidEventException if the topic's validator or selector refuses the event; the segment
     *                               stays the caller's.
     */
    public PushResult tryPush(final Metadata metadata, final Segment data)
    {
        validate(metadata, data);
        return tryPushValid(metadata, data, selector.select(metadata, topic.partitions()));
    }

    /**
     * As {@link #tryPush(Metadata, Segment)}, to a given partition.
     *
     * @param metadata  of the event; copied if taken.
     * @param data      a segment of this client's pool; the producer's from now on if taken.
     * @param partition to store it in.
     * @return {@link PushStatus#PUSHED} with the future event ID, or why the event was not taken.
     */
    public PushResult tryPush(final Metadata metadata, final Segment data, final int partition)
    {
        validate(metadata, data);
        return tryPushValid(metadata, data, partition);
    }

    private PushResult tryPushValid(final Metadata metadata, final Segment data, final int partition)
    {
        checkOwnSegment(data);
        final PushResult refusal = checkTry(metadata, data.length(), partition);
        return null != refusal ? refusal : PushResult.pushed(send(metadata, data, partition));
    }

    /**
     * Attach a source that pushes on its own threads: it is {@link PushSource#pause() paused} while
     * the pending batches are full or the client has no connection, and
     * {@link PushSource#resume() resumed} when they have drained to half. Paused at once if the
     * producer is full or disconnected now.
     *
     * @param source to attach.
     * @return the attachment; close it to detach the source.
     */
    public Attachment attach(final PushSource source)
    {
        return attach(Attachment.of(this, source));
    }

    /**
     * Attach a source the producer asks for events, on a thread of the attachment's, whenever it has
     * room and a connection.
     *
     * @param source to attach.
     * @return the attachment; close it to detach the source and stop its thread.
     */
    public Attachment attach(final PullSource source)
    {
        return attach(Attachment.of(this, source));
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
        for (final Attachment attachment : attachments)
        {
            attachment.close();
        }
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

    /**
     * Events left the pending batches (acknowledged or failed). On the I/O agent.
     */
    void released(final int events)
    {
        room.release(events);
        if (sourcesPaused)
        {
            resumeSourcesIfRoom();
        }
    }

    /**
     * The client lost its connection to the server, or was closed: push sources are paused until the
     * connection is back, if ever. On the I/O agent.
     */
    void connectionLost()
    {
        disconnected = true;
        pauseSources();
    }

    /**
     * The client reconnected: push sources resume if there is room. On the I/O agent.
     */
    void connectionRestored()
    {
        disconnected = false;
        resumeSourcesIfRoom();
    }

    /**
     * @return true if an event offered now would find room and a connection (pull sources ask).
     */
    boolean canTake()
    {
        return !closed && !disconnected && room.availablePermits() > 0;
    }

    void detach(final Attachment attachment)
    {
        attachments.remove(attachment);
    }

    private Attachment attach(final Attachment attachment)
    {
        if (closed)
        {
            throw new FerryException("producer '" + options.name() + "' is closed; attach sources before closing it");
        }
        synchronized (sourcesLock)
        {
            attachments.add(attachment);
            if (null != attachment.pushSource() && sourcesPaused)
            {
                attachment.pushSource().pause();
            }
        }
        attachment.start();
        if (disconnected || 0 == room.availablePermits())
        {
            pauseSources();
        }
        return attachment;
    }

    private void pauseSources()
    {
        if (sourcesPaused || attachments.isEmpty())
        {
            return; // nothing to pause; a source attached later is paused by attach if there is no room
        }
        synchronized (sourcesLock)
        {
            if (!sourcesPaused)
            {
                sourcesPaused = true;
                for (final Attachment attachment : attachments)
                {
                    if (null != attachment.pushSource())
                    {
                        attachment.pushSource().pause();
                    }
                }
            }
        }
        resumeSourcesIfRoom(); // room may have come back before the sources were paused: no missed resume
    }

    private void resumeSourcesIfRoom()
    {
        synchronized (sourcesLock)
        {
            if (sourcesPaused && !disconnected && !closed && room.availablePermits() >= resumeAt)
            {
                sourcesPaused = false;
                for (final Attachment attachment : attachments)
                {
                    if (null != attachment.pushSource())
                    {
                        attachment.pushSource().resume();
                    }
                }
            }
        }
    }

    /**
     * Everything {@code tryPush} checks before taking room; on success one event's room is taken.
     *
     * @return null with the room taken, or why the event cannot be taken now.
     */
    private PushResult checkTry(final Metadata metadata, final long dataLength, final int partition)
    {
        if (closed)
        {
            return PushResult.CLOSED;
        }
        checkEvent(metadata, dataLength, partition);
        if (disconnected)
        {
            return PushResult.NOT_CONNECTED;
        }
        if (!room.tryAcquire())
        {
            pauseSources();
            return PushResult.BACK_PRESSURED;
        }
        return null;
    }

    /**
     * Validate an event whose data is a segment: wrapped in a view only for a validator that looks.
     */
    private void validate(final Metadata metadata, final Segment data)
    {
        if (Validator.ACCEPT_ALL != validator)
        {
            validator.validate(metadata, DataView.of(data));
        }
    }

    private void checkOwnSegment(final Segment data)
    {
        if (data.pool() != pool)
        {
            throw new IllegalArgumentException(
                "the segment is not from this client's pool; allocate it with producer.allocate(size), or push a DataView");
        }
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
        boolean acquired = room.tryAcquire();
        try
        {
            if (!acquired)
            {
                pauseSources();
                acquired = room.tryAcquire(Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
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

        return send(metadata, segment, partition);
    }

    /**
     * Hand an event whose room is taken to the I/O agent.
     */
    private CompletableFuture<Long> send(final Metadata metadata, final Segment segment, final int partition)
    {
        final PendingEvent event = new PendingEvent(this, metadata.toByteArray(), segment, partition);
        conductor.command(event);
        return event.future;
    }
}
