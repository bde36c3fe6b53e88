package dev.ferry.client;

import dev.ferry.agent.IoAgentThreads;
import dev.ferry.bulk.BulkTransportException;
import dev.ferry.event.Event;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
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
 * <b>Two ways to take events.</b> {@link #pull()} returns a future, completed at once when an event
 * is ready and by the I/O agent when one arrives. {@link #poll(EventHandler, int)} hands the events
 * that are ready to a handler on the calling thread and returns at once, with no future and no
 * command to the agent: the way to take small events at full rate. Either way, taking an event and
 * acknowledging it only touch memory the agent reads once per duty cycle. On top of {@code poll},
 * {@link #process(EventHandler, long, Duration)} is a loop that waits for events (Mofka's
 * {@code process}), and {@link #iterator(Duration)} an iterator over them.
 * <p>
 * Thread-safe. Futures complete on the client's I/O agent thread: a callback chained with
 * {@code thenAccept} runs there and must be quick; use the {@code ...Async} variants for real work.
 */
public final class Consumer implements AutoCloseable
{
    private static final Logger LOGGER = LoggerFactory.getLogger(Consumer.class);

    private final Topic topic;
    private final ConsumerOptions options;
    private final ClientConductor conductor;
    private final long consumerId;
    private final int[] partitions;
    private final ReadyEvents ready;
    private volatile boolean closed;
    private volatile long batchesReceived;

    private Consumer(final Topic topic, final ConsumerOptions options, final int[] partitions)
    {
        this.topic = topic;
        this.options = options;
        this.conductor = topic.ferry().conductor();
        this.consumerId = conductor.nextId();
        this.partitions = partitions;
        this.ready = new ReadyEvents(partitions, options.prefetch());
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
        for (final int started : options.partitionsStarted())
        {
            if (Arrays.stream(partitions).noneMatch((partition) -> partition == started))
            {
                throw new IllegalArgumentException("consumer '" + options.name() + "' is given a start in partition " +
                    started + " (startAt) but reads partitions " + Arrays.toString(partitions) + " of topic '" +
                    topic.name() + "'");
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
        if (closed)
        {
            return CompletableFuture.failedFuture(closedException());
        }
        if (0 == ready.waiters().get())
        {
            final Object next = ready.take();
            if (null != next)
            {
                return next instanceof Event event ?
                    CompletableFuture.completedFuture(event) : CompletableFuture.failedFuture(failure(next));
            }
        }
        final CompletableFuture<Event> future = new CompletableFuture<>();
        ready.waiters().incrementAndGet();
        conductor.command((c) -> c.pull(this, future));
        return future;
    }

    /**
     * Hand the events that are ready, at most {@code limit}, to a handler on this thread, in order
     * within each partition; returns at once. Nothing is allocated per event here, and the I/O agent
     * is not asked for anything: it gives the server credit for the events taken, and the handler's
     * acknowledgements, once per duty cycle.
     * <p>
     * While {@link #pull()}s made earlier are still waiting, they get the next events and this method
     * takes none. An event whose data could not be read (see {@link #pull()}) ends the call: the
     * events before it have been handled, and the exception that took its place is thrown; the next
     * call goes on after it.
     *
     * @param handler given each event; the event stays valid until it is acknowledged, as a pulled one.
     * @param limit   most events to hand over.
     * @return the number of events handed over, 0 if none was ready.
     * @throws BulkTransportException   if the next event's data could not be read.
     * @throws IllegalStateException    if the consumer is closed.
     * @throws dev.ferry.FerryException if the client lost its server for good.
     */
    public int poll(final EventHandler handler, final int limit)
    {
        if (closed)
        {
            throw closedException();
        }
        int handled = 0;
        while (handled < limit && 0 == ready.waiters().get())
        {
            final Object next = ready.take();
            if (null == next)
            {
                final RuntimeException cause = 0 == handled ? ready.closedBy() : null;
                if (null != cause)
                {
                    throw cause;
                }
                break;
            }
            if (!(next instanceof Event event))
            {
                throw failure(next);
            }
            handler.onEvent(event);
            handled++;
        }
        return handled;
    }

    /**
     * Hand events to a handler on this thread as they arrive, until {@code maxEvents} have been handled
     * or none has arrived for {@code idleTimeout}: {@link #poll(EventHandler, int)} in a loop that
     * spins, yields and then parks briefly while nothing is ready. <b>Blocks.</b>
     *
     * @param handler     given each event, in order within its partition.
     * @param maxEvents   most events to handle.
     * @param idleTimeout longest wait for the next event before the loop ends.
     * @return the number of events handled.
     * @throws BulkTransportException   if an event's data could not be read; the events before it were handled.
     * @throws IllegalStateException    if the consumer is closed.
     * @throws dev.ferry.FerryException if the client lost its server for good.
     */
    public long process(final EventHandler handler, final long maxEvents, final Duration idleTimeout)
    {
        IoAgentThreads.checkMayBlock("Consumer.process");
        final IdleStrategy idle = new BackoffIdleStrategy();
        final long idleNs = idleTimeout.toNanos();
        long handled = 0;
        long lastEventNs = System.nanoTime();
        while (handled < maxEvents)
        {
            final int taken = poll(handler, (int)Math.min(options.prefetch(), maxEvents - handled));
            if (taken > 0)
            {
                handled += taken;
                lastEventNs = System.nanoTime();
                idle.reset();
            }
            else if (System.nanoTime() - lastEventNs >= idleNs)
            {
                break;
            }
            else
            {
                idle.idle();
            }
        }
        return handled;
    }

    /**
     * The events as they arrive, one at a time: {@code hasNext()} waits for the next, at most
     * {@code idleTimeout}, and is false if none came (then, or once the consumer is closed, the
     * iteration is over). Not thread-safe: one thread iterates. <b>Blocks</b> in {@code hasNext()}.
     *
     * @param idleTimeout longest wait for the next event.
     * @return an iterator whose {@code hasNext()} and {@code next()} throw what {@link #process} throws.
     */
    public Iterator<Event> iterator(final Duration idleTimeout)
    {
        return new Iterator<>()
        {
            private Event next;
            private final EventHandler keep = (event) -> next = event;

            public boolean hasNext()
            {
                return null != next || (!closed && 1 == process(keep, 1, idleTimeout));
            }

            public Event next()
            {
                if (!hasNext())
                {
                    throw new NoSuchElementException("no event arrived within " + idleTimeout.toMillis() + " ms");
                }
                final Event event = next;
                next = null;
                return event;
            }
        };
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

    ReadyEvents ready()
    {
        return ready;
    }

    long consumerId()
    {
        return consumerId;
    }

    int[] partitions()
    {
        return partitions;
    }

    private IllegalStateException closedException()
    {
        return new IllegalStateException("consumer '" + options.name() + "' is closed");
    }

    /**
     * @param next a {@link ReadyEvents.Failure} taken from the ready events.
     * @return its cause, logged: the application learns of the lost event, and so does the log.
     */
    static BulkTransportException failure(final Object next)
    {
        final BulkTransportException cause = ((ReadyEvents.Failure)next).cause();
        LOGGER.error(cause.getMessage());
        return cause;
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
