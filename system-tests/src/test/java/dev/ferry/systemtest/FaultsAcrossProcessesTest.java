package dev.ferry.systemtest;

import dev.ferry.shm.ShmDirectory;
import dev.ferry.systemtest.FerryProcesses.Result;
import dev.ferry.test.ChildJvm;
import dev.ferry.test.ShmTempDirFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults with real processes, each bounded in time: a server, producers and consumers as their own
 * JVMs over real Aeron and real shared memory, killed the way a crash kills them. (Issue 5's fault
 * tests 1, 2 and 4; the network cut is {@link NetworkCutTest}.)
 */
@Timeout(300)
class FaultsAcrossProcessesTest
{
    private static final int PARTITIONS = 2;
    private static final int EVENTS = 400;
    private static final int READ_BEFORE_KILL = 150;
    private static final int HEAP_MIB = 128;
    /**
     * What a process of the overload test may hold in anonymous memory: its heap, the direct buffers
     * of its bounded queues and the JVM's own, far below the events offered.
     */
    private static final long MEMORY_BOUND_MIB = 256;

    @TempDir(factory = ShmTempDirFactory.class)
    Path root;

    private FerryProcesses ferry;
    private String endpoint;

    @BeforeEach
    void setUp()
    {
        ferry = new FerryProcesses(root);
        endpoint = EventPathInProcessTest.freeEndpoint("127.0.0.1");
    }

    @AfterEach
    void stopChildren()
    {
        ferry.close();
    }

    @Test
    void aDurableServerKilledWithSigkillMidStreamAndRestartedLosesAndRepeatsNothing(@TempDir final Path dataDirectory)
    {
        final int events = 3_000;
        final String[] durable = { "--durable", "--dir", dataDirectory.toString() };
        final ChildJvm server = ferry.startServer(endpoint, durable);
        ferry.expectSuccess("topic", "create", "durable", "--partitions", Integer.toString(PARTITIONS), "--server", endpoint);
        final String[] produce = { "produce", "--server", endpoint, "--topic", "durable", "--events",
            Integer.toString(events), "--size", "16KiB", "--producer-name", "det", "--rate", "250", "--timeout", "120s" };
        final ChildJvm producer = ferry.start("producer", produce);
        final String[] consume = { "consume", "--server", endpoint, "--topic", "durable", "--consumer", "reader",
            "--events", Integer.toString(events), "--verify", "--timeout", "120s" };
        final ChildJvm consumer = ferry.start("consumer", consume);

        final long storedBeforeKill = awaitStored("durable", events / 5);
        assertTrue(storedBeforeKill < events, "the server must die in the middle of the stream: " + storedBeforeKill);
        assertEquals(137, server.kill(), "killed by SIGKILL");
        ferry.startServer(endpoint, durable);

        final Result produced = ferry.finish(producer, produce);
        assertEquals(0, produced.exitCode(), produced.toString());
        assertTrue(produced.stdout().contains(events + " acknowledged"), produced.toString());
        final Result consumed = ferry.finish(consumer, consume);
        assertEquals(0, consumed.exitCode(), consumed.toString());
        assertTrue(consumed.stdout().contains(": 0 bad checksums, 0 duplicates\n"), consumed.toString());
        assertTrue(consumed.stdout().contains("producer 'det': " + events + " events, sequence 0.." + (events - 1) +
            ", none missing\n"), consumed.toString());
        assertEquals(events, stored("durable"), "a batch sent again after the restart was stored a second time");
        for (final Result client : List.of(produced, consumed))
        {
            assertTrue(client.stderr().contains("lost the connection to the Ferry server at " + endpoint + "; reconnecting"),
                "the client must have seen the server go: " + client);
        }
    }

    /**
     * Poll {@code ferry topic list} until the topic holds at least so many events.
     *
     * @return how many it held then.
     */
    private long awaitStored(final String topic, final long atLeast)
    {
        final long deadlineNs = System.nanoTime() + FerryProcesses.RUN_TIMEOUT.toNanos();
        long stored = 0;
        while (System.nanoTime() - deadlineNs < 0)
        {
            stored = stored(topic);
            if (stored >= atLeast)
            {
                return stored;
            }
        }
        throw new AssertionError("topic '" + topic + "' held " + stored + " events, not " + atLeast + ", after " +
            FerryProcesses.RUN_TIMEOUT.toSeconds() + " s");
    }

