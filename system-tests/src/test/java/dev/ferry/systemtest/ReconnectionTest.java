package dev.ferry.systemtest;

import dev.ferry.FerryException;
import dev.ferry.client.Consumer;
import dev.ferry.client.ConsumerOptions;
import dev.ferry.client.Ferry;
import dev.ferry.client.Health;
import dev.ferry.client.Producer;
import dev.ferry.client.ProducerOptions;
import dev.ferry.client.PushStatus;
import dev.ferry.client.Topic;
import dev.ferry.client.TopicDescription;
import dev.ferry.event.DataView;
import dev.ferry.event.Event;
import dev.ferry.event.Metadata;
import dev.ferry.server.FerryServer;
import dev.ferry.test.Conditions;
import dev.ferry.test.ShmTempDirFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static dev.ferry.systemtest.EventPathInProcessTest.freeEndpoint;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sessions that outlive their connections, over a real durable server, real Aeron and real shared
 * memory: the server stops and a new one starts on the same endpoint and data directory; producers and
 * consumers turn {@code HUNGRY}, reconnect by themselves and go on, with nothing lost and nothing twice.
 */
@Timeout(180)
class ReconnectionTest
{
    private static final int PARTITIONS = 2;
    private static final int BEFORE = 300;
    private static final int WHILE_HUNGRY = 100;
    private static final int READ_BEFORE = 100;

    @TempDir(factory = ShmTempDirFactory.class)
    Path root;

    @TempDir
    Path dataDirectory;

    @Test
    void clientsReconnectToARestartedDurableServerAndEveryEventIsDeliveredOnce() throws Exception
    {
        final FerryServer.Context serverContext = serverContext(freeEndpoint("127.0.0.1"));
        FerryServer server = FerryServer.launch(serverContext);
        final List<String> producerChanges = new CopyOnWriteArrayList<>();
        final List<String> consumerChanges = new CopyOnWriteArrayList<>();
        try (Ferry producing = connect(server, "producing", producerChanges, Duration.ZERO);
            Ferry consuming = connect(server, "consuming", consumerChanges, Duration.ZERO))
        {
            final Topic topic = producing.createTopic("ha", PARTITIONS);
            final boolean[] seen = new boolean[BEFORE + WHILE_HUNGRY];
            try (Producer producer = topic.producer(new ProducerOptions().name("det"));
                Consumer consumer = consuming.openTopic("ha").consumer(new ConsumerOptions("reader").prefetch(16)))
            {
                final List<CompletableFuture<Long>> ids = new ArrayList<>();
                for (int seq = 0; seq < BEFORE; seq++)
                {
                    ids.add(push(producer, seq));
                }
                CompletableFuture.allOf(ids.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);
                final long[] nextIds = new long[PARTITIONS];
                for (int i = 0; i < READ_BEFORE; i++)
                {
                    take(consumer, seen, nextIds);
                }

                server.close();
                Conditions.await("both clients see the server gone",
                    () -> Health.HUNGRY == producing.health() && Health.HUNGRY == consuming.health());
                assertSame(PushStatus.NOT_CONNECTED,
                    producer.tryPush(Metadata.of("refused"), DataView.EMPTY).status(), "tryPush while hungry");
                for (int seq = BEFORE; seq < BEFORE + WHILE_HUNGRY; seq++)
                {
                    ids.add(push(producer, seq)); // taken into the pending batches, sent once reconnected
                }
                final CompletableFuture<List<TopicDescription>> listed =
                    CompletableFuture.supplyAsync(consuming::listTopics); // waits for the reconnection

                server = FerryServer.launch(serverContext);
                Conditions.await("both clients reconnect",
                    () -> Health.HAPPY == producing.health() && Health.HAPPY == consuming.health());
                CompletableFuture.allOf(ids.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);
                assertEquals("ha", listed.get(30, TimeUnit.SECONDS).get(0).name(), "a request made while hungry");
                for (int i = READ_BEFORE; i < BEFORE + WHILE_HUNGRY; i++)
                {
                    take(consumer, seen, nextIds);
                }
                for (int seq = 0; seq < seen.length; seq++)
                {
                    assertTrue(seen[seq], "event " + seq + " was not delivered");
                }
                final CompletableFuture<Event> extra = consumer.pull();
                assertThrows(java.util.concurrent.TimeoutException.class, () -> extra.get(1, TimeUnit.SECONDS),
                    "nothing beyond the events pushed");
            }
            assertEquals(1, producing.reconnects());
            assertEquals(1, consuming.reconnects());
            for (final List<String> changes : List.of(producerChanges, consumerChanges))
            {
                assertEquals(List.of("CONNECTING -> HAPPY", "HAPPY -> HUNGRY", "HUNGRY -> HAPPY"), names(changes),
                    changes::toString);
            }
        }
        finally
        {
            server.close();
        }
    }

