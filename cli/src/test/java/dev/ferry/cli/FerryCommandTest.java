package dev.ferry.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class FerryCommandTest
{
    @Test
    void unknownOptionExitsTwoWithUsage()
    {
        final CommandRun run = CommandRun.ferry("--bogus");

        assertEquals(2, run.exitCode, run::toString);
        assertTrue(run.err.contains("Unknown option: '--bogus'"), run::toString);
        assertTrue(run.err.contains("Usage: ferry"), run::toString);
    }

    @Test
    void noCommandExitsTwoWithUsage()
    {
        final CommandRun run = CommandRun.ferry();

        assertEquals(2, run.exitCode, run::toString);
        assertTrue(run.err.contains("Missing a command"), run::toString);
        assertTrue(run.err.contains("Usage: ferry"), run::toString);
    }

    @Test
    void badSizeExitsTwoNamingTheValue()
    {
        final CommandRun run = CommandRun.ferry("pipeline", "--size", "12XB");

        assertEquals(2, run.exitCode, run::toString);
        assertTrue(run.err.contains("Invalid value for option '--size': '12XB' is not a size"), run::toString);
        assertTrue(run.err.contains("Usage: ferry pipeline"), run::toString);
    }

    @Test
    void badTimeoutExitsTwoNamingTheValue()
    {
        final CommandRun run = CommandRun.ferry("pipeline", "--timeout", "soon");

        assertEquals(2, run.exitCode, run::toString);
        assertTrue(run.err.contains("'soon' is not a duration"), run::toString);
    }

    @Test
    void sizeLargerThanALogSegmentHoldsExitsTwoNamingTheLimit()
    {
        final CommandRun run = CommandRun.ferry("pipeline", "--size", "64MiB");

        assertEquals(2, run.exitCode, run::toString);
        assertTrue(run.err.contains("--size must be from 0 to 63.9 MiB"), run::toString);
    }

    @Test
    void zeroEventsExitsTwo()
    {
        final CommandRun run = CommandRun.ferry("pipeline", "--events", "0");

        assertEquals(2, run.exitCode, run::toString);
        assertTrue(run.err.contains("--events must be at least 1, was 0"), run::toString);
    }

    @Test
    void fewerPartitionsThanConsumersExitsTwo()
    {
        final CommandRun run = CommandRun.ferry("pipeline", "--partitions", "1", "--consumers", "2");

        assertEquals(2, run.exitCode, run::toString);
        assertTrue(run.err.contains("--partitions 1 is fewer than --consumers 2"), run::toString);
        assertTrue(run.err.contains("Usage: ferry pipeline"), run::toString);
    }

    @Test
    void noProducersExitsTwo()
    {
        final CommandRun run = CommandRun.ferry("pipeline", "--producers", "0");

        assertEquals(2, run.exitCode, run::toString);
        assertTrue(run.err.contains("--producers must be at least 1, was 0"), run::toString);
    }

    @Test
    void badServerEndpointExitsTwoNamingIt()
    {
        final CommandRun run = CommandRun.ferry("topic", "list", "--server", "localhost");

        assertEquals(2, run.exitCode, run::toString);
        assertTrue(run.err.contains("'localhost' is not an endpoint; write HOST:PORT"), run::toString);
        assertTrue(run.err.contains("Usage: ferry topic list"), run::toString);
    }

    @Test
    void portOutOfRangeExitsTwo()
    {
        final CommandRun run = CommandRun.ferry("server", "--endpoint", "127.0.0.1:70000");

        assertEquals(2, run.exitCode, run::toString);
        assertTrue(run.err.contains("'127.0.0.1:70000' has no valid port"), run::toString);
    }

    @Test
    void aQueueBoundThatIsNotAPowerOfTwoInRangeExitsTwo()
    {
        for (final String size : List.of("100KiB", "32KiB", "512MiB"))
        {
            final CommandRun run = CommandRun.ferry("server", "--endpoint", "127.0.0.1:0", "--max-queued-batch-bytes", size);

            assertEquals(2, run.exitCode, run::toString);
            assertTrue(run.err.contains("--max-queued-batch-bytes must be a power of two from 64KiB to 256MiB, was "),
                run::toString);
        }
    }

    @Test
    void durableWithoutADirectoryOrWithAnUnknownFsyncPolicyExitsTwo()
    {
        final CommandRun noDir = CommandRun.ferry("server", "--endpoint", "127.0.0.1:0", "--durable");
        assertEquals(2, noDir.exitCode, noDir::toString);
        assertTrue(noDir.err.contains("--durable needs --dir DIR, the directory on disk to keep the partitions in"),
            noDir::toString);

        final CommandRun badPolicy = CommandRun.ferry("server", "--endpoint", "127.0.0.1:0", "--fsync", "sometimes");
        assertEquals(2, badPolicy.exitCode, badPolicy::toString);
        assertTrue(badPolicy.err.contains("'sometimes' is not an fsync policy; use none, batch or interval"),
            badPolicy::toString);
    }

    @Test
    void aRetainedSizeOutOfRangeOrWithDurablePartitionsIsRefusedNamingTheRange()
    {
        final CommandRun durable = CommandRun.ferry(
            "server", "--endpoint", "127.0.0.1:0", "--durable", "--dir", "/tmp/never-made", "--retain", "1GiB");
        assertEquals(2, durable.exitCode, durable::toString);
        assertTrue(durable.err.contains("--retain works without --durable only: durable partitions keep every event"),
            durable::toString);

        final CommandRun small = CommandRun.ferry("server", "--endpoint", "127.0.0.1:0", "--retain", "1MiB");
        assertTrue(0 != small.exitCode, small::toString);
        assertTrue(small.err.contains("from two log segments (128 MiB) to the log's bound (8 GiB); was 1 MiB"),
            small::toString);
    }

    @Test
    void aNegativeRateExitsTwo()
    {
        final CommandRun produce = CommandRun.ferry("produce", "--topic", "t", "--rate", "-1");
        assertEquals(2, produce.exitCode, produce::toString);
        assertTrue(produce.err.contains("--rate must be from 0 (as fast as possible) to 1000000000 events per second, " +
            "was -1"), produce::toString);

        final CommandRun consume = CommandRun.ferry("consume", "--topic", "t", "--consumer", "c", "--events", "1",
            "--rate", "-1");
        assertEquals(2, consume.exitCode, consume::toString);
        assertTrue(consume.err.contains("--rate must be from 0 (as fast as they come) to 1000000000 events per " +
            "second, was -1"), consume::toString);
    }

    @Test
    void topicWithoutSubcommandExitsTwo()
    {
        final CommandRun run = CommandRun.ferry("topic");

        assertEquals(2, run.exitCode, run::toString);
        assertTrue(run.err.contains("Missing a command: ferry topic create, ferry topic list, or ferry topic describe"), run::toString);
    }

    @Test
    void consumeWithoutConsumerNameExitsTwo()
    {
        final CommandRun run = CommandRun.ferry("consume", "--topic", "t", "--events", "1");

        assertEquals(2, run.exitCode, run::toString);
        assertTrue(run.err.contains("Missing required option: '--consumer=NAME'"), run::toString);
    }

    @Test
    void producerNameThatJsonWouldNeedToEscapeExitsTwo()
    {
        final CommandRun run = CommandRun.ferry("produce", "--topic", "t", "--producer-name", "a\"b");

        assertEquals(2, run.exitCode, run::toString);
        assertTrue(run.err.contains("--producer-name must be 1 to 64 letters, digits"), run::toString);
    }

    @Test
    void zeroTimeoutExitsTwo()
    {
        final CommandRun run = CommandRun.ferry("topic", "list", "--timeout", "0s");

        assertEquals(2, run.exitCode, run::toString);
        assertTrue(run.err.contains("--timeout must be positive, was 0 ms"), run::toString);
    }

    @Test
    void failureIsOneLineWithoutStackTrace(@TempDir final Path tmp) throws IOException
    {
        final Path notADirectory = Files.createFile(tmp.resolve("plain-file"));

        final CommandRun run = CommandRun.ferry("pipeline", "--events", "1", "--dir", notADirectory.toString());

        assertEquals(1, run.exitCode, run::toString);
        final String[] lines = run.err.strip().split("\n");
        assertEquals(1, lines.length, run::toString);
        assertTrue(lines[0].startsWith("ferry pipeline: "), run::toString);
        assertTrue(lines[0].contains(notADirectory + " exists but is not a directory"), run::toString);
        assertFalse(run.err.contains("\tat "), run::toString);
    }

    @Test
    void versionNamesFerryAndTheJvm()
    {
        final CommandRun run = CommandRun.ferry("--version");

        assertEquals(0, run.exitCode, run::toString);
        assertTrue(run.out.matches("(?s)ferry \\d+\\.\\d+\\.\\d+.*JVM: .*"), run::toString);
    }
}
