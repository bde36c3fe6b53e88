package dev.ferry.systemtest;

import dev.ferry.FerryException;
import dev.ferry.client.Consumer;
import dev.ferry.client.ConsumerOptions;
import dev.ferry.client.Ferry;
import dev.ferry.client.Producer;
import dev.ferry.client.Topic;
import dev.ferry.event.DataView;
import dev.ferry.event.Event;
import dev.ferry.event.Metadata;
import dev.ferry.server.FerryServer;
import dev.ferry.test.ShmTempDirFactory;
import dev.ferry.test.TestBytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole event path in one process, over real Aeron (UDP on loopback with a media driver per
 * engine, or IPC through one shared driver) and real shared memory: a producer's events are stored by the server and read back by a
 * consumer, every byte checked.
 */
@Timeout(120)
class EventPathInProcessTest
{
    @TempDir(factory = ShmTempDirFactory.class)
    Path root;

    /**
     * @param host an address of this host.
     * @return {@code host:port} with a port free there now.
     */
    static String freeEndpoint(final String host)
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host)))
        {
            return host + ":" + socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new AssertionError("no free port on " + host, ex);
        }
    }

    @Test
    void eventsPushedAreStoredAndConsumedExactlyOnceWithTheirBytes() throws Exception
    {
        try (FerryServer server = FerryServer.launch(
                new FerryServer.Context().endpoint(freeEndpoint("127.0.0.1")).shmRoot(root));
            Ferry ferry = Ferry.connect(new Ferry.Context().server(server.address()).shmRoot(root).name("udp")
                .poolMaxBytes(64L << 20).poolSlabBytes(4 << 20)))
        {
            pushThenConsume(ferry, 200);
        }
    }

    @ParameterizedTest(name = "--transport {0}")
    @ValueSource(strings = {"shm", "auto"})
    void eachTransportSelectionDeliversEveryByte(final String transport) throws Exception
    {
        try (FerryServer server = FerryServer.launch(
                new FerryServer.Context().endpoint(freeEndpoint("127.0.0.1")).shmRoot(root).transport(transport));
            Ferry ferry = Ferry.connect(new Ferry.Context().server(server.address()).shmRoot(root).name(transport)
                .transport(transport).poolMaxBytes(64L << 20).poolSlabBytes(4 << 20)))
        {
            pushThenConsume(ferry, 100);
        }
    }

    @Test
    void aTransportNotOnTheClassPathStopsTheEngineNamingThosePresent()
    {
        final FerryException ex = assertThrows(FerryException.class, () -> FerryServer.launch(
            new FerryServer.Context().endpoint(freeEndpoint("127.0.0.1")).shmRoot(root).transport("nope")));

        assertTrue(ex.getMessage().startsWith("no bulk transport named 'nope' is on the class path (present: "),
            ex.getMessage());
        assertTrue(ex.getMessage().contains("shm"), ex.getMessage());
    }

    @Test
    void enginesSharingOneMediaDriverReachEachOtherOverIpc() throws Exception
    {
        try (FerryServer server = FerryServer.launch(new FerryServer.Context().endpoint("ipc").shmRoot(root));
            Ferry ferry = Ferry.connect(new Ferry.Context().server("ipc").shmRoot(root).name("ipc")
                .externalDriverDirectory(server.driverDirectory()).poolMaxBytes(64L << 20).poolSlabBytes(4 << 20)))
        {
            pushThenConsume(ferry, 200);
        }
    }

    private static void pushThenConsume(final Ferry ferry, final int events) throws Exception
    {
        final Topic topic = ferry.createTopic("frames", 2);
        final List<CompletableFuture<Long>> acks = new ArrayList<>();
        try (Producer producer = topic.producer())
        {
            for (int i = 0; i < events; i++)
            {
                final byte[] bytes = TestBytes.seeded(i, 1000 + i * 37);
                final ByteBuffer data = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
                acks.add(producer.push(Metadata.of("{\"i\":" + i + "}"), DataView.of(data)));
            }
            producer.flush();
            for (final CompletableFuture<Long> ack : acks)
            {
                ack.get(30, TimeUnit.SECONDS);
            }
        }

        final Set<String> seen = new HashSet<>();
        try (Consumer consumer = topic.consumer(new ConsumerOptions("checker")))
        {
            for (int n = 0; n < events; n++)
            {
                final Event event = consumer.pull().get(30, TimeUnit.SECONDS);
                final String metadata = event.metadata().asString();
                final int i = Integer.parseInt(metadata.replaceAll("\\D", ""));
                assertTrue(seen.add(metadata), "event " + metadata + " delivered twice");
                TestBytes.assertSameBytes(
                    TestBytes.seeded(i, 1000 + i * 37), TestBytes.toArray(event.data()), "data of event " + i);
                event.acknowledge();
            }
        }
        assertEquals(events, seen.size());
        assertEquals(events, ferry.listTopics().get(0).events());
    }

    @ParameterizedTest(name = "readInPlace {0}")
    @ValueSource(booleans = {true, false})
    void aConsumerReadingInPlaceGetsEveryByteWithoutTakingPoolMemory(final boolean inPlace) throws Exception
    {
        final int events = 24;
        try (FerryServer server = FerryServer.launch(
                new FerryServer.Context().endpoint(freeEndpoint("127.0.0.1")).shmRoot(root));
            Ferry producing = Ferry.connect(new Ferry.Context().server(server.address()).shmRoot(root).name("producing")
                .poolMaxBytes(64L << 20).poolSlabBytes(4 << 20));
            Ferry consuming = Ferry.connect(new Ferry.Context().server(server.address()).shmRoot(root).name("consuming")
                .poolMaxBytes(64L << 20).poolSlabBytes(4 << 20)))
        {
            final Topic topic = producing.createTopic("frames", 1);
            final List<CompletableFuture<Long>> acks = new ArrayList<>();
            try (Producer producer = topic.producer())
            {
                for (int i = 0; i < events; i++)
                {
                    acks.add(producer.push(Metadata.of("event " + i), DataView.of(
                        ByteBuffer.allocateDirect(100_000 + i).put(TestBytes.seeded(i, 100_000 + i)).flip())));
                }
                producer.flush();
                for (final CompletableFuture<Long> ack : acks)
                {
                    ack.get(30, TimeUnit.SECONDS);
                }
            }

            final List<Event> held = new ArrayList<>();
            try (Consumer consumer = consuming.openTopic("frames")
                .consumer(new ConsumerOptions("reader").readInPlace(inPlace)))
            {
                for (int i = 0; i < events; i++)
                {
                    final Event event = consumer.pull().get(30, TimeUnit.SECONDS);
                    assertEquals(i, event.eventId());
                    held.add(event); // acknowledged only once every event was read
                }
                for (int i = 0; i < events; i++)
                {
                    TestBytes.assertSameBytes(
                        TestBytes.seeded(i, 100_000 + i), TestBytes.toArray(held.get(i).data()), "data of event " + i);
                }
                final long poolBytes = consuming.pool().highWaterBytes();
                if (inPlace)
                {
                    assertEquals(0, poolBytes, "a consumer reading in place must not copy into its pool");
                }
                else
                {
                    assertTrue(poolBytes >= 100_000, "a copying consumer pulls into its pool, high water " + poolBytes);
                }
                held.forEach(Event::acknowledge);
            }
        }
    }

    @Test
    void aServerRetainingBytesReusesLogMemoryOnceItsConsumersAcknowledged() throws Exception
    {
        try (FerryServer server = FerryServer.launch(new FerryServer.Context().endpoint(freeEndpoint("127.0.0.1"))
                .shmRoot(root).logSegmentBytes(1 << 20).logMaxBytes(16L << 20).logRetainBytes(2L << 20));
            Ferry ferry = Ferry.connect(new Ferry.Context().server(server.address()).shmRoot(root).name("retaining")
                .poolMaxBytes(64L << 20).poolSlabBytes(4 << 20)))
        {
            final Topic topic = ferry.createTopic("frames", 1);
            final int rounds = 6;
            final int perRound = 10;
            try (Producer producer = topic.producer();
                Consumer consumer = topic.consumer(new ConsumerOptions("reader")))
            {
                for (int round = 0; round < rounds; round++)
                {
                    final List<CompletableFuture<Long>> acks = new ArrayList<>();
                    for (int n = 0; n < perRound; n++)
                    {
                        final int i = round * perRound + n;
                        acks.add(producer.push(Metadata.of("event " + i), DataView.of(
                            ByteBuffer.allocateDirect(100_000).put(TestBytes.seeded(i, 100_000)).flip())));
                    }
                    producer.flush();
                    for (final CompletableFuture<Long> ack : acks)
                    {
                        ack.get(30, TimeUnit.SECONDS);
                    }
                    for (int n = 0; n < perRound; n++)
                    {
                        final int i = round * perRound + n;
                        final Event event = consumer.pull().get(30, TimeUnit.SECONDS);
                        assertEquals(i, event.eventId());
                        TestBytes.assertSameBytes(
                            TestBytes.seeded(i, 100_000), TestBytes.toArray(event.data()), "data of event " + i);
                        event.acknowledge();
                    }
                    ferry.listTopics(); // a round trip after the acknowledgements: the server has taken them
                }

                try (Ferry other = Ferry.connect(new Ferry.Context().server(server.address()).shmRoot(root)
                    .name("same-name").poolMaxBytes(16L << 20).poolSlabBytes(4 << 20)))
                {
                    final FerryException twice = assertThrows(FerryException.class,
                        () -> other.openTopic("frames").consumer(new ConsumerOptions("reader")));
                    assertTrue(twice.getMessage().contains("consumer 'reader' already reads partition 0 of topic " +
                        "'frames' from another client"), twice.getMessage());
                }
            }

            try (Stream<Path> files = Files.walk(root))
            {
                final long segments = files.filter((f) -> f.getFileName().toString().startsWith("seg-")).count();
                assertEquals(2, segments, "6 MB of events passed through a log retaining two 1 MiB segments");
            }
            try (Consumer late = topic.consumer(new ConsumerOptions("late")))
            {
                final Event first = late.pull().get(30, TimeUnit.SECONDS);
                assertTrue(first.eventId() > 0 && first.eventId() < rounds * perRound,
                    "a consumer subscribing later starts at the oldest event kept, not at 0: " + first.eventId());
                final int i = (int)first.eventId();
                TestBytes.assertSameBytes(
                    TestBytes.seeded(i, 100_000), TestBytes.toArray(first.data()), "data of event " + i);
                first.acknowledge();
                final FerryException dropped = assertThrows(FerryException.class,
                    () -> topic.consumer(new ConsumerOptions("rewinding").startAt(0, 0)));
                assertTrue(dropped.getMessage().contains("but events before " + first.eventId() +
                    " are no longer kept (retention, --retain)"), dropped.getMessage());
            }
        }
    }

    @Test
    void pollHandsOverEveryEventInOrderBesidePullsAndItsAcknowledgementsMoveTheCursor() throws Exception
    {
        final int events = 300;
        try (FerryServer server = FerryServer.launch(
                new FerryServer.Context().endpoint(freeEndpoint("127.0.0.1")).shmRoot(root));
            Ferry ferry = Ferry.connect(new Ferry.Context().server(server.address()).shmRoot(root)))
        {
            final Topic topic = ferry.createTopic("polled", 1);
            try (Producer producer = topic.producer())
            {
                final List<CompletableFuture<Long>> acks = new ArrayList<>();
                for (int i = 0; i < events + 1; i++)
                {
                    final ByteBuffer data = ByteBuffer.allocateDirect(64 + i).put(TestBytes.seeded(i, 64 + i)).flip();
                    acks.add(producer.push(Metadata.of("{\"i\":" + i + "}"), DataView.of(data)));
                }
                for (final CompletableFuture<Long> ack : acks)
                {
                    ack.get(30, TimeUnit.SECONDS);
                }
            }

            // a prefetch far below the events: the server goes on only if what poll takes is credited back
            final Consumer consumer = topic.consumer(new ConsumerOptions("poller").prefetch(8));
            final long[] next = {0};
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (next[0] < events)
            {
                assertTrue(System.nanoTime() - deadlineNs < 0, "only " + next[0] + " of " + events + " events arrived");
                if (0 == next[0] % 50)
                {
                    // a pull, then a poll at once: the pull is owed the earlier event, wherever it waits
                    final CompletableFuture<Event> pulled = consumer.pull();
                    final List<Event> polled = new ArrayList<>();
                    consumer.poll(polled::add, 3);
                    final Event event = pulled.get(30, TimeUnit.SECONDS);
                    checkPolled(event, next[0]++);
                    for (final Event later : polled)
                    {
                        checkPolled(later, next[0]++);
                    }
                    continue;
                }
                consumer.poll((event) ->
                {
                    checkPolled(event, next[0]++);
                    if (event.eventId() < events - 1)
                    {
                        event.acknowledge();
                    }
                }, (int)Math.min(5, Math.min(events - next[0], 50 - next[0] % 50)));
                Thread.onSpinWait();
            }
            consumer.close();
            assertThrows(IllegalStateException.class, () -> consumer.poll((event) -> { }, 1));

            try (Consumer again = topic.consumer(new ConsumerOptions("poller")))
            {
                final Event first = again.pull().get(30, TimeUnit.SECONDS);
                assertEquals(events - 1, first.eventId(), "resumes after the last event acknowledged, and only then");
            }
        }
    }

    private static void checkPolled(final Event event, final long expected)
    {
        assertEquals(expected, event.eventId());
        TestBytes.assertSameBytes(
            TestBytes.seeded((int)expected, 64 + (int)expected), TestBytes.toArray(event.data()), "data of event " + expected);
    }

    @Test
    void aConsumerReceivesEventsInBatchesOfItsBatchSize() throws Exception
    {
        try (FerryServer server = FerryServer.launch(
                new FerryServer.Context().endpoint(freeEndpoint("127.0.0.1")).shmRoot(root));
            Ferry ferry = Ferry.connect(new Ferry.Context().server(server.address()).shmRoot(root)
                .poolMaxBytes(8L << 20).poolSlabBytes(4 << 20)))
        {
            final Topic topic = ferry.createTopic("small", 1);
            try (Producer producer = topic.producer())
            {
                final List<CompletableFuture<Long>> acks = new ArrayList<>();
                for (int i = 0; i < 100; i++)
                {
                    acks.add(producer.push(Metadata.of("{\"i\":" + i + "}"), DataView.EMPTY));
                }
                for (final CompletableFuture<Long> ack : acks)
                {
                    ack.get(30, TimeUnit.SECONDS);
                }
            }

            try (Consumer consumer = topic.consumer(new ConsumerOptions("batched").prefetch(100).batchSize(10)))
            {
                for (long expected = 0; expected < 100; expected++)
                {
                    final Event event = consumer.pull().get(30, TimeUnit.SECONDS);
                    assertEquals(expected, event.eventId());
                    event.acknowledge();
                }
                assertEquals(10, consumer.batchesReceived(), "100 stored events in batches of at most 10");
            }
        }
    }

    @Test
    void anUnknownTopicIsNamedInTheError() throws Exception
    {
        try (FerryServer server = FerryServer.launch(
                new FerryServer.Context().endpoint(freeEndpoint("127.0.0.1")).shmRoot(root));
            Ferry ferry = Ferry.connect(new Ferry.Context().server(server.address()).shmRoot(root).poolMaxBytes(8L << 20)
                .poolSlabBytes(4 << 20).requestTimeout(Duration.ofSeconds(10))))
        {
            final Exception error = org.junit.jupiter.api.Assertions.assertThrows(
                dev.ferry.FerryException.class, () -> ferry.openTopic("nope"));
            assertTrue(error.getMessage().contains("topic 'nope' does not exist"), error.getMessage());
        }
    }
}