    private long stored(final String topic)
    {
        for (final String line : ferry.expectSuccess("topic", "list", "--server", endpoint).split("\n"))
        {
            final String[] columns = line.trim().split("\\s+");
            if (columns[0].equals(topic))
            {
                return Long.parseLong(columns[2]);
            }
        }
        throw new AssertionError("topic '" + topic + "' is not listed");
    }

    @Test
    void aConsumerKilledWithSigkillAndRestartedUnderItsNameResumesRightAfterItsLastAcknowledgement()
    {
        ferry.startServer(endpoint);
        ferry.expectSuccess("topic", "create", "crash", "--partitions", Integer.toString(PARTITIONS), "--server", endpoint);
        ferry.expectSuccess("produce", "--server", endpoint, "--topic", "crash", "--events", Integer.toString(EVENTS),
            "--size", "4KiB", "--producer-name", "det");

        final long[] lastAcknowledged = { -1, -1 };
        try (ChildJvm killed = ChildJvm.builder(AcknowledgingConsumer.class)
            .name("killed-consumer")
            .systemProperty(ShmDirectory.DIR_PROP_NAME, root.toString())
            .args(endpoint, "crash", "survivor", Integer.toString(READ_BEFORE_KILL))
            .start())
        {
            for (int i = 0; i < READ_BEFORE_KILL; i++)
            {
                final String[] fields = killed.readLine(FerryProcesses.RUN_TIMEOUT).split(" ");
                final int partition = Integer.parseInt(fields[0]);
                lastAcknowledged[partition] = Math.max(lastAcknowledged[partition], Long.parseLong(fields[1]));
            }
            assertEquals("synced", killed.readLine(FerryProcesses.RUN_TIMEOUT));
            assertEquals(137, killed.kill(), "killed by SIGKILL");
            assertFalse(killed.isAlive());
        }

        // The same name in a new process: every event after the acknowledged ones, none of those again.
        final int perPartition = EVENTS / PARTITIONS;
        final int left = EVENTS - READ_BEFORE_KILL;
        final String resumed = ferry.expectSuccess("consume", "--server", endpoint, "--topic", "crash", "--consumer",
            "survivor", "--events", Integer.toString(left), "--verify", "--timeout", "60s");
        for (int p = 0; p < PARTITIONS; p++)
        {
            final long first = lastAcknowledged[p] + 1;
            assertTrue(resumed.contains("partition " + p + ": event IDs " + first + ".." + (perPartition - 1) + " (" +
                (perPartition - first) + " events)"), "partition " + p + " should resume at " + first + ":\n" + resumed);
        }
        assertTrue(resumed.contains(": 0 bad checksums, 0 duplicates\n"), resumed);

        final Result nothingLeft = ferry.run("consume", "--server", endpoint, "--topic", "crash", "--consumer",
            "survivor", "--events", "1", "--timeout", "3s");
        assertNotEquals(0, nothingLeft.exitCode(), "no event is left for the name: " + nothingLeft);
    }

