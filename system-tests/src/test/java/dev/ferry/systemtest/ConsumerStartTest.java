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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.ferry.systemtest.EventPathInProcessTest.freeEndpoint;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeking to an event ID ({@link ConsumerOptions#startAt}), over a real server, real Aeron and real
 * shared memory: a consumer reads from the event it names, backwards past its own acknowledgements or
 * forwards, and a start the partition cannot serve fails naming what it holds.
 */
@Timeout(120)
class ConsumerStartTest
{
    private static final int EVENTS = 20;

    @TempDir(factory = ShmTempDirFactory.class)
    Path root;

    @Test
    void aConsumerReadsFromTheEventItNamesInAnyPartitionItReads() throws Exception
    {
        try (FerryServer server = FerryServer.launch(new FerryServer.Context().endpoint(freeEndpoint("127.0.0.1")).shmRoot(root));
            Ferry ferry = Ferry.connect(new Ferry.Context().server(server.address()).shmRoot(root).name("seeking")))
        {
            final Topic topic = ferry.createTopic("replay", 2);
            try (Producer producer = topic.producer())
            {
                for (int i = 0; i < EVENTS; i++)
                {
                    producer.push(Metadata.of("p0 #" + i), DataView.EMPTY, 0).get(30, TimeUnit.SECONDS);
                    producer.push(Metadata.of("p1 #" + i), DataView.EMPTY, 1).get(30, TimeUnit.SECONDS);
                }
            }

            assertEquals(range("p0", 0, EVENTS), read(topic, new ConsumerOptions("reader").partitions(0)));
            assertEquals(range("p0", 5, EVENTS), read(topic, new ConsumerOptions("reader").partitions(0).startAt(0, 5)),
                "back before the name's acknowledgements");
            assertEquals(List.of(), read(topic, new ConsumerOptions("reader").partitions(0)),
                "reading again never moved the name's cursor back");

            final List<String> both = read(topic, new ConsumerOptions("skipper").startAt(1, 15));
            assertEquals(EVENTS + 5, both.size(), both::toString);
            assertTrue(both.containsAll(range("p0", 0, EVENTS)) && both.containsAll(range("p1", 15, EVENTS)), both::toString);

            final FerryException beyond = assertThrows(FerryException.class,
                () -> topic.consumer(new ConsumerOptions("late").startAt(0, EVENTS + 1)));
            assertTrue(beyond.getMessage().contains("from event 21, but it holds events 0 to 19"), beyond.getMessage());
            final IllegalArgumentException notRead = assertThrows(IllegalArgumentException.class,
                () -> topic.consumer(new ConsumerOptions("odd").partitions(0).startAt(1, 0)));
            assertTrue(notRead.getMessage().contains("given a start in partition 1 (startAt) but reads partitions [0]"),
                notRead.getMessage());
            assertThrows(IllegalArgumentException.class, () -> new ConsumerOptions("negative").startAt(0, -2));
        }
    }

    private static List<String> read(final Topic topic, final ConsumerOptions options)
    {
        final List<String> seen = new ArrayList<>();
        try (Consumer consumer = topic.consumer(options))
        {
            consumer.process((event) ->
            {
                seen.add(event.metadata().asString());
                event.acknowledge();
            }, Long.MAX_VALUE, Duration.ofMillis(500));
        }
        return seen;
    }

    private static List<String> range(final String partition, final int from, final int to)
    {
        final List<String> events = new ArrayList<>();
        for (int i = from; i < to; i++)
        {
            events.add(partition + " #" + i);
        }
        return events;
    }
}
