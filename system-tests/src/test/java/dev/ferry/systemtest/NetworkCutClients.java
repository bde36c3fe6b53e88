package dev.ferry.systemtest;

import dev.ferry.client.Consumer;
import dev.ferry.client.ConsumerOptions;
import dev.ferry.client.Ferry;
import dev.ferry.client.Producer;
import dev.ferry.client.ProducerOptions;
import dev.ferry.client.Topic;
import dev.ferry.event.DataView;
import dev.ferry.event.Event;
import dev.ferry.event.Metadata;
import dev.ferry.shm.ShmDirectory;
import dev.ferry.test.ChildJvm;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The producer and the consumer of {@link NetworkCutTest}, each run in a child JVM (in the clients'
 * network namespace) with {@code -Dferry.dir} naming the shared-memory root.
 * <p>
 * Arguments: {@code produce|consume <server> <reply host> <topic> <partitions> <events> <reconnect timeout ms>},
 * then for {@code produce} the rate in events per second and the bytes of each event.
 * <ul>
 *     <li>{@code produce} creates the topic, prints {@code topic created}, then pushes the events at
 *     the rate, event {@code seq} to partition {@code seq % partitions} with metadata {@code seq} and
 *     its data stamped with {@code seq}, and waits for every acknowledgement; it checks that each
 *     partition acknowledged its events under the IDs {@code 0..n-1}, each once.</li>
 *     <li>{@code consume} reads the topic from its start under a new consumer name, acknowledging each
 *     event, and checks that every event is the next of its partition, that its data matches its
 *     metadata, that no {@code seq} comes twice or is missing, and that nothing comes after the
 *     last.</li>
 * </ul>
 * Protocol lines on stdout:
 * <pre>
 *   health PREVIOUS -> CURRENT: REASON     each change of the client's health, as it happens
 *   acknowledged N | taken N               progress, every 100 events
 *   done: ...                              all checks passed; then reconnects N, and exit status 0
 *   failed: WHY                            a check failed or a wait ran out; exit status 1
 * </pre>
 */
public final class NetworkCutClients
{
    static final String PRODUCE = "produce";
    static final String CONSUME = "consume";
    static final String TOPIC_CREATED = "topic created";
    static final String HEALTH = "health ";
    static final String DONE = "done: ";
    static final String FAILED = "failed: ";
    static final String RECONNECTS = "reconnects ";
    static final int PROGRESS_EVERY = 100;

    private static final Duration LIFETIME = Duration.ofMinutes(3);
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration NOTHING_MORE_WAIT = Duration.ofSeconds(2);

    private NetworkCutClients()
    {
    }

    public static void main(final String[] args)
    {
        ChildJvm.exitAfter(LIFETIME);
        final PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        final String mode = args[0];
        final String topicName = args[3];
        final int partitions = Integer.parseInt(args[4]);
        final int events = Integer.parseInt(args[5]);
        final Ferry.Context context = new Ferry.Context()
            .server(args[1])
            .replyHost(args[2])
            .name("cut-" + mode)
            .shmRoot(ShmDirectory.defaultRoot())
            .transport("shm")
            .poolMaxBytes(64L << 20)
            .poolSlabBytes(4 << 20)
            .reconnectTimeout(Duration.ofMillis(Long.parseLong(args[6])))
            .healthListener(
                (previous, current, reason) -> out.println(HEALTH + previous + " -> " + current + ": " + reason));

        int status = 1;
        try (Ferry ferry = Ferry.connect(context))
        {
            final String outcome = PRODUCE.equals(mode) ?
                produce(ferry, out, topicName, partitions, events, Integer.parseInt(args[7]),
                    Integer.parseInt(args[8])) :
                consume(ferry, out, topicName, partitions, events);
            if (null == outcome)
            {
                status = 0;
            }
            else
            {
                out.println(FAILED + outcome);
            }
            out.println(RECONNECTS + ferry.reconnects());
        }
        catch (final Exception ex)
        {
            out.println(FAILED + ex);
            ex.printStackTrace();
        }
        System.exit(status);
    }