    @Test
    void aClientThatCannotReconnectBeforeItsDeadlineIsLostAndFailsWhatItHeld() throws Exception
    {
        final List<String> changes = new CopyOnWriteArrayList<>();
        final FerryServer server = FerryServer.launch(serverContext(freeEndpoint("127.0.0.1")));
        try (Ferry ferry = connect(server, "giving-up", changes, Duration.ofSeconds(2)))
        {
            final Topic topic = ferry.createTopic("gone", 1);
            try (Producer producer = topic.producer(new ProducerOptions().name("det").pushTimeout(Duration.ofSeconds(1))))
            {
                server.close();
                Conditions.await("the client sees the server gone", () -> Health.HUNGRY == ferry.health());
                final CompletableFuture<Long> pending = push(producer, 0);
                Conditions.await("the client gives up", () -> Health.LOST == ferry.health());
                final ExecutionException failed =
                    assertThrows(ExecutionException.class, () -> pending.get(10, TimeUnit.SECONDS));
                assertInstanceOf(FerryException.class, failed.getCause());
                assertTrue(failed.getCause().getMessage().contains("could not reconnect to the Ferry server at " +
                    server.address() + " within 2000 ms"), failed.getCause().getMessage());
                assertSame(PushStatus.NOT_CONNECTED, producer.tryPush(Metadata.of("late"), DataView.EMPTY).status());
            }
            assertEquals(List.of("CONNECTING -> HAPPY", "HAPPY -> HUNGRY", "HUNGRY -> LOST"), names(changes),
                changes::toString);
            assertEquals(0, ferry.reconnects());
        }
        finally
        {
            server.close();
        }
    }

    @Test
    void aClientWhoseServerCameBackWithoutItsTopicsIsLostWithTheReasonNotWritingIntoOtherTopics() throws Exception
    {
        final List<String> changes = new CopyOnWriteArrayList<>();
        final FerryServer.Context memoryMode =
            new FerryServer.Context().endpoint(freeEndpoint("127.0.0.1")).shmRoot(root).transport("shm");
        FerryServer server = FerryServer.launch(memoryMode);
        try (Ferry ferry = connect(server, "forgotten", changes, Duration.ZERO))
        {
            final Topic topic = ferry.createTopic("alpha", PARTITIONS);
            try (Producer producer = topic.producer(new ProducerOptions().name("det")))
            {
                push(producer, 0).get(30, TimeUnit.SECONDS);
                server.close();
                Conditions.await("the client sees the server gone", () -> Health.HUNGRY == ferry.health());
                final CompletableFuture<Long> pending = push(producer, 1);

                server = FerryServer.launch(memoryMode); // a new server holding nothing of the old one's
                Conditions.await("the client finds its topics gone", () -> Health.LOST == ferry.health());
                final ExecutionException failed =
                    assertThrows(ExecutionException.class, () -> pending.get(10, TimeUnit.SECONDS));
                assertTrue(failed.getCause().getMessage().contains("no longer holds this client's topics"),
                    failed.getCause().getMessage());
            }
            assertEquals(List.of("CONNECTING -> HAPPY", "HAPPY -> HUNGRY", "HUNGRY -> LOST"), names(changes),
                changes::toString);
            try (Ferry other = connect(server, "other", new CopyOnWriteArrayList<>(), Duration.ZERO))
            {
                assertTrue(other.listTopics().isEmpty(), "nothing was stored on the new server");
            }
        }
        finally
        {
            server.close();
        }
    }

    private static CompletableFuture<Long> push(final Producer producer, final int seq)
    {
        final ByteBuffer data = ByteBuffer.allocateDirect(4096);
        data.putInt(0, seq); // big-endian, read back byte by byte
        return producer.push(Metadata.of(Integer.toString(seq)), DataView.of(data), seq % PARTITIONS);
    }

    /**
     * Pull one event; check that it is the next of its partition, that its data matches its metadata,
     * and that it was not seen before.
     */
    private static void take(final Consumer consumer, final boolean[] seen, final long[] nextIds) throws Exception
    {
        final Event event = consumer.pull().get(30, TimeUnit.SECONDS);
        final int seq = Integer.parseInt(event.metadata().asString());
        assertEquals(nextIds[event.partition()]++, event.eventId(), "event ids of partition " + event.partition());
        final DataView data = event.data();
        final int stamped = (data.getByte(0) & 0xFF) << 24 | (data.getByte(1) & 0xFF) << 16 |
            (data.getByte(2) & 0xFF) << 8 | data.getByte(3) & 0xFF;
        assertEquals(seq, stamped, "the data of event " + seq);
        assertTrue(!seen[seq], "event " + seq + " was delivered twice");
        seen[seq] = true;
        event.acknowledge();
    }

    private FerryServer.Context serverContext(final String endpoint)
    {
        return new FerryServer.Context().endpoint(endpoint).shmRoot(root).transport("shm")
            .dataDirectory(dataDirectory).logSegmentBytes(8 << 20);
    }

    private Ferry connect(
        final FerryServer server, final String name, final List<String> changes, final Duration reconnectTimeout)
    {
        return Ferry.connect(new Ferry.Context().server(server.address()).shmRoot(root).name(name).transport("shm")
            .poolMaxBytes(16L << 20).poolSlabBytes(4 << 20).reconnectTimeout(reconnectTimeout)
            .healthListener((previous, current, reason) -> changes.add(previous + " -> " + current + ": " + reason)));
    }

    private static List<String> names(final List<String> changes)
    {
        return changes.stream().map((change) -> change.substring(0, change.indexOf(':'))).toList();
    }
}
