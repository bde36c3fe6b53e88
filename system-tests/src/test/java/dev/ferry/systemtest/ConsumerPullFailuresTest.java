package dev.ferry.systemtest;

import dev.ferry.client.Consumer;
import dev.ferry.client.ConsumerOptions;
import dev.ferry.client.Ferry;
import dev.ferry.client.Producer;
import dev.ferry.client.Topic;
import dev.ferry.event.DataView;
import dev.ferry.event.Event;
import dev.ferry.event.Metadata;
import dev.ferry.server.FerryServer;
import dev.ferry.test.Conditions;
import dev.ferry.test.ShmTempDirFactory;
import dev.ferry.test.TestBytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static dev.ferry.systemtest.EventPathInProcessTest.freeEndpoint;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A consumer whose pulls of event data fail, as pulls over a link that went down do: over a real server
 * and real shared memory, with the client's transport failing chosen ranges ({@link FaultyShmProvider}).
 * Failures that stop before the client's attempts run out cost nothing; one that does not stop reaches
 * the application in that event's place, even when it happens before the application asks.
 */
@Timeout(120)
class ConsumerPullFailuresTest
{
    private static final int EVENTS = 40;

    @TempDir(factory = ShmTempDirFactory.class)
    Path root;

    @Test
    void pullsThatFailAFewTimesAreTriedAgainAndEveryEventArrivesInOrderWithItsBytes() throws Exception
    {
        final int failedBefore = FaultyShmProvider.failedPulls();
        try (FerryServer server = launchServer();
            AutoCloseable armed = FaultyShmProvider.arm((k) -> k % 3 == 0 ? 2 : 0);
            Ferry ferry = connect(server))
        {
            final Topic topic = produce(ferry);
            try (Consumer consumer = topic.consumer(new ConsumerOptions("checker")))
            {
                for (int i = 0; i < EVENTS; i++)
                {
                    assertEvent(i, consumer.pull().get(30, TimeUnit.SECONDS));
                }
            }
        }
        assertEquals(2 * ((EVENTS + 2) / 3), FaultyShmProvider.failedPulls() - failedBefore, "failures injected");
    }

    @Test
    void aPullThatKeepsFailingIsTheOutcomeOfTheNextPullInItsEventsPlaceEvenIfNobodyWasWaiting() throws Exception
    {
        final int broken = 5;
        final int failedBefore = FaultyShmProvider.failedPulls();
        try (FerryServer server = launchServer();
            AutoCloseable armed = FaultyShmProvider.arm((k) -> k == broken ? Integer.MAX_VALUE : 0);
            Ferry ferry = connect(server))
        {
            final Topic topic = produce(ferry);
            try (Consumer consumer = topic.consumer(new ConsumerOptions("checker")))
            {
                for (int i = 0; i < broken; i++)
                {
                    assertEvent(i, consumer.pull().get(30, TimeUnit.SECONDS));
                }
                // Every attempt at the broken event fails while no pull() waits for it.
                Conditions.await("four failed attempts", () -> FaultyShmProvider.failedPulls() - failedBefore >= 4);

                final ExecutionException failure =
                    assertThrows(ExecutionException.class, () -> consumer.pull().get(30, TimeUnit.SECONDS));
                final String message = failure.getCause().getMessage();
                assertTrue(message.startsWith("could not read event " + broken + " of partition 0 in 4 attempts: "),
                    message);
                assertTrue(message.contains("injected failure"), message);

                for (int i = broken + 1; i < EVENTS; i++)
                {
                    assertEvent(i, consumer.pull().get(30, TimeUnit.SECONDS));
                }
            }
        }
        assertEquals(4, FaultyShmProvider.failedPulls() - failedBefore, "attempts at the broken event");
    }

    private FerryServer launchServer()
    {
        return FerryServer.launch(
            new FerryServer.Context().endpoint(freeEndpoint("127.0.0.1")).shmRoot(root).transport("shm"));
    }

    private Ferry connect(final FerryServer server)
    {
        return Ferry.connect(new Ferry.Context().server(server.address()).shmRoot(root).name("faulty")
            .transport(FaultyShmProvider.NAME).poolMaxBytes(64L << 20).poolSlabBytes(4 << 20));
    }

    private static Topic produce(final Ferry ferry) throws Exception
    {
        final Topic topic = ferry.createTopic("frames", 1);
        final List<CompletableFuture<Long>> acks = new ArrayList<>();
        try (Producer producer = topic.producer())
        {
            for (int i = 0; i < EVENTS; i++)
            {
                final byte[] bytes = TestBytes.seeded(i, 1000 + i * 37);
                acks.add(producer.push(
                    Metadata.of("{\"i\":" + i + "}"), DataView.of(ByteBuffer.allocateDirect(bytes.length).put(bytes).flip())));
            }
            producer.flush();
            for (final CompletableFuture<Long> ack : acks)
            {
                ack.get(30, TimeUnit.SECONDS);
            }
        }
        return topic;
    }

    private static void assertEvent(final int i, final Event event)
    {
        assertEquals(i, event.eventId(), "events in order");
        assertEquals("{\"i\":" + i + "}", event.metadata().asString());
        TestBytes.assertSameBytes(TestBytes.seeded(i, 1000 + i * 37), TestBytes.toArray(event.data()), "data of event " + i);
        event.acknowledge();
    }

}
