package dev.ferry.cli;

import dev.ferry.FerryException;
import dev.ferry.buffer.BufferPool;
import dev.ferry.buffer.Sizes;
import dev.ferry.client.Consumer;
import dev.ferry.client.ConsumerOptions;
import dev.ferry.client.Ferry;
import dev.ferry.client.Producer;
import dev.ferry.client.ProducerOptions;
import dev.ferry.client.Topic;
import dev.ferry.event.Event;
import dev.ferry.server.FerryServer;
import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;

/**
 * {@code ferry pipeline}'s run: a server, producers and consumers in one process, over the real event
 * path: the control plane over Aeron IPC through the server's media driver, which every client of
 * the pipeline shares (one driver, not one per engine, leaves the cores to the pipeline), and the data
 * over the bulk transport the settings select (shared memory, or RDMA where both ends have a device).
 * <pre>
 *  producer threads                    embedded FerryServer                 consumer threads
 *  (one Ferry client, a Producer each) topic "pipeline", P partitions       (a Ferry client and a Consumer each,
 *  allocate in the client's pool,                                            its own partitions)
 *  fill in place, stamp, push ──────▶  pull the data into the log, ───────▶ pull the data, check CRC-32C and
 *                     ◀──── ack ────   assign event IDs                      (producer, seq), acknowledge
 * </pre>
 * The producers share one client: a {@link Producer} is thread-safe and a client's I/O agent batches
 * for all of them, so one client (one pool, one agent thread) is what an application with several
 * producing threads would use; it also leaves the machine's cores to the server and the consumers. Each consumer has its own client, as separate consumer processes would,
 * its own name, and its share of the partitions (partition p goes to consumer p mod M), so that
 * every event is consumed exactly once overall.
 * <p>
 * Use: {@link #start(Settings)}, {@link #run(LongConsumer)} once, {@link #close()}.
 */
final class Pipeline implements AutoCloseable
{
    /**
     * The topic the pipeline creates on its own server.
     */
    static final String TOPIC = "pipeline";

    private static final String IPC = "ipc";
    /**
     * Bytes of events each partition keeps before it reuses the memory of acknowledged ones (four log
     * segments): every consumer subscribes before the first push, so nothing is dropped unread, and the
     * server runs in memory it has written already instead of growing by the pipeline's whole volume.
     */
    static final long RETAINED_LOG_BYTES = 256L << 20;

    /**
     * Pulls each consumer keeps outstanding, so that the client's I/O agent always has one to complete
     * while the consumer checks the last event: one at a time costs a thread hand-off per event.
     */
    private static final int PULL_WINDOW = 64;
    private static final long POLL_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long PROGRESS_PARK_NS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long CONSUMER_STOP_WAIT_MS = 5_000;
    private static final int MIN_POOL_BYTES = 64 << 20;
    private static final int MIN_SLAB_BYTES = 4 << 20;
    private static final int POOL_SLABS = 16;

    /**
     * What to run.
     *
     * @param events     in all, split evenly among the producers.
     * @param eventBytes of data in each event; 0 for metadata only.
     * @param partitions of the topic, at least {@code consumers}.
     * @param producers  threads pushing.
     * @param consumers  clients consuming.
     * @param timeout    longest wait without progress, and each client's request and push timeout.
     * @param directory  Ferry's shared-memory root.
     * @param transport  the bulk transports of every engine: {@code auto} or a transport's name.
     */
    record Settings(
        long events,
        int eventBytes,
        int partitions,
        int producers,
        int consumers,
        Duration timeout,
        Path directory,
        String transport)
    {
    }

    private final Settings settings;
    private final long timeoutNs;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final List<ConsumerSlot> consumerSlots = new ArrayList<>();
    private final EventCheck check = new EventCheck(true);
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicReference<String> failure = new AtomicReference<>();
    private FerryServer server;
    private Topic topic;
    private volatile boolean stopping;

    private Pipeline(final Settings settings)
    {
        this.settings = settings;
        this.timeoutNs = settings.timeout().toNanos();
    }

    /**
     * Launch the server, connect the clients to it over its media driver, create the topic and subscribe
     * the consumers. <b>Blocks</b> for each step, at most the timeout.
     *
     * @param settings of the run, already checked.
     * @return the pipeline, ready to {@link #run(LongConsumer)}; close it.
     * @throws FerryException naming the step that failed.
     */
    static Pipeline start(final Settings settings)
    {
        final Pipeline pipeline = new Pipeline(settings);
        try
        {
            pipeline.setUp();
            return pipeline;
        }
        catch (final RuntimeException ex)
        {
            pipeline.close();
            throw ex;
        }
    }

