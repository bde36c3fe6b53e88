package dev.ferry.systemtest;

import dev.ferry.systemtest.FerryProcesses.Result;
import dev.ferry.test.ShmTempDirFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

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
    @TempDir(factory = ShmTempDirFactory.class)
    Path root;

    private FerryProcesses ferry;
    private String endpoint;

    @BeforeEach
    void setUp()
    {
        ferry = new FerryProcesses(root);
    }

    @AfterEach
    void stopChildren()
    {
        ferry.close();
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
        assertNotEquals(0, nothingLeft.exitCode(), nothingLeft.toString());

        expectSuccess(consume("frames", "bob", 1000));
    }

    @Test
    void anUnknownTopicAnUnreachableServerAndAnOversizedEventEachFailClearlyAndLoseNothing() throws Exception
    {
        startServer();
        expectSuccess("topic", "create", "kept", "--partitions", "1", "--server", endpoint);

        final Result unknownTopic = run(consumeArgs("nope", "carol", 1, "10s"));
        assertNotEquals(0, unknownTopic.exitCode(), unknownTopic.toString());
        assertTrue(unknownTopic.all().contains("'nope'"), unknownTopic.toString());

        final String nowhere = EventPathInProcessTest.freeEndpoint("127.0.0.1");
        final long start = System.nanoTime();
        final Result unreachable = run(
            "produce", "--server", nowhere, "--topic", "kept", "--events", "1", "--size", "0", "--timeout", "2s");
        assertNotEquals(0, unreachable.exitCode(), unreachable.toString());
        assertTrue(unreachable.all().contains(nowhere), unreachable.toString());
        assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(60)) < 0,
            "an unreachable server must be reported within the timeout, not hang");

        expectSuccess("produce", "--server", endpoint, "--topic", "kept", "--events", "10", "--size", "1KiB");
        final Result oversized = run(
            "produce", "--server", endpoint, "--topic", "kept", "--events", "1", "--size", "64MiB", "--timeout", "30s");
        assertNotEquals(0, oversized.exitCode(), oversized.toString());
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
        endpoint = EventPathInProcessTest.freeEndpoint("127.0.0.1");
        ferry.startServer(endpoint);
    }

    private String expectSuccess(final String... args)
    {
        return ferry.expectSuccess(args);
    }

    private Result run(final String... args)
    {
        return ferry.run(args);
    }
}
