package dev.ferry.systemtest;

import dev.ferry.client.Consumer;
import dev.ferry.client.ConsumerOptions;
import dev.ferry.client.Ferry;
import dev.ferry.event.Event;
import dev.ferry.shm.ShmDirectory;
import dev.ferry.test.ChildJvm;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The consumer {@link FaultsAcrossProcessesTest} kills, run in a child JVM with {@code -Dferry.dir}.
 * <p>
 * Arguments: the server's address, a topic, a consumer name and a count. Reads that many events
 * under the name, printing {@code <partition> <event ID>} for each and acknowledging it; then makes
 * one round trip to the server ({@code listTopics}), which the server answers only after handling
 * everything sent before it on the same stream, so every acknowledgement has been applied; prints
 * {@code synced} and waits to be killed, consumer and client left open.
 */
public final class AcknowledgingConsumer
{
    private static final Duration LIFETIME = Duration.ofMinutes(3);

    private AcknowledgingConsumer()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        ChildJvm.exitAfter(LIFETIME);
        final PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        final Ferry ferry = Ferry.connect(new Ferry.Context()
            .server(args[0]).shmRoot(ShmDirectory.defaultRoot()).name("to-be-killed"));
        final Consumer consumer = ferry.openTopic(args[1]).consumer(new ConsumerOptions(args[2]));
        final int count = Integer.parseInt(args[3]);
        for (int i = 0; i < count; i++)
        {
            final Event event = consumer.pull().get(60, TimeUnit.SECONDS);
            event.acknowledge();
            out.println(event.partition() + " " + event.eventId());
        }
        ferry.listTopics();
        out.println("synced");
        Thread.sleep(LIFETIME.toMillis()); // until killed; the watchdog halts it if nobody does
    }
}
