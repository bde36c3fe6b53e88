package dev.ferry.bench;

import dev.ferry.buffer.Segment;
import dev.ferry.client.Consumer;
import dev.ferry.client.ConsumerOptions;
import dev.ferry.client.Ferry;
import dev.ferry.client.Producer;
import dev.ferry.client.PushResult;
import dev.ferry.client.PushStatus;
import dev.ferry.client.Topic;
import dev.ferry.client.TopicDescription;
import dev.ferry.event.DataView;
import dev.ferry.event.Event;
import dev.ferry.event.Metadata;
import dev.ferry.server.FerryServer;
import dev.ferry.shm.ShmDirectory;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * End-to-end throughput of Ferry's event path, embedded: one {@link FerryServer} and one {@link Ferry}
 * client in the benchmark JVM, talking over the real Aeron control plane (UDP loopback, each with its
 * embedded media driver) and moving data over shared memory. One operation is one event consumed.
 * <p>
 * A producer thread pushes events without pause, zero copy: each event's data is a segment from
 * {@link Producer#allocate(int)}, pushed with {@link Producer#push(Metadata, Segment)}. The
 * benchmark thread is the consumer: it keeps {@value #PULL_DEPTH} {@link Consumer#pull()}s
 * outstanding, and each operation takes the oldest, checks the event and
 * {@link Event#acknowledge() acknowledges} it. The producer stays at most a window of
 * {@value #WINDOW_BYTES} bytes of events (but at least {@value #MIN_WINDOW_EVENTS} and at most
 * {@value #MAX_WINDOW_EVENTS} events) ahead of the consumer, as a publication stays within its
 * window of a subscriber; it never waits otherwise.
 * <p>
 * <b>What the application does per event.</b> Every event has {@value EventStamp#METADATA_BYTES}
 * bytes of metadata and {@code size} of data, stamped with its sequence number as
 * {@link EventStamp} draws; the rest of the data is not written per event (the pool's memory keeps
 * whatever it held), because filling it is the application's work, not the transport's. The consumer
 * checks the stamps: every event arrives once, in order, with its own data, or the run fails.
 * <p>
 * <b>Checks outside the measurement.</b> The setup first sends {@value #SAMPLE_EVENTS} events whose
 * metadata and data are pseudo-random throughout and compares their CRC-32C after the trip. The
 * teardown stops the producer, consumes what is still in flight (checking it the same way) and fails
 * the run unless the events consumed, the events pushed and the events the server stored are the same
 * number and no further event arrives.
 * <p>
 * <b>Memory.</b> The server's partition log (memory mode) retains {@value #RETAINED_LOG_BYTES} bytes of
 * events and then reuses the memory of events the consumer has acknowledged ({@code ferry server
 * --retain}), as a server used as a transport runs: a trial needs that much of {@code /dev/shm} for
 * the log, whatever it pushes. The trial's server deletes its log when it closes.
 * <p>
 * Allocation per event is what {@code -prof gc} reports divided over events consumed: every thread
 * of the JVM counts, so it is the whole path (producer, both I/O agents, consumer, media drivers).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
public class EventPathBenchmark
{
    /**
     * Pulls the consumer keeps outstanding; a power of two.
     */
    static final int PULL_DEPTH = 16;

    /**
     * Bytes of events the producer may be ahead of the consumer.
     */
    static final int WINDOW_BYTES = 64 << 20;

    /**
     * Events the producer may be ahead of the consumer, however large they are.
     */
    static final int MIN_WINDOW_EVENTS = 16;

    /**
     * Events the producer may be ahead of the consumer, however small they are.
     */
    static final int MAX_WINDOW_EVENTS = 16384;

    /**
     * Events of pseudo-random bytes the setup sends first and checks byte for byte.
     */
    static final int SAMPLE_EVENTS = 8;

    /**
     * Push futures the producer keeps, a power of two: each is checked when its slot is reused (if
     * it is complete by then), and the last ones at the teardown, waiting for them.
     */
    static final int ACK_RING = 1024;

    /**
     * Bytes of events the server's partition keeps before reusing acknowledged ones: four log segments.
     */
    static final long RETAINED_LOG_BYTES = 256L << 20;

    private static final String TOPIC = "bench";

    /**
     * Consume the next event: wait for the oldest outstanding pull, check the event, acknowledge it
     * and pull again.
     *
     * @param pipeline server, client, producer and consumer.
     * @return the event's ID, so that nothing can be optimised away.
     */
    @Benchmark
    public long consume(final Pipeline pipeline)
    {
        return pipeline.consumeOne();
    }

    /**
     * The embedded pipeline: a server, a client, one topic of one partition, its producer (on a
     * thread of its own) and its consumer (the benchmark thread).
     */
    @State(Scope.Benchmark)
    public static class Pipeline
    {
        /**
         * Data bytes per event, on top of the metadata: 0 is a metadata-only event.
         */
        @Param({ "0", "4096", "1048576", "4194304" })
        int size;

        /**
         * How the producer offers events: {@code push} blocks while the pending batches are full;
         * {@code tryPush} never blocks, and the producer idles and offers the event again while it
         * is back-pressured.
         */
        @Param({ "push", "tryPush" })
        String mode;

        private final AtomicLong consumed = new AtomicLong();
        private final AtomicLong pushed = new AtomicLong();
        @SuppressWarnings({ "unchecked", "rawtypes" })
        private final CompletableFuture<Event>[] pulls = new CompletableFuture[PULL_DEPTH];
        @SuppressWarnings({ "unchecked", "rawtypes" })
        private final CompletableFuture<Long>[] acks = new CompletableFuture[ACK_RING];
        private final UnsafeBuffer dataFlyweight = new UnsafeBuffer(0L, 0);
        private final IdleStrategy consumerIdle = AppThreads.newIdleStrategy();
        private FerryServer server;
        private Ferry ferry;
        private Producer producer;
        private Consumer consumer;
        private Thread producerThread;
        private volatile boolean producing;
        private volatile Throwable producerFailure;
        private long window;
        private long nextSeq;
        private int nextPull;

        /**
         * Start the server and the client, send and check the sample events, then start the producer.
         */
        @Setup(Level.Trial)
        public void setUp()
        {
            final Path root = ShmDirectory.defaultRoot();
            server = FerryServer.launch(
                new FerryServer.Context().endpoint("127.0.0.1:0").shmRoot(root).logRetainBytes(RETAINED_LOG_BYTES));
            ferry = Ferry.connect(new Ferry.Context().server(server.address()).shmRoot(root).name("bench"));
            final Topic topic = ferry.createTopic(TOPIC, 1);
            producer = topic.producer();
            consumer = topic.consumer(new ConsumerOptions("bench"));

            sendSamples();

            window = Math.min(MAX_WINDOW_EVENTS,
                Math.max(MIN_WINDOW_EVENTS, WINDOW_BYTES / (EventStamp.METADATA_BYTES + size)));
            nextSeq = SAMPLE_EVENTS;
            consumed.set(SAMPLE_EVENTS);
            pushed.set(SAMPLE_EVENTS);
            for (int i = 0; i < PULL_DEPTH; i++)
            {
                pulls[i] = consumer.pull();
            }
            producing = true;
            producerThread = AppThreads.start("bench-producer", this::produce);
        }

        /**
         * Stop the producer, consume and check what is in flight, and compare the counts of events
         * pushed, consumed and stored; then close everything, removing its files.
         */
        @TearDown(Level.Trial)
        public void tearDown()
        {
            producing = false;
            try
            {
                AppThreads.join(producerThread);
                if (null != producerFailure)
                {
                    throw new IllegalStateException("the producer failed: " + producerFailure, producerFailure);
                }
                final long total = pushed.get();
                for (long seq = Math.max(SAMPLE_EVENTS, total - ACK_RING); seq < total; seq++)
                {
                    checkAck(seq, true);
                }
                while (nextSeq < total)
                {
                    consumeOne();
                }
                for (final CompletableFuture<Event> pull : pulls)
                {
                    if (pull.isDone() && !pull.isCompletedExceptionally())
                    {
                        throw new IllegalStateException(
                            "the consumer was given " + pull.join() + " after all " + total + " events pushed had " +
                            "been consumed: an event was delivered twice");
                    }
                }
                final long stored = storedEvents();
                if (stored != total || nextSeq != total)
                {
                    throw new IllegalStateException(
                        total + " events were pushed, " + nextSeq + " consumed and " + stored + " stored by the " +
                        "server; all three must be equal");
                }
            }
            finally
            {
                consumer.close();
                producer.close();
                ferry.close();
                server.close();
            }
        }

        long consumeOne()
        {
            final int index = nextPull;
            final CompletableFuture<Event> pull = pulls[index];
            if (!pull.isDone())
            {
                awaitEvent(pull);
            }
            final Event event = pull.join();
            final long seq = nextSeq;
            check(event, seq);
            event.acknowledge();

            pulls[index] = consumer.pull();
            nextPull = (index + 1) & (PULL_DEPTH - 1);
            nextSeq = seq + 1;
            consumed.lazySet(seq + 1);

            return event.eventId();
        }

        private void check(final Event event, final long seq)
        {
            if (event.eventId() != seq)
            {
                throw new IllegalStateException(
                    "the consumer was given event ID " + event.eventId() + " where " + seq + " was next");
            }
            final Metadata metadata = event.metadata();
            final DataView data = event.data();
            if (data.length() > 0)
            {
                data.wrapSegment(0, dataFlyweight);
            }
            EventStamp.check(
                "Ferry", seq, metadata.buffer(), metadata.offset(), metadata.length(),
                dataFlyweight, 0, (int)data.length(), size);
        }

        private void awaitEvent(final CompletableFuture<Event> pull)
        {
            final long deadlineNs = System.nanoTime() + AppThreads.TIMEOUT_NS;
            consumerIdle.reset();
            while (!pull.isDone())
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw new IllegalStateException(
                        "no event arrived within " + TimeUnit.NANOSECONDS.toSeconds(AppThreads.TIMEOUT_NS) +
                        " s: event " + nextSeq + " is next, " + pushed.get() + " were pushed" +
                        (null == producerFailure ? "" : "; the producer failed: " + producerFailure));
                }
                consumerIdle.idle();
            }
        }

        private void produce()
        {
            final IdleStrategy idle = AppThreads.newIdleStrategy();
            final UnsafeBuffer metadataBuffer = new UnsafeBuffer(new byte[EventStamp.METADATA_BYTES]);
            final Metadata metadata = Metadata.wrap(metadataBuffer, 0, EventStamp.METADATA_BYTES);
            final boolean tryPush = "tryPush".equals(mode);
            Segment data = null;
            long seq = pushed.get();
            try
            {
                while (producing)
                {
                    if (seq - consumed.get() >= window)
                    {
                        idle.idle();
                        continue;
                    }
                    EventStamp.stampMetadata(metadataBuffer, 0, seq);
                    if (size > 0 && null == data)
                    {
                        data = producer.allocate(size);
                        EventStamp.stampData(data.buffer(), 0, size, seq);
                    }
                    final CompletableFuture<Long> ack;
                    if (tryPush)
                    {
                        final PushResult result = 0 == size ?
                            producer.tryPush(metadata, DataView.EMPTY) : producer.tryPush(metadata, data);
                        if (!result.isPushed())
                        {
                            if (PushStatus.BACK_PRESSURED != result.status())
                            {
                                throw new IllegalStateException("tryPush of event " + seq + ": " + result.status());
                            }
                            idle.idle(); // offered again with the same segment
                            continue;
                        }
                        ack = result.eventId();
                    }
                    else
                    {
                        ack = 0 == size ? producer.push(metadata, DataView.EMPTY) : producer.push(metadata, data);
                    }
                    data = null;
                    idle.reset();
                    checkAck(seq - ACK_RING, false);
                    acks[(int)seq & (ACK_RING - 1)] = ack;
                    pushed.lazySet(++seq);
                }
                if (null != data)
                {
                    data.release(); // allocated for an event that was never taken
                }
            }
            catch (final RuntimeException | Error ex)
            {
                producerFailure = ex;
            }
        }

        /**
         * Check the push future of an event: failed, or completed with another event ID, fails the run.
         *
         * @param seq  of the event; its event ID must be the same.
         * @param wait for the future if it is not complete, else skip it.
         */
        private void checkAck(final long seq, final boolean wait)
        {
            final CompletableFuture<Long> ack = seq < SAMPLE_EVENTS ? null : acks[(int)seq & (ACK_RING - 1)];
            if (null == ack || (!wait && !ack.isDone()))
            {
                return;
            }
            final long eventId = wait ? AppThreads.await(ack, "the acknowledgement of event " + seq) : ack.join();
            if (eventId != seq)
            {
                throw new IllegalStateException("event " + seq + " was acknowledged as event " + eventId);
            }
        }

        private void sendSamples()
        {
            final List<CompletableFuture<Long>> sampleAcks = new ArrayList<>();
            final Metadata[] metadata = new Metadata[SAMPLE_EVENTS];
            final int[] dataCrcs = new int[SAMPLE_EVENTS];
            for (int i = 0; i < SAMPLE_EVENTS; i++)
            {
                final UnsafeBuffer bytes = new UnsafeBuffer(new byte[EventStamp.METADATA_BYTES]);
                RandomBytes.fill(bytes, 0, EventStamp.METADATA_BYTES, i);
                EventStamp.stampMetadata(bytes, 0, i);
                metadata[i] = Metadata.of(bytes.byteArray());
                if (0 == size)
                {
                    sampleAcks.add(producer.push(metadata[i], DataView.EMPTY));
                }
                else
                {
                    final Segment data = producer.allocate(size);
                    RandomBytes.fill(data.buffer(), 0, size, ~i);
                    dataCrcs[i] = data.view().crc32c();
                    sampleAcks.add(producer.push(metadata[i], data));
                }
            }
            producer.flush();

            for (int i = 0; i < SAMPLE_EVENTS; i++)
            {
                final long eventId = AppThreads.await(sampleAcks.get(i), "the acknowledgement of sample event " + i);
                final Event event = AppThreads.await(consumer.pull(), "sample event " + i);
                final int crc = event.data().crc32c();
                if (eventId != i || event.eventId() != i || !metadata[i].equals(event.metadata()) ||
                    event.data().length() != size || (size > 0 && crc != dataCrcs[i]))
                {
                    throw new IllegalStateException(
                        "sample event " + i + " was acknowledged as event " + eventId + " and consumed as " + event +
                        (size > 0 ? " with data CRC-32C " + Integer.toHexString(crc) + " where " +
                        Integer.toHexString(dataCrcs[i]) + " was pushed" : "") +
                        "; metadata " + (metadata[i].equals(event.metadata()) ? "equal" : "different"));
                }
                event.acknowledge();
            }
        }

        private long storedEvents()
        {
            for (final TopicDescription topic : ferry.listTopics())
            {
                if (TOPIC.equals(topic.name()))
                {
                    return topic.events();
                }
            }
            throw new IllegalStateException("the server no longer lists topic '" + TOPIC + "'");
        }
    }
}