    /**
     * @return null if every event was acknowledged under the expected IDs, else what went wrong.
     */
    private static String produce(
        final Ferry ferry,
        final PrintStream out,
        final String topicName,
        final int partitions,
        final int events,
        final int rate,
        final int eventBytes) throws Exception
    {
        final Topic topic = ferry.createTopic(topicName, partitions);
        out.println(TOPIC_CREATED);

        final AtomicInteger acknowledged = new AtomicInteger();
        final AtomicReference<String> failure = new AtomicReference<>();
        final BitSet[] ids = new BitSet[partitions];
        for (int p = 0; p < partitions; p++)
        {
            ids[p] = new BitSet();
        }
        final List<CompletableFuture<Long>> pushed = new ArrayList<>(events);
        final ByteBuffer data = ByteBuffer.allocateDirect(eventBytes);
        final long intervalNs = TimeUnit.SECONDS.toNanos(1) / rate;
        try (Producer producer = topic.producer(new ProducerOptions().name("cut").pushTimeout(WAIT)))
        {
            final long startNs = System.nanoTime();
            for (int seq = 0; seq < events && null == failure.get(); seq++)
            {
                // A fixed rate, as a detector's would be: a late turn is made up by the next ones.
                final long dueNs = startNs + seq * intervalNs;
                for (long waitNs = dueNs - System.nanoTime(); waitNs > 0; waitNs = dueNs - System.nanoTime())
                {
                    LockSupport.parkNanos(waitNs);
                }
                final int partition = seq % partitions;
                data.putInt(0, seq);
                final int stamped = seq;
                final CompletableFuture<Long> eventId =
                    producer.push(Metadata.of(Integer.toString(seq)), DataView.of(data), partition);
                eventId.whenComplete((id, ex) ->
                {
                    if (null != ex)
                    {
                        failure.compareAndSet(null, "event " + stamped + " was not acknowledged: " + ex);
                        return;
                    }
                    final boolean again;
                    synchronized (ids)
                    {
                        again = ids[partition].get(id.intValue());
                        ids[partition].set(id.intValue());
                    }
                    if (again)
                    {
                        failure.compareAndSet(
                            null, "partition " + partition + " acknowledged event ID " + id + " twice");
                    }
                    if (0 == acknowledged.incrementAndGet() % PROGRESS_EVERY)
                    {
                        out.println("acknowledged " + acknowledged.get());
                    }
                });
                pushed.add(eventId);
            }
            CompletableFuture.allOf(pushed.toArray(new CompletableFuture[0])).exceptionally((ex) -> null)
                .get(WAIT.toNanos(), TimeUnit.NANOSECONDS);
        }
        catch (final TimeoutException ex)
        {
            return acknowledged.get() + " of " + events + " events acknowledged within " + WAIT.toSeconds() + " s";
        }
        if (null != failure.get())
        {
            return failure.get();
        }

        final StringBuilder summary = new StringBuilder();
        synchronized (ids)
        {
            for (int p = 0; p < partitions; p++)
            {
                final int expected = events / partitions + (p < events % partitions ? 1 : 0);
                if (ids[p].cardinality() != expected || ids[p].nextClearBit(0) != expected)
                {
                    return "partition " + p + " acknowledged event IDs " + ids[p] + ", not 0.." + (expected - 1);
                }
                summary.append(", partition ").append(p).append(" event IDs 0..").append(expected - 1);
            }
        }
        out.println(DONE + acknowledged.get() + " acknowledged" + summary);
        return null;
    }

    /**
     * @return null if every event came once, in order per partition, and nothing more; else what went wrong.
     */
    private static String consume(
        final Ferry ferry, final PrintStream out, final String topicName, final int partitions, final int events)
        throws Exception
    {
        final boolean[] seen = new boolean[events];
        final long[] nextIds = new long[partitions];
        try (Consumer consumer = ferry.openTopic(topicName).consumer(new ConsumerOptions("cut-reader")))
        {
            for (int taken = 0; taken < events; taken++)
            {
                final Event event;
                try
                {
                    event = consumer.pull().get(WAIT.toNanos(), TimeUnit.NANOSECONDS);
                }
                catch (final TimeoutException ex)
                {
                    return "took " + taken + " of " + events + " events; no event came within " + WAIT.toSeconds() +
                        " s after the last";
                }
                final int seq = Integer.parseInt(event.metadata().asString());
                final int partition = event.partition();
                if (event.eventId() != nextIds[partition])
                {
                    return "partition " + partition + " gave event ID " + event.eventId() + " (seq " + seq +
                        ") where " + nextIds[partition] + " was next: " +
                        (event.eventId() < nextIds[partition] ? "an event delivered twice" : "events skipped");
                }
                nextIds[partition]++;
                final DataView data = event.data();
                final int stamped = (data.getByte(0) & 0xFF) << 24 | (data.getByte(1) & 0xFF) << 16 |
                    (data.getByte(2) & 0xFF) << 8 | data.getByte(3) & 0xFF;
                if (stamped != seq)
                {
                    return "event " + seq + " carries the data of event " + stamped;
                }
                if (seq < 0 || seq >= events || seen[seq])
                {
                    return "event " + seq + " was delivered twice (or was never pushed); event ID " + event.eventId() +
                        " of partition " + partition;
                }
                seen[seq] = true;
                event.acknowledge();
                if (0 == (taken + 1) % PROGRESS_EVERY)
                {
                    out.println("taken " + (taken + 1));
                }
            }

            final CompletableFuture<Event> extra = consumer.pull();
            try
            {
                final Event event = extra.get(NOTHING_MORE_WAIT.toNanos(), TimeUnit.NANOSECONDS);
                return "an event beyond the " + events + " pushed: " + event.metadata().asString() + ", event ID " +
                    event.eventId() + " of partition " + event.partition();
            }
            catch (final TimeoutException expected)
            {
                // nothing more, as it should be
            }
        }
        for (int seq = 0; seq < events; seq++)
        {
            if (!seen[seq])
            {
                return "event " + seq + " is missing";
            }
        }
        out.println(DONE + "taken " + events + ", 0 duplicates, none missing");
        return null;
    }
}
