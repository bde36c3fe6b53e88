package dev.ferry.cli;

import dev.ferry.server.FerryServer;
import dev.ferry.test.ShmTempDirFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ferry topic}, {@code produce} and {@code consume} against a server running in the test.
 */
@Timeout(120)
class ProduceConsumeCommandTest
{
    @TempDir(factory = ShmTempDirFactory.class)
    Path root;

    private String endpoint;
    private FerryServer server;

    @BeforeEach
    void launchServer()
    {
        server = FerryServer.launch(new FerryServer.Context().endpoint("127.0.0.1:0").shmRoot(root));
        endpoint = server.address();
    }

    @AfterEach
    void closeServer()
    {
        server.close();
    }

    @Test
    void consumersOfEachNameReadEveryEventProducedOnceAndIntact()
    {
        final CommandRun create = ferry("topic", "create", "frames", "--partitions", "2");
        assertEquals(0, create.exitCode, create::toString);
        assertEquals("created topic 'frames' with 2 partitions on " + endpoint + "\n", create.out, create::toString);

        final CommandRun produce = ferry(
            "produce", "--topic", "frames", "--events", "100", "--size", "64KiB", "--producer-name", "cam-1");
        assertEquals(0, produce.exitCode, produce::toString);
        assertTrue(produce.out.startsWith(
            "produced 100 events of 64 KiB to topic 'frames' on " + endpoint + " as producer 'cam-1': " +
            "100 acknowledged in "), produce::toString);
        assertTrue(produce.out.contains("partition 0: event IDs 0..49 (50 events)\n"), produce::toString);
        assertTrue(produce.out.contains("partition 1: event IDs 0..49 (50 events)\n"), produce::toString);

        final CommandRun list = ferry("topic", "list");
        assertEquals(0, list.exitCode, list::toString);
        assertEquals(
            List.of("NAME    PARTITIONS        EVENTS", "frames           2           100"),
            List.of(list.out.split("\n")),
            list::toString);

        for (final String consumer : List.of("first", "second"))
        {
            final CommandRun consume = ferry(
                "consume", "--topic", "frames", "--consumer", consumer, "--events", "100", "--verify");
            assertEquals(0, consume.exitCode, consume::toString);
            assertTrue(consume.out.startsWith(
                "consumed 100 events (6.3 MiB) from topic 'frames' on " + endpoint + " as consumer '" + consumer +
                "' in "), consume::toString);
            assertTrue(consume.out.contains(": 0 bad checksums, 0 duplicates\n"), consume::toString);
            assertTrue(consume.out.contains("partition 0: event IDs 0..49 (50 events)\n"), consume::toString);
            assertTrue(consume.out.contains("partition 1: event IDs 0..49 (50 events)\n"), consume::toString);
            assertTrue(consume.out.contains("producer 'cam-1': 100 events, sequence 0..99, none missing\n"),
                consume::toString);
            assertEquals("", consume.err, consume::toString);
        }
    }

    @Test
    void aTopicsSchemaRefusesEventsNamingTheFieldAndItsKeyIsShown() throws IOException
    {
        final Path schema = root.resolve("small-events.json");
        Files.writeString(schema, "{\"type\":\"object\",\"required\":[\"producer\"]," +
            "\"properties\":{\"size\":{\"type\":\"integer\",\"maximum\":1000}}}");
        final CommandRun create = ferry("topic", "create", "small", "--partitions", "2", "--schema", schema.toString(),
            "--key", "producer");
        assertEquals(0, create.exitCode, create::toString);
        assertEquals("created topic 'small' with 2 partitions on " + endpoint + "\n" +
            "validator JSON schema, partitions by key 'producer'\n", create.out, create::toString);

        final CommandRun describe = ferry("topic", "describe", "small");
        assertEquals(0, describe.exitCode, describe::toString);
        assertEquals(List.of("topic 'small' on " + endpoint + ": 2 partitions",
                "validator: JSON schema {\"type\":\"object\",\"required\":[\"producer\"],\"properties\":" +
                    "{\"size\":{\"type\":\"integer\",\"maximum\":1000}}}",
                "partition selector: by key 'producer'"),
            List.of(describe.out.split("\n")), describe::toString);

        final CommandRun tooBig = ferry("produce", "--topic", "small", "--events", "3", "--size", "4KiB");
        assertEquals(1, tooBig.exitCode, tooBig::toString);
        assertTrue(tooBig.err.contains("/size: must have a maximum value of 1000"), tooBig::toString);

        final CommandRun fits = ferry("produce", "--topic", "small", "--events", "3", "--size", "1000");
        assertEquals(0, fits.exitCode, fits::toString);
        final CommandRun list = ferry("topic", "list");
        assertTrue(list.out.contains("small           2             3"), list::toString);

        final CommandRun badSchema = ferry("topic", "create", "bad", "--schema", root.resolve("missing.json").toString());
        assertEquals(2, badSchema.exitCode, badSchema::toString);
        assertTrue(badSchema.err.contains("cannot read it"), badSchema::toString);
        final CommandRun unknown = ferry("topic", "describe", "nothing");
        assertEquals(1, unknown.exitCode, unknown::toString);
        assertTrue(unknown.err.contains("topic 'nothing' does not exist"), unknown::toString);
    }