    /**
     * @return one line on what runs where.
     */
    String description()
    {
        return "pipeline: " + settings.events() + " events of " + Sizes.format(settings.eventBytes()) + " from " +
            count(settings.producers(), "producer") + " to " + count(settings.consumers(), "consumer") +
            " through topic '" + TOPIC + "' (" + count(settings.partitions(), "partition") +
            ") of a server in this process, over Aeron IPC; bulk transport " + settings.transport() +
            ", shared memory under " + settings.directory();
    }

    /**
     * Move the events and check them. <b>Blocks</b> until every event is consumed, something fails,
     * or no event arrives for the timeout.
     *
     * @param onProgress told, on the calling thread, how many events the consumers have received.
     * @return what happened.
     */
    PipelineReport run(final LongConsumer onProgress)
    {
        final List<Thread> consumerThreads = new ArrayList<>();
        for (final ConsumerSlot slot : consumerSlots)
        {
            slot.thread = startThread("ferry-pipeline-" + slot.consumer.name(), () -> consume(slot));
            consumerThreads.add(slot.thread);
        }

        final long startNs = System.nanoTime();
        final List<Thread> producerThreads = new ArrayList<>();
        for (int i = 0; i < settings.producers(); i++)
        {
            final int index = i;
            final long count = settings.events() / settings.producers() +
                (index < settings.events() % settings.producers() ? 1 : 0);
            producerThreads.add(startThread("ferry-pipeline-producer-" + index, () -> produce(index, count)));
        }

        awaitConsumers(onProgress);
        stopping = true;
        if (null != failure.get())
        {
            closeClients();
        }
        join(producerThreads, settings.timeout().toMillis(), "producer");
        join(consumerThreads, CONSUMER_STOP_WAIT_MS, "consumer");

        final Histogram latencyNs = new Histogram(3);
        long endNs = startNs;
        for (final ConsumerSlot slot : consumerSlots)
        {
            if (!slot.thread.isAlive())
            {
                latencyNs.add(slot.latencyNs);
            }
            endNs = Math.max(endNs, slot.lastReceiptNs);
        }

        final List<String> problems = new ArrayList<>();
        if (null != failure.get())
        {
            problems.add(failure.get());
        }
        if (null != check.firstProblem())
        {
            problems.add(check.firstProblem());
        }
        if (check.intact() < settings.events())
        {
            problems.add(
                "only " + check.intact() + " of " + settings.events() + " events arrived intact (" +
                check.badChecksums() + " bad checksums, " + check.duplicates() + " duplicates, " +
                check.unrecognised() + " unrecognised)");
        }
        if (acknowledged.get() < settings.events())
        {
            problems.add("the server acknowledged only " + acknowledged.get() + " of " + settings.events() + " events");
        }

        return new PipelineReport(check.intact(), settings.eventBytes(), (endNs - startNs) / 1e9, latencyNs, problems);
    }

    /**
     * Close the consumers, the clients and the server, which removes every file they mapped.
     */
    public void close()
    {
        closeFrom(0);
    }

    private void setUp()
    {
        server = FerryServer.launch(new FerryServer.Context()
            .transport(settings.transport())
            .endpoint(IPC)
            .shmRoot(settings.directory())
            .logRetainBytes(RETAINED_LOG_BYTES));
        resources.add(server);

        final Ferry producerClient = Ferry.connect(clientContext("pipeline-producers"));
        resources.add(producerClient);
        topic = producerClient.createTopic(TOPIC, settings.partitions());

        for (int j = 0; j < settings.consumers(); j++)
        {
            final String name = "pipeline-consumer-" + j;
            final Ferry client = Ferry.connect(clientContext(name));
            resources.add(client);
            final Consumer consumer = client.openTopic(TOPIC).consumer(new ConsumerOptions(name).partitions(partitionsOf(j)));
            resources.add(consumer);
            consumerSlots.add(new ConsumerSlot(consumer));
        }
    }

    /**
     * Close the consumers and clients, not the server: that fails every pending push and pull, so that
     * threads blocked in one return.
     */
    private void closeClients()
    {
        closeFrom(1);
    }

    private void closeFrom(final int first)
    {
        final List<AutoCloseable> toClose = resources.subList(Math.min(first, resources.size()), resources.size());
        final List<AutoCloseable> reversed = new ArrayList<>(toClose);
        Collections.reverse(reversed);
        toClose.clear();
        CloseHelper.closeAll(reversed);
    }