    @Test
    void producersOfferingTenTimesWhatTheConsumerTakesStayWithinBoundedMemoryAndEveryEventArrives()
    {
        ferry.jvmFlags("-Xmx" + HEAP_MIB + "m");
        final ChildJvm server = ferry.startServer(endpoint, "--max-queued-batch-bytes", "256KiB");
        ferry.expectSuccess("topic", "create", "overload", "--server", endpoint);

        final int producers = 2;
        final int eventsEach = 400;
        final int offeredPerSecond = 400;
        final List<ChildJvm> running = new ArrayList<>();
        for (int p = 0; p < producers; p++)
        {
            running.add(ferry.start("producer-" + p, "produce", "--server", endpoint, "--topic", "overload", "--events",
                Integer.toString(eventsEach), "--size", "256KiB", "--producer-name", "over-" + p, "--rate",
                Integer.toString(offeredPerSecond / producers), "--timeout", "120s"));
        }
        final String[] consume = { "consume", "--server", endpoint, "--topic", "overload", "--consumer", "slow",
            "--events", Integer.toString(producers * eventsEach), "--verify", "--rate",
            Integer.toString(offeredPerSecond / 10), "--timeout", "120s" };
        final ChildJvm consumer = ferry.start("consumer", consume);

        final Result consumed;
        final long[] peaks = new long[producers + 2];
        try (ResidentMemory memory = new ResidentMemory(
            server.pid(), consumer.pid(), running.get(0).pid(), running.get(1).pid()))
        {
            for (int p = 0; p < producers; p++)
            {
                final Result produced = ferry.finish(running.get(p), "produce", "over-" + p);
                assertEquals(0, produced.exitCode(), produced.toString());
            }
            consumed = ferry.finish(consumer, consume);
            peaks[0] = memory.peakMib(server.pid());
            peaks[1] = memory.peakMib(consumer.pid());
            peaks[2] = memory.peakMib(running.get(0).pid());
            peaks[3] = memory.peakMib(running.get(1).pid());
        }
        assertEquals(0, consumed.exitCode(), consumed.toString());
        assertTrue(consumed.stdout().contains(": 0 bad checksums, 0 duplicates\n"), consumed.toString());
        for (int p = 0; p < producers; p++)
        {
            assertTrue(consumed.stdout().contains("producer 'over-" + p + "': " + eventsEach + " events, sequence 0.." +
                (eventsEach - 1) + ", none missing\n"), consumed.toString());
        }
        final String report = "peak anonymous resident memory (MiB): server " + peaks[0] + ", consumer " + peaks[1] +
            ", producers " + peaks[2] + " and " + peaks[3] + "; " + (producers * eventsEach / 4) + " MiB offered";
        System.out.println(report);
        for (final long peak : peaks)
        {
            assertTrue(peak > 0 && peak < MEMORY_BOUND_MIB, report + ", bound " + MEMORY_BOUND_MIB + " MiB each");
        }
    }

    @Test
    void producerProcessesFloodingAPartitionWithASmallQueueArePausedAndEveryEventArrivesOnce()
    {
        ferry.startServer(endpoint, "--max-queued-batch-bytes", "256KiB");
        ferry.expectSuccess("topic", "create", "flood", "--server", endpoint);

        final int producers = 3;
        final int eventsEach = 3_000;
        final List<ChildJvm> running = new ArrayList<>();
        for (int p = 0; p < producers; p++)
        {
            running.add(ferry.start("producer-" + p, "produce", "--server", endpoint, "--topic", "flood", "--events",
                Integer.toString(eventsEach), "--size", "16KiB", "--producer-name", "flood-" + p, "--timeout", "120s"));
        }
        final String[] consume = { "consume", "--server", endpoint, "--topic", "flood", "--consumer", "checker",
            "--events", Integer.toString(producers * eventsEach), "--verify", "--timeout", "120s" };
        final ChildJvm consumer = ferry.start("consumer", consume);

        for (int p = 0; p < producers; p++)
        {
            final Result produced = ferry.finish(running.get(p), "produce", "flood-" + p);
            assertEquals(0, produced.exitCode(), produced.toString());
            assertTrue(produced.stdout().contains(eventsEach + " acknowledged"), produced.toString());
        }
        // Read while the producers pushed, the whole topic from its start: a gap in any producer's
        // sequence would fail the run.
        final Result consumed = ferry.finish(consumer, consume);
        assertEquals(0, consumed.exitCode(), consumed.toString());
        assertTrue(consumed.stdout().contains(": 0 bad checksums, 0 duplicates\n"), consumed.toString());
        for (int p = 0; p < producers; p++)
        {
            assertTrue(consumed.stdout().contains("producer 'flood-" + p + "': " + eventsEach + " events, sequence 0.." +
                (eventsEach - 1) + ", none missing\n"), consumed.toString());
        }
    }
}
