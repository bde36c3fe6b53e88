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
import dev.ferry.test.ShmTempDirFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;

import static dev.ferry.systemtest.EventPathInProcessTest.freeEndpoint;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Consumer#process} and {@link Consumer#iterator}, over a real server, real Aeron and real shared
 * memory: every event once, in order, and each loop ends when told or when no event comes.
 */
@Timeout(120)
class ConsumerLoopTest
{
    private static final int EVENTS = 50;

    @TempDir(factory = ShmTempDirFactory.class)
    Path root;

    @Test
    void processHandlesEventsAsTheyArriveAndTheIteratorTheRestThenBothEndWhenNoneCome() throws Exception
    {
        try (FerryServer server = FerryServer.launch(new FerryServer.Context().endpoint(freeEndpoint("127.0.0.1")).shmRoot(root));
            Ferry ferry = Ferry.connect(new Ferry.Context().server(server.address()).shmRoot(root).name("loops")))
        {
            final Topic topic = ferry.createTopic("loop", 1);
            final List<String> seen = new ArrayList<>();
            try (Consumer consumer = topic.consumer(new ConsumerOptions("loop").prefetch(8)))
            {
                assertEquals(0, consumer.process((event) -> seen.add("early"), 10, Duration.ofMillis(100)),
                    "nothing was pushed: the loop ends after its idle timeout");

                final Thread producing = new Thread(() ->
                {
                    try (Producer producer = topic.producer())
                    {
                        for (int i = 0; i < EVENTS; i++)
                        {
                            producer.push(Metadata.of("event " + i), DataView.EMPTY);
                        }
                    }
                });
                producing.start(); // the loop below waits for events still being pushed

                assertEquals(20, consumer.process((event) ->
                {
                    seen.add(event.metadata().asString());
                    event.acknowledge();
                }, 20, Duration.ofSeconds(30)));

                final Iterator<Event> rest = consumer.iterator(Duration.ofMillis(500));
                while (rest.hasNext())
                {
                    final Event event = rest.next();
                    seen.add(event.metadata().asString());
                    event.acknowledge();
                }
                assertThrows(NoSuchElementException.class, rest::next);
                producing.join(TimeUnit.SECONDS.toMillis(30));
                assertFalse(producing.isAlive());

                consumer.close();
                assertFalse(consumer.iterator(Duration.ofSeconds(30)).hasNext(), "a closed consumer's iteration is over");
                final IllegalStateException closed = assertThrows(IllegalStateException.class,
                    () -> consumer.process((event) -> { }, 1, Duration.ofSeconds(1)));
                assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
            }
            final List<String> expected = new ArrayList<>();
            for (int i = 0; i < EVENTS; i++)
            {
                expected.add("event " + i);
            }
            assertEquals(expected, seen);
        }
    }
}
