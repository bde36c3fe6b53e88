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
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

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
