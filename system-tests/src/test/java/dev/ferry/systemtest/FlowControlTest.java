package dev.ferry.systemtest;

import dev.ferry.client.Attachment;
import dev.ferry.client.Consumer;
import dev.ferry.client.ConsumerOptions;
import dev.ferry.client.Ferry;
import dev.ferry.client.Producer;
import dev.ferry.client.ProducerOptions;
import dev.ferry.client.PushResult;
import dev.ferry.client.PushSource;
import dev.ferry.client.PushStatus;
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
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static dev.ferry.systemtest.EventPathInProcessTest.freeEndpoint;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Flow control end to end, over a real server, real Aeron and real shared memory: a server whose
 * partition queue is full pauses producers instead of refusing their batches; {@code tryPush} never
 * blocks and loses nothing it took; push sources are paused and resumed; pull sources are asked for
 * events while there is room.
 */
@Timeout(180)
class FlowControlTest
{
    private static final int SMALL_QUEUE = FerryServer.Context.MIN_QUEUED_BATCH_BYTES;

    @TempDir(factory = ShmTempDirFactory.class)
    Path root;

    @Test
    void producersOfferingMoreThanAPartitionQueuesArePausedNotRefusedAndEveryEventIsStoredOnce() throws Exception
    {
        final int producers = 3;
        final int eventsEach = 3_000;
        try (FerryServer server = launchServer(SMALL_QUEUE))
        {
            final List<Ferry> clients = new ArrayList<>();
            final List<Thread> threads = new ArrayList<>();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            try
            {
                clients.add(connect(server, "creator"));
                clients.get(0).createTopic("flood", 1);
                for (int p = 0; p < producers; p++)
                {
                    final Ferry client = connect(server, "producer-" + p);
                    clients.add(client);
                    final int producerIndex = p;
                    final Thread thread = new Thread(() ->
                    {
                        try
                        {
                            pushAll(client.openTopic("flood"), producerIndex, eventsEach);
                        }
                        catch (final Throwable ex)
                        {
                            failure.compareAndSet(null, ex);
                        }
                    }, "producer-" + p);
                    threads.add(thread);
                    thread.start();
                }
                for (final Thread thread : threads)
                {
                    thread.join(TimeUnit.SECONDS.toMillis(120));
                    assertFalse(thread.isAlive(), thread.getName() + " did not finish");
                }
                if (null != failure.get())
                {
                    throw new AssertionError("a producer failed", failure.get());
                }

                assertTrue(server.pausesForRoom() > 0, "the partition's queue never filled, so nothing was shown");
                final int[] seen = new int[producers];
                try (Consumer consumer = clients.get(0).openTopic("flood").consumer(new ConsumerOptions("checker")))
                {
                    for (long id = 0; id < (long)producers * eventsEach; id++)
                    {
                        final Event event = consumer.pull().get(30, TimeUnit.SECONDS);
                        assertEquals(id, event.eventId());
                        final String[] fields = event.metadata().asString().split(":");
                        final int producer = Integer.parseInt(fields[0]);
                        assertEquals(seen[producer]++, Integer.parseInt(fields[1]), "events of producer " + producer);
                        assertEquals(producer, event.data().getByte(0));
                        event.acknowledge();
                    }
                }
                final int[] expected = new int[producers];
                Arrays.fill(expected, eventsEach);
                assertEquals(Arrays.toString(expected), Arrays.toString(seen), "events stored per producer");
            }
            finally
            {
                for (int i = clients.size() - 1; i >= 0; i--)
                {
                    clients.get(i).close();
                }
            }
        }
    }

    @Test
    void aBatchLargerThanAPartitionQueuesIsRefusedWithAMessageNotLeftWaiting() throws Exception
    {
        try (FerryServer server = launchServer(SMALL_QUEUE); Ferry ferry = connect(server, "large"))
        {
            final Topic topic = ferry.createTopic("large", 1);
            try (Producer producer = topic.producer(new ProducerOptions().batchSize(200)))
            {
                final List<CompletableFuture<Long>> ids = new ArrayList<>();
                final String padding = "x".repeat(1000);
                for (int i = 0; i < 200; i++)
                {
                    ids.add(producer.push(Metadata.of(padding), DataView.EMPTY));
                }
                final ExecutionException refused =
                    assertThrows(ExecutionException.class, () -> ids.get(0).get(30, TimeUnit.SECONDS));
                assertTrue(refused.getCause().getMessage().contains("exceed what a partition queues"),
                    refused.getCause().getMessage());
            }
        }
    }

