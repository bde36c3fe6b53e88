package dev.ferry.systemtest;

import dev.ferry.cli.FerryCommand;
import dev.ferry.shm.ShmDirectory;
import dev.ferry.test.ChildJvm;
import dev.ferry.test.ShmTempDirFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static dev.ferry.systemtest.NetworkCutClients.CONSUME;
import static dev.ferry.systemtest.NetworkCutClients.DONE;
import static dev.ferry.systemtest.NetworkCutClients.FAILED;
import static dev.ferry.systemtest.NetworkCutClients.HEALTH;
import static dev.ferry.systemtest.NetworkCutClients.PRODUCE;
import static dev.ferry.systemtest.NetworkCutClients.RECONNECTS;
import static dev.ferry.systemtest.NetworkCutClients.TOPIC_CREATED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 5's fault test 3, a network cut: the server in one network namespace, a producer and a
 * consumer process in another, joined by a veth link that is taken down in the middle of the stream
 * for longer than Aeron's image liveness timeout, then brought up again. Both clients must notice
 * ({@code HAPPY -> HUNGRY}), reconnect by themselves ({@code HUNGRY -> HAPPY}), and the stream must
 * end with every event acknowledged to the producer and taken by the consumer exactly once.
 * <p>
 * Every process gets a 3 s image liveness timeout (Aeron's default is 10 s) to keep the test short.
 * Shared memory is not cut, as it is the same in every network namespace: only the control plane
 * (Aeron over UDP) crosses the link. Skipped, saying why, where network namespaces cannot be made
 * (not root, no {@code ip} command, a container that forbids them).
 */
@Timeout(120)
class NetworkCutTest
{
    private static final int PARTITIONS = 2;
    private static final int EVENTS = 2_000;
    private static final int EVENT_BYTES = 4096;
    private static final int RATE = 200;
    private static final int PORT = 7420;
    private static final String TOPIC = "cut";

    /**
     * Aeron's image liveness timeout in every process: how long a peer that went silent takes to be
     * taken for gone, which is how a client notices the cut.
     */
    private static final Duration IMAGE_LIVENESS_TIMEOUT = Duration.ofSeconds(3);

    /**
     * How long the link stays down: twice the liveness timeout, so both clients notice the cut and
     * then try to reconnect while it lasts.
     */
    private static final Duration CUT = IMAGE_LIVENESS_TIMEOUT.multipliedBy(2);

    /**
     * The clients' give-up deadline: far longer than a reconnection takes once the link is back, short
     * enough that a client that cannot reconnect is lost, and fails the test, well within its time limit.
     */
    private static final Duration RECONNECT_TIMEOUT = Duration.ofSeconds(30);

    /**
     * Events the consumer has taken when the link goes down: the stream is well under way, and the
     * producer (at {@value #RATE} events per second) has several seconds of pushing left.
     */
    private static final int TAKEN_BEFORE_CUT = 300;

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(10);

    @TempDir(factory = ShmTempDirFactory.class)
    Path root;

    private NetworkNamespacePair network;
    private final List<ChildJvm> children = new ArrayList<>();

    @BeforeEach
    void makeNetwork()
    {
        try
        {
            network = NetworkNamespacePair.create();
        }
        catch (final NetworkNamespacePair.Unavailable ex)
        {
            final String reason = "NetworkCutTest skipped: cannot make network namespaces here: " + ex.getMessage();
            System.out.println(reason);
            Assumptions.abort(reason);
        }
    }

    @AfterEach
    void removeNetwork()
    {
        try
        {
            for (final ChildJvm child : children)
            {
                child.close();
            }
        }
        finally
        {
            if (null != network)
            {
                network.close();
            }
        }
    }

    @Test
    void clientsCutOffFromTheirServerReconnectWhenTheLinkIsBackAndEveryEventArrivesOnce() throws Exception
    {
        final String endpoint = network.serverAddress() + ":" + PORT;
        final List<String> producerLines = new ArrayList<>();
        final List<String> consumerLines = new ArrayList<>();
        try
        {
            final ChildJvm server = start("server", network.serverNamespace(), FerryCommand.class,
                "server", "--endpoint", endpoint);
            final String listening = server.readLine(START_TIMEOUT);
            assertTrue(listening.contains(endpoint),
                "the server's first line should say where it listens: " + listening);

            final ChildJvm producer = start("producer", network.clientNamespace(), NetworkCutClients.class,
                clientArgs(PRODUCE, Integer.toString(RATE), Integer.toString(EVENT_BYTES)));
            awaitLine(producer, producerLines, TOPIC_CREATED::equals, deadline(START_TIMEOUT), "saying so");
            final ChildJvm consumer =
                start("consumer", network.clientNamespace(), NetworkCutClients.class, clientArgs(CONSUME));
            awaitLine(consumer, consumerLines, ("taken " + TAKEN_BEFORE_CUT)::equals, deadline(RUN_TIMEOUT),
                "saying it has taken " + TAKEN_BEFORE_CUT + " events");
            assertTrue(producer.isAlive(), "the producer should still be pushing when the link goes down");

            network.cut();
            final long cutNs = System.nanoTime();
            final long cutEndNs = cutNs + CUT.toNanos();
            final Predicate<String> hungry = (line) -> line.startsWith(HEALTH + "HAPPY -> HUNGRY");
            awaitLine(producer, producerLines, hungry, cutEndNs, "saying it noticed the cut while the link was down");
            awaitLine(consumer, consumerLines, hungry, cutEndNs, "saying it noticed the cut while the link was down");
            for (long leftNs = cutEndNs - System.nanoTime(); leftNs > 0; leftNs = cutEndNs - System.nanoTime())
            {
                TimeUnit.NANOSECONDS.sleep(leftNs);
            }
            network.restore();
            System.out.println("NetworkCutTest: the link was down for " +
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cutNs) + " ms");

            producerLines.addAll(finish(producer));
            consumerLines.addAll(finish(consumer));
            printHealthChanges("producer", producerLines);
            printHealthChanges("consumer", consumerLines);

            final int perPartition = EVENTS / PARTITIONS;
            assertTrue(producerLines.contains(DONE + EVENTS + " acknowledged, partition 0 event IDs 0.." +
                (perPartition - 1) + ", partition 1 event IDs 0.." + (perPartition - 1)), producerLines::toString);
            assertTrue(consumerLines.contains(DONE + "taken " + EVENTS + ", 0 duplicates, none missing"),
                consumerLines::toString);
            for (final List<String> lines : List.of(producerLines, consumerLines))
            {
                // Lost at the end only because the client was closed, once all was done.
                assertEquals(List.of("CONNECTING -> HAPPY", "HAPPY -> HUNGRY", "HUNGRY -> HAPPY", "HAPPY -> LOST"),
                    healthChanges(lines), lines::toString);
                assertTrue(lines.get(lines.size() - 1).endsWith("' was closed"), lines::toString);
                assertTrue(lines.contains(RECONNECTS + 1), lines::toString);
            }
            assertTrue(server.isAlive(), "the server should have run throughout");
        }
        catch (final Throwable ex)
        {
            for (final ChildJvm child : children)
            {
                child.attachStderrTo(ex);
            }
            throw ex;
        }
    }

    private String[] clientArgs(final String mode, final String... more)
    {
        final List<String> args = new ArrayList<>(List.of(mode, network.serverAddress() + ":" + PORT,
            network.clientAddress(), TOPIC, Integer.toString(PARTITIONS), Integer.toString(EVENTS),
            Long.toString(RECONNECT_TIMEOUT.toMillis())));
        args.addAll(List.of(more));
        return args.toArray(new String[0]);
    }

    private ChildJvm start(final String name, final String namespace, final Class<?> mainClass, final String... args)
    {
        final ChildJvm child = ChildJvm.builder(mainClass)
            .name(name)
            .launcher(network.launcherIn(namespace))
            .systemProperty(ShmDirectory.DIR_PROP_NAME, root.toString())
            .systemProperty("aeron.image.liveness.timeout", Long.toString(IMAGE_LIVENESS_TIMEOUT.toNanos()))
            .args(args)
            .start();
        children.add(child);
        return child;
    }

    /**
     * Read a child's lines into {@code lines} until one is wanted.
     *
     * @throws AssertionError if the child reports a failure, ends, or prints no wanted line by the deadline.
     */
    private static void awaitLine(
        final ChildJvm child,
        final List<String> lines,
        final Predicate<String> wanted,
        final long deadlineNs,
        final String what)
    {
        while (true)
        {
            final long leftNs = deadlineNs - System.nanoTime();
            if (leftNs <= 0)
            {
                throw child.failure("printed no line " + what + " in time; it printed:\n" + String.join("\n", lines));
            }
            final String line;
            try
            {
                line = child.readLine(Duration.ofNanos(leftNs));
            }
            catch (final AssertionError ex)
            {
                throw new AssertionError(
                    "while waiting for a line " + what + " after:\n" + String.join("\n", lines), ex);
            }
            lines.add(line);
            if (line.startsWith(FAILED))
            {
                throw child.failure("reported " + line + "; it printed:\n" + String.join("\n", lines));
            }
            if (wanted.test(line))
            {
                return;
            }
        }
    }

    /**
     * @return the rest of a client's lines, once it has exited with status 0.
     */
    private static List<String> finish(final ChildJvm child)
    {
        final List<String> lines = List.of(child.remainingOutput(RUN_TIMEOUT).split("\n"));
        final int status = child.waitForExit(EXIT_TIMEOUT);
        if (0 != status)
        {
            throw child.failure(
                "exited with status " + status + "; the end of its output:\n" + String.join("\n", lines));
        }
        return lines;
    }

    /**
     * @return each health change a client printed, without its reason: {@code "HAPPY -> HUNGRY"}.
     */
    private static List<String> healthChanges(final List<String> lines)
    {
        return lines.stream()
            .filter((line) -> line.startsWith(HEALTH))
            .map((line) -> line.substring(HEALTH.length(), line.indexOf(':')))
            .toList();
    }

    private static void printHealthChanges(final String name, final List<String> lines)
    {
        lines.stream()
            .filter((line) -> line.startsWith(HEALTH))
            .forEach((line) -> System.out.println(name + ": " + line));
    }

    private static long deadline(final Duration timeout)
    {
        return System.nanoTime() + timeout.toNanos();
    }
}