    @Test
    void theSameConsumerNameResumesAfterItsLastAcknowledgement()
    {
        assertEquals(0, ferry("topic", "create", "log").exitCode);
        assertEquals(0, ferry("produce", "--topic", "log", "--events", "30", "--size", "0").exitCode);

        // Each run ends right after its last acknowledgement: the next run shows whether it reached the server.
        for (int first = 0; first < 30; first += 6)
        {
            final CommandRun run = ferry("consume", "--topic", "log", "--consumer", "reader", "--events", "6", "--verify");
            assertEquals(0, run.exitCode, run::toString);
            assertTrue(
                run.out.contains("partition 0: event IDs " + first + ".." + (first + 5) + " (6 events)"),
                "expected event IDs from " + first + " on:\n" + run);
        }
    }

    @Test
    void fewerEventsThanAskedForExitsOneAfterTheTimeout()
    {
        assertEquals(0, ferry("topic", "create", "short").exitCode);
        assertEquals(0, ferry("produce", "--topic", "short", "--events", "5", "--size", "1KiB").exitCode);

        final CommandRun run = ferry(
            "consume", "--topic", "short", "--consumer", "c", "--events", "6", "--verify", "--timeout", "2s");

        assertEquals(1, run.exitCode, run::toString);
        assertTrue(run.out.startsWith("consumed 5 events (5 KiB) from topic 'short'"), run::toString);
        assertEquals(
            "ferry consume: only 5 of 6 events arrived; no event arrived for 2000 ms\n", run.err, run::toString);
    }

    @Test
    void duplicatesAreCountedAndFailTheConsume()
    {
        assertEquals(0, ferry("topic", "create", "twice").exitCode);
        for (int i = 0; i < 2; i++)
        {
            final CommandRun produce = ferry(
                "produce", "--topic", "twice", "--events", "3", "--size", "100", "--producer-name", "same");
            assertEquals(0, produce.exitCode, produce::toString);
        }

        final CommandRun run = ferry("consume", "--topic", "twice", "--consumer", "c", "--events", "6", "--verify");

        assertEquals(1, run.exitCode, run::toString);
        assertTrue(run.out.contains(": 0 bad checksums, 3 duplicates\n"), run::toString);
        assertTrue(run.err.startsWith("ferry consume: 3 events were bad or duplicates; the first: partition 0, " +
            "event 3: event 0 of producer 'same' arrived again"), run::toString);
    }

    @Test
    void gapsInAProducersSequenceAreListedAndFailTheConsume()
    {
        assertEquals(0, ferry("topic", "create", "gaps").exitCode);
        for (final String first : List.of("0", "5", "9"))
        {
            final CommandRun produce = ferry("produce", "--topic", "gaps", "--events", "2", "--size", "10",
                "--producer-name", "det", "--first-seq", first);
            assertEquals(0, produce.exitCode, produce::toString);
        }
        assertEquals(0, ferry("produce", "--topic", "gaps", "--events", "2", "--size", "0", "--producer-name", "sim")
            .exitCode);

        final CommandRun run = ferry("consume", "--topic", "gaps", "--consumer", "c", "--events", "8", "--verify");

        assertEquals(1, run.exitCode, run::toString);
        assertTrue(run.out.contains("\nproducer 'det': 6 events, sequence 0..10, 5 missing: 2..4, 7..8\n" +
            "producer 'sim': 2 events, sequence 0..1, none missing\n"), run::toString);
        assertEquals("ferry consume: 5 events are missing from their producers' sequences (listed above)\n", run.err,
            run::toString);
    }

    @Test
    void aFirstSequenceThatOverflowsTheMetadataIsAUsageError()
    {
        final CommandRun run = ferry("produce", "--topic", "any", "--events", "2", "--first-seq", "999999999999999999");
        assertEquals(2, run.exitCode, run::toString);
        assertTrue(run.err.contains("--first-seq must be from 0 to 999999999999999998 for 2 events"), run::toString);
    }

    @Test
    void anUnknownTopicIsNamedInOneLine()
    {
        final CommandRun run = ferry("produce", "--topic", "missing", "--events", "1");

        assertEquals(1, run.exitCode, run::toString);
        assertEquals("", run.out, run::toString);
        assertEquals(1, run.err.strip().split("\n").length, run::toString);
        assertTrue(run.err.startsWith("ferry produce: topic 'missing' does not exist"), run::toString);
        assertFalse(run.err.contains("\tat "), run::toString);
    }

    @Test
    void anUnreachableServerIsNamedInOneLineWithinTheTimeout() throws IOException
    {
        final CommandRun run;
        final String nobody;
        try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
        {
            nobody = "127.0.0.1:" + silent.getLocalPort();
            run = CommandRun.ferry(
                "consume", "--server", nobody, "--topic", "t", "--consumer", "c", "--events", "1", "--timeout", "2s",
                "--dir", root.toString());
        }

        assertEquals(1, run.exitCode, run::toString);
        assertEquals(
            "ferry consume: no Ferry server answered at " + nobody + " within 2000 ms; is one running there? " +
            "start one with: ferry server --endpoint " + nobody + "\n",
            run.err,
            run::toString);
    }

    @Test
    void creatingATopicTwiceFailsNamingIt()
    {
        assertEquals(0, ferry("topic", "create", "once").exitCode);

        final CommandRun run = ferry("topic", "create", "once");

        assertEquals(1, run.exitCode, run::toString);
        assertTrue(run.err.startsWith("ferry topic create: "), run::toString);
        assertTrue(run.err.contains("'once'"), run::toString);
    }

    private CommandRun ferry(final String... args)
    {
        final String[] withServer = new String[args.length + 4];
        System.arraycopy(args, 0, withServer, 0, args.length);
        withServer[args.length] = "--server";
        withServer[args.length + 1] = endpoint;
        withServer[args.length + 2] = "--dir";
        withServer[args.length + 3] = root.toString();
        return CommandRun.ferry(withServer);
    }
}