    @Test
    void aQueueBoundThatIsNotAPowerOfTwoFromTheLeastToTheMostIsRefusedByName()
    {
        for (final int bytes : new int[]{ 100_000, SMALL_QUEUE / 2, 2 * FerryServer.Context.MAX_QUEUED_BATCH_BYTES })
        {
            final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> new FerryServer.Context().maxQueuedBatchBytes(bytes).conclude());
            assertTrue(refused.getMessage().startsWith("max queued batch bytes must be a power of two"),
                refused.getMessage());
        }
    }

    @Test
    void tryPushNeverWaitsAndEveryEventItTookIsStoredInOrder() throws Exception
    {
        final int events = 2_000;
        try (FerryServer server = launchServer(SMALL_QUEUE); Ferry ferry = connect(server, "trying"))
        {
            final Topic topic = ferry.createTopic("tries", 1);
            int backPressured = 0;
            final List<CompletableFuture<Long>> ids = new ArrayList<>();
            try (Producer producer = topic.producer(new ProducerOptions().batchSize(4).maxPendingBatches(1)))
            {
                final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (ids.size() < events)
                {
                    assertTrue(System.nanoTime() - deadlineNs < 0, "only " + ids.size() + " events were taken in time");
                    final PushResult result = producer.tryPush(Metadata.of("try-" + ids.size()), data(ids.size()));
                    if (result.isPushed())
                    {
                        ids.add(result.eventId());
                    }
                    else
                    {
                        assertSame(PushStatus.BACK_PRESSURED, result.status());
                        assertThrows(IllegalStateException.class, result::eventId);
                        backPressured++;
                        producer.flush();
                    }
                }
                producer.flush();
                for (int i = 0; i < events; i++)
                {
                    assertEquals(i, ids.get(i).get(30, TimeUnit.SECONDS), "event ID of the event taken " + i + "th");
                }

                producer.close();
                assertSame(PushStatus.CLOSED, producer.tryPush(Metadata.of("late"), DataView.EMPTY).status());
            }
            assertTrue(backPressured > 0, "tryPush was never refused: with room for 8 events it must have been");
            assertEventsInOrder(topic, "try-", events);
        }
    }

    @Test
    void aPushSourceIsPausedWhenTheProducerIsFullAndResumedWhenItDrains() throws Exception
    {
        final int events = 3_000;
        try (FerryServer server = launchServer(SMALL_QUEUE); Ferry ferry = connect(server, "pushing"))
        {
            final Topic topic = ferry.createTopic("pushed", 1);
            final FlagSource source = new FlagSource();
            final List<CompletableFuture<Long>> ids = new ArrayList<>();
            try (Producer producer = topic.producer(new ProducerOptions().batchSize(8).maxPendingBatches(1));
                Attachment ignored = producer.attach(source))
            {
                final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (ids.size() < events)
                {
                    assertTrue(System.nanoTime() - deadlineNs < 0, "only " + ids.size() + " events were taken in time");
                    if (source.paused)
                    {
                        producer.flush();
                        Thread.onSpinWait();
                        continue;
                    }
                    final PushResult result = producer.tryPush(Metadata.of("push-" + ids.size()), data(ids.size()));
                    if (result.isPushed())
                    {
                        ids.add(result.eventId());
                    }
                }
                producer.flush();
                CompletableFuture.allOf(ids.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);
            }
            assertTrue(source.pauses.get() > 0, "the source was never paused");
            assertTrue(source.resumes.get() > 0, "the source was never resumed");
            assertTrue(source.pauses.get() - source.resumes.get() <= 1, "pauses and resumes alternate: " + source);
            assertFalse(source.outOfTurn, "pause and resume called out of turn");
            assertEventsInOrder(topic, "push-", events);
        }
    }

    @Test
    void aPullSourceIsAskedForEventsWhileThereIsRoomUntilItHasNoMore() throws Exception
    {
        final int events = 3_000;
        try (FerryServer server = launchServer(SMALL_QUEUE); Ferry ferry = connect(server, "pulling"))
        {
            final Topic topic = ferry.createTopic("pulled", 1);
            final AtomicInteger next = new AtomicInteger();
            final AtomicInteger refusedOffers = new AtomicInteger();
            final List<CompletableFuture<Long>> ids = new ArrayList<>();
            try (Producer producer = topic.producer(new ProducerOptions().batchSize(8).maxPendingBatches(1)))
            {
                final Attachment attachment = producer.attach((sink) ->
                {
                    int pushed = 0;
                    while (next.get() < events)
                    {
                        final PushResult result = sink.tryPush(Metadata.of("pull-" + next.get()), data(next.get()));
                        if (!result.isPushed())
                        {
                            refusedOffers.incrementAndGet();
                            sink.flush();
                            break;
                        }
                        synchronized (ids)
                        {
                            ids.add(result.eventId());
                        }
                        next.incrementAndGet();
                        pushed++;
                    }
                    return pushed;
                });
                Conditions.await("the source produced every event", () -> next.get() == events);
                attachment.close();
                assertFalse(attachment.isAttached());
                producer.flush();
                synchronized (ids)
                {
                    CompletableFuture.allOf(ids.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);
                }
            }
            assertTrue(refusedOffers.get() > 0, "the producer never ran out of room, so nothing was shown");
            assertEventsInOrder(topic, "pull-", events);
        }
    }

    @Test
    void aPullSourceThatThrowsIsDetachedWithItsFailureKept() throws Exception
    {
        try (FerryServer server = launchServer(SMALL_QUEUE); Ferry ferry = connect(server, "throwing");
            Producer producer = ferry.createTopic("thrown", 1).producer())
        {
            final IllegalStateException boom = new IllegalStateException("the detector is gone");
            final Attachment attachment = producer.attach((sink) ->
            {
                throw boom;
            });
            Conditions.await("the source is detached", () -> !attachment.isAttached());
            assertSame(boom, attachment.failure());
            attachment.close();
        }
    }

    @Test
    void withoutAConnectionTryPushSaysSoAndPushSourcesArePaused() throws Exception
    {
        final FlagSource source = new FlagSource();
        final FerryServer server = launchServer(SMALL_QUEUE);
        try (Ferry ferry = connect(server, "orphan"); Producer producer = ferry.createTopic("gone", 1).producer();
            Attachment ignored = producer.attach(source))
        {
            assertTrue(producer.tryPush(Metadata.of("before"), DataView.EMPTY).eventId().get(30, TimeUnit.SECONDS) >= 0);
            assertFalse(source.paused);

            server.close();
            Conditions.await("the producer knows the server is gone",
                () -> PushStatus.NOT_CONNECTED == producer.tryPush(Metadata.of("after"), DataView.EMPTY).status());
            assertTrue(source.paused, "a push source runs on while nothing it pushes can be stored");
        }
        finally
        {
            server.close();
        }
    }

    private static void pushAll(final Topic topic, final int producerIndex, final int events) throws Exception
    {
        final List<CompletableFuture<Long>> ids = new ArrayList<>();
        try (Producer producer = topic.producer(new ProducerOptions().batchSize(64).maxPendingBatches(8)))
        {
            final DataView data = DataView.of(ByteBuffer.allocateDirect(64).put(0, (byte)producerIndex));
            final String padding = "p".repeat(200);
            for (int i = 0; i < events; i++)
            {
                ids.add(producer.push(Metadata.of(producerIndex + ":" + i + ":" + padding), data));
            }
            producer.flush();
            CompletableFuture.allOf(ids.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);
        }
    }

    private static DataView data(final int i)
    {
        final byte[] bytes = TestBytes.seeded(i, 100 + i % 50);
        return DataView.of(ByteBuffer.allocateDirect(bytes.length).put(bytes).flip());
    }

    private static void assertEventsInOrder(final Topic topic, final String prefix, final int events) throws Exception
    {
        try (Consumer consumer = topic.consumer(new ConsumerOptions("checker")))
        {
            for (int i = 0; i < events; i++)
            {
                final Event event = consumer.pull().get(30, TimeUnit.SECONDS);
                assertEquals(i, event.eventId());
                assertEquals(prefix + i, event.metadata().asString());
                TestBytes.assertSameBytes(TestBytes.seeded(i, 100 + i % 50), TestBytes.toArray(event.data()),
                    "data of event " + i);
                event.acknowledge();
            }
        }
    }

    private FerryServer launchServer(final int maxQueuedBatchBytes)
    {
        return FerryServer.launch(new FerryServer.Context().endpoint(freeEndpoint("127.0.0.1")).shmRoot(root)
            .transport("shm").maxQueuedBatchBytes(maxQueuedBatchBytes));
    }

    private Ferry connect(final FerryServer server, final String name)
    {
        return Ferry.connect(new Ferry.Context().server(server.address()).shmRoot(root).name(name).transport("shm")
            .poolMaxBytes(64L << 20).poolSlabBytes(4 << 20));
    }

    /**
     * A push source that only records what it is told, and whether the calls alternate.
     */
    private static final class FlagSource implements PushSource
    {
        final AtomicInteger pauses = new AtomicInteger();
        final AtomicInteger resumes = new AtomicInteger();
        volatile boolean paused;
        volatile boolean outOfTurn;

        public void pause()
        {
            outOfTurn |= paused;
            paused = true;
            pauses.incrementAndGet();
        }

        public void resume()
        {
            outOfTurn |= !paused;
            paused = false;
            resumes.incrementAndGet();
        }

        public String toString()
        {
            return "FlagSource{pauses=" + pauses + ", resumes=" + resumes + "}";
        }
    }
}
