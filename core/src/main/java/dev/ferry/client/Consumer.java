package dev.ferry.client;

import dev.ferry.event.Event;

import java.util.concurrent.CompletableFuture;

/**
 * Reads a topic's events under a name (Mofka semantics): a new name starts at event 0 of each
 * partition, the same name resumes after its last acknowledgement.
 * <p>
 * The server sends up to {@link ConsumerOptions#prefetch()} events per partition ahead of
 * {@link #pull()}; the I/O agent pulls each event's data from the server's log into the client's
 * pool as it arrives. An event's data stays valid until the event (or a later one of its
 * partition) is {@link Event#acknowledge() acknowledged}; acknowledge what you are done with, or
 * the pool fills and the consumer stops pulling.
 * <p>
 * Thread-safe. Futures complete on the client's I/O agent thread: a callback chained with
 * {@code thenAccept} runs there and must be quick; use the {@code ...Async} variants for real work.
 */
public final class Consumer implements AutoCloseable
{
    private final Topic topic;
    private final ConsumerOptions options;
    private final ClientConductor conductor;
    private final long consumerId;
    private final int[] partitions;
    private volatile boolean closed;
    private volatile long batchesReceived;

    private Consumer(final Topic topic, final ConsumerOptions options, final int[] partitions)
    {
        this.topic = topic;
        this.options = options;
        this.conductor = topic.ferry().conductor();
        this.consumerId = conductor.nextId();
        this.partitions = partitions;
    }

    static Consumer subscribe(final Topic topic, final ConsumerOptions options)
    {
        final int[] partitions = null == options.partitions() ? allPartitions(topic.partitions()) : options.partitions();
        for (final int partition : partitions)
        {
            if (partition < 0 || partition >= topic.partitions())
            {
                throw new IllegalArgumentException(
                    "topic '" + topic.name() + "' has no partition " + partition + " (it has " + topic.partitions() + ")");
            }
        }

        final Consumer consumer = new Consumer(topic, options, partitions);
        try
        {
            topic.ferry().await(
                topic.ferry().conductor().request((c, correlationId) -> c.subscribe(consumer, correlationId)),
                "subscribe consumer '" + options.name() + "' to topic '" + topic.name() + "'");
        }
        catch (final RuntimeException ex)
        {
            consumer.close(); // nobody else can: the agent must not keep it, nor subscribe it again on a reconnection
            throw ex;
        }
        return consumer;
    }

    /**
     * The next event. Its data is pulled from the server's log before the future completes; a pull
     * that fails is tried again (four attempts in all, backing off from 250 ms), and if every attempt
     * fails, this future, the one in that event's place, completes exceptionally with a
     * {@link dev.ferry.bulk.BulkTransportException} naming the event and the cause; later pulls go on
     * with the events after it.
     *
     * @return a future completed with the next event, in order within each partition.
     */
    public CompletableFuture<Event> pull()
    {
        final CompletableFuture<Event> future = new CompletableFuture<>();
        if (closed)
        {
            future.completeExceptionally(new IllegalStateException("consumer '" + options.name() + "' is closed"));
            return future;
        }
        conductor.command((c) -> c.pull(this, future));
        return future;
    }

    /**
     * Stop reading. Events delivered and not acknowledged will be sent again to the next consumer of
     * this name. Pending {@link #pull()}s fail.
     */
    public void close()
    {
        if (!closed)
        {
            closed = true;
            conductor.command((c) -> c.removeConsumer(this));
        }
    }

    /**
     * @return event batches the server has sent this consumer (each at most {@link ConsumerOptions#batchSize()} events).
     */
    public long batchesReceived()
    {
        return batchesReceived;
    }

    void onBatchReceived()
    {
        batchesReceived = batchesReceived + 1; // written by the I/O agent only
    }

    public String name()
    {
        return options.name();
    }

    Topic topic()
    {
        return topic;
    }

    ConsumerOptions options()
    {
        return options;
    }

    long consumerId()
    {
        return consumerId;
    }

    int[] partitions()
    {
        return partitions;
    }

    private static int[] allPartitions(final int count)
    {
        final int[] partitions = new int[count];
        for (int i = 0; i < count; i++)
        {
            partitions[i] = i;
        }
        return partitions;
    }
}