    private Ferry.Context clientContext(final String name)
    {
        final int slabBytes = Math.max(MIN_SLAB_BYTES, ceilPowerOfTwo(settings.eventBytes()));
        return new Ferry.Context()
            .transport(settings.transport())
            .server(server.address())
            .externalDriverDirectory(server.driverDirectory())
            .name(name)
            .shmRoot(settings.directory())
            .requestTimeout(settings.timeout())
            .poolSlabBytes(slabBytes)
            .poolMaxBytes(Math.max(MIN_POOL_BYTES, (long)POOL_SLABS * slabBytes) + BufferPool.Context.RESERVE_BYTES_DEFAULT);
    }

    /**
     * @return the partitions consumer {@code j} reads: those equal to j modulo the consumer count.
     */
    private int[] partitionsOf(final int j)
    {
        final int[] partitions = new int[(settings.partitions() - j + settings.consumers() - 1) / settings.consumers()];
        for (int i = 0; i < partitions.length; i++)
        {
            partitions[i] = j + i * settings.consumers();
        }
        return partitions;
    }

    private void produce(final int index, final long count)
    {
        final String name = "pipeline-" + index;
        try (Producer producer = topic.producer(new ProducerOptions().name(name).pushTimeout(settings.timeout())))
        {
            for (long seq = 0; seq < count && !stopping; seq++)
            {
                final int partition = (int)((seq + index) % settings.partitions());
                EventCheck.push(producer, name, seq, settings.eventBytes(), partition).whenComplete((eventId, error) ->
                {
                    if (null == error)
                    {
                        acknowledged.incrementAndGet();
                    }
                    else
                    {
                        fail("producer '" + name + "': an event was not stored: " + error.getMessage());
                    }
                });
            }
        }
        catch (final RuntimeException ex)
        {
            fail("producer '" + name + "' failed: " + ex.getMessage());
        }
    }

    private void consume(final ConsumerSlot slot)
    {
        final ArrayDeque<CompletableFuture<Event>> pulls = new ArrayDeque<>(PULL_WINDOW);
        for (int i = 0; i < PULL_WINDOW; i++)
        {
            pulls.addLast(slot.consumer.pull());
        }

        while (!stopping && check.received() < settings.events())
        {
            final Event event;
            try
            {
                event = pulls.peekFirst().get(POLL_NS, TimeUnit.NANOSECONDS);
            }
            catch (final TimeoutException ex)
            {
                continue;
            }
            catch (final ExecutionException ex)
            {
                fail("consumer '" + slot.consumer.name() + "' failed: " + ex.getCause().getMessage());
                return;
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }

            final long receiptNs = System.nanoTime();
            pulls.pollFirst();
            pulls.addLast(slot.consumer.pull());
            final EventCheck.Stamp stamp = EventCheck.Stamp.parse(event.metadata());
            if (EventCheck.Verdict.INTACT == check.check(event, stamp))
            {
                slot.latencyNs.recordValue(Math.max(0, receiptNs - stamp.pushNs()));
            }
            slot.lastReceiptNs = receiptNs;
            event.acknowledge();
        }
    }

    private void awaitConsumers(final LongConsumer onProgress)
    {
        long lastReceived = -1;
        long deadlineNs = 0;
        while (true)
        {
            final long received = check.received();
            onProgress.accept(received);
            if (received >= settings.events() || null != failure.get())
            {
                return;
            }

            final long nowNs = System.nanoTime();
            if (received != lastReceived)
            {
                lastReceived = received;
                deadlineNs = nowNs + timeoutNs;
            }
            else if (nowNs - deadlineNs >= 0)
            {
                fail("no event arrived for " + settings.timeout().toMillis() + " ms, with " + received + " of " +
                    settings.events() + " received; the server or a client is stuck (a longer --timeout may help " +
                    "on a loaded machine)");
                return;
            }
            LockSupport.parkNanos(PROGRESS_PARK_NS);
        }
    }

    private void fail(final String what)
    {
        failure.compareAndSet(null, what);
    }

    private void join(final List<Thread> threads, final long waitMs, final String role)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
        for (final Thread thread : threads)
        {
            try
            {
                thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime())));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive())
            {
                fail("the " + role + " thread '" + thread.getName() + "' did not finish within " + waitMs + " ms");
            }
        }
    }

    private static Thread startThread(final String name, final Runnable body)
    {
        final Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static int ceilPowerOfTwo(final int value)
    {
        return value <= 1 ? 1 : Integer.highestOneBit(value - 1) << 1;
    }

    private static String count(final long n, final String noun)
    {
        return n + " " + noun + (1 == n ? "" : "s");
    }

    /**
     * A consumer and what its thread measured; read by the calling thread once that thread finished.
     */
    private static final class ConsumerSlot
    {
        final Consumer consumer;
        final Histogram latencyNs = new Histogram(3);
        volatile long lastReceiptNs;
        Thread thread;

        ConsumerSlot(final Consumer consumer)
        {
            this.consumer = consumer;
        }
    }
}
