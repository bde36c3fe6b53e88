package dev.ferry.systemtest;

import dev.ferry.cli.FerryCommand;
import dev.ferry.test.ChildJvm;
import dev.ferry.test.ShmTempDirFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The event path across real processes: a server, producers and consumers, each its own JVM running
 * the {@code ferry} command, over real Aeron (UDP on loopback) and real shared memory. Every event is
 * checked by the consumer: its data's CRC-32C against the one its producer put in its metadata, and
 * that no (producer, sequence) arrives twice.
 */
@Timeout(900)
class EventPathAcrossProcessesTest
{
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(4);

    @TempDir(factory = ShmTempDirFactory.class)
    Path root;

    private final List<ChildJvm> children = new ArrayList<>();
    private String endpoint;

    @AfterEach
    void stopChildren()
    {
        children.forEach(ChildJvm::close);
    }

    @Test
    void aHundredThousandMetadataOnlyEventsArriveExactlyOnce()
    {
        startServer();
        expectSuccess("topic", "create", "small", "--partitions", "2", "--server", endpoint);

        final String produced = expectSuccess(
            "produce", "--server", endpoint, "--topic", "small", "--events", "100000", "--size", "0");
        assertTrue(produced.contains("100000"), produced);

        final String consumed = expectSuccess(
            "consume", "--server", endpoint, "--topic", "small", "--consumer", "checker", "--events", "100000",
            "--verify", "--timeout", "120s");
        assertTrue(consumed.contains("100000"), consumed);
    }

    @Test
    void aThousandEventsOf4MiBArriveExactlyOnceWithEveryByteChecked()
    {
        startServer();
        expectSuccess("topic", "create", "images", "--partitions", "2", "--server", endpoint);
        expectSuccess("produce", "--server", endpoint, "--topic", "images", "--events", "1000", "--size", "4MiB");

        final String consumed = expectSuccess(
            "consume", "--server", endpoint, "--topic", "images", "--consumer", "checker", "--events", "1000",
            "--verify", "--timeout", "120s");
        assertTrue(consumed.contains("1000"), consumed);
    }

    @Test
    void aNewNameReadsFromTheFirstEventAndTheSameNameResumesAfterItsLastAcknowledgement()
    {
        startServer();
        expectSuccess("topic", "create", "frames", "--partitions", "2", "--server", endpoint);
        expectSuccess("produce", "--server", endpoint, "--topic", "frames", "--events", "1000", "--size", "1KiB");

        expectSuccess(consume("frames", "alice", 600));
        expectSuccess(consume("frames", "alice", 400));
        // alice has acknowledged all 1000 across two runs, each free of duplicates: none is left for her,
        // so no event of the first run came again in the second and none was skipped
        final Result nothingLeft = run(consumeArgs("frames", "alice", 1, "3s"));
        assertNotEquals(0, nothingLeft.exitCode, nothingLeft.toString());

        expectSuccess(consume("frames", "bob", 1000));
    }

    @Test
    void anUnknownTopicAnUnreachableServerAndAnOversizedEventEachFailClearlyAndLoseNothing() throws Exception
    {
        startServer();
        expectSuccess("topic", "create", "kept", "--partitions", "1", "--server", endpoint);

        final Result unknownTopic = run(consumeArgs("nope", "carol", 1, "10s"));
        assertNotEquals(0, unknownTopic.exitCode, unknownTopic.toString());
        assertTrue(unknownTopic.all().contains("'nope'"), unknownTopic.toString());

        final String nowhere = EventPathInProcessTest.freeLoopbackEndpoint();
        final long start = System.nanoTime();
        final Result unreachable = run(
            "produce", "--server", nowhere, "--topic", "kept", "--events", "1", "--size", "0", "--timeout", "2s");
        assertNotEquals(0, unreachable.exitCode, unreachable.toString());
        assertTrue(unreachable.all().contains(nowhere), unreachable.toString());
        assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(60)) < 0,
            "an unreachable server must be reported within the timeout, not hang");

        expectSuccess("produce", "--server", endpoint, "--topic", "kept", "--events", "10", "--size", "1KiB");
        final Result oversized = run(
            "produce", "--server", endpoint, "--topic", "kept", "--events", "1", "--size", "64MiB", "--timeout", "30s");
        assertNotEquals(0, oversized.exitCode, oversized.toString());
        assertTrue(oversized.all().contains("exceeds"), oversized.toString());

        expectSuccess(consume("kept", "dave", 10));
    }

    private String[] consume(final String topic, final String consumer, final int events)
    {
        return consumeArgs(topic, consumer, events, "120s");
    }

    private String[] consumeArgs(final String topic, final String consumer, final int events, final String timeout)
    {
        return new String[]{
            "consume", "--server", endpoint, "--topic", topic, "--consumer", consumer,
            "--events", Integer.toString(events), "--verify", "--timeout", timeout };
    }

    private void startServer()
    {
        try
        {
            endpoint = EventPathInProcessTest.freeLoopbackEndpoint();
        }
        catch (final Exception ex)
        {
            throw new AssertionError("no free port on loopback", ex);
        }
        final ChildJvm server = start("server", "server", "--endpoint", endpoint);
        final String line = server.readLine(Duration.ofSeconds(60));
        assertTrue(line.contains(endpoint), "the server's first line should say where it listens: " + line);
    }

    private String expectSuccess(final String... args)
    {
        final Result result = run(args);
        assertEquals(0, result.exitCode, result.toString());
        return result.stdout;
    }

    private Result run(final String... args)
    {
        final ChildJvm child = start(args[0], args);
        final String stdout = child.remainingOutput(RUN_TIMEOUT);
        final int exitCode = child.waitForExit(Duration.ofSeconds(30));
        return new Result(String.join(" ", args), exitCode, stdout, child.stderr());
    }

    private ChildJvm start(final String name, final String... args)
    {
        final ChildJvm child = ChildJvm.builder(FerryCommand.class)
            .name(name)
            .systemProperty("ferry.dir", root.toString())
            .args(args)
            .start();
        children.add(child);
        return child;
    }

    private record Result(String command, int exitCode, String stdout, String stderr)
    {
        String all()
        {
            return stdout + stderr;
        }

        public String toString()
        {
            return "ferry " + command + " exited " + exitCode + "\n--- stdout ---\n" + stdout + "--- stderr ---\n" + stderr;
        }
    }
}
