package dev.ferry.cli;

import dev.ferry.test.RdmaSupport;
import dev.ferry.test.ShmTempDirFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --transport auto|shm|rdma} on every command that runs an engine.
 */
@Timeout(120)
class TransportOptionTest
{
    private static final List<String> COMMANDS = List.of("pipeline", "server", "produce", "consume");
    private static final List<List<String>> COMMAND_LINES = List.of(
        List.of("pipeline", "--events", "1", "--size", "0"),
        List.of("server", "--endpoint", "127.0.0.1:0"),
        List.of("produce", "--topic", "t", "--events", "1", "--size", "0"),
        List.of("consume", "--topic", "t", "--consumer", "c", "--events", "1"));

    @TempDir(factory = ShmTempDirFactory.class)
    Path root;

    @Test
    void everyEngineCommandTakesAutoShmAndRdmaAndDefaultsToAuto()
    {
        for (final List<String> commandLine : COMMAND_LINES)
        {
            assertEquals("auto", parsedTransport(commandLine), commandLine.toString());
            for (final String value : List.of("auto", "shm", "rdma"))
            {
                assertEquals(value, parsedTransport(commandLine, "--transport", value), commandLine + " --transport " + value);
            }
        }
    }

    @Test
    void theHelpSaysWhatEachValueMeans()
    {
        for (final String command : COMMANDS)
        {
            final CommandRun run = CommandRun.ferry(command, "--help");

            assertEquals(0, run.exitCode, run::toString);
            final String help = run.out.replaceAll("\\s+", " ");
            assertTrue(help.contains("--transport=auto|shm|rdma"), run::toString);
            assertTrue(help.contains("auto: open every bulk transport that can run here"), run::toString);
            assertTrue(help.contains("shm: shared memory only"), run::toString);
            assertTrue(help.contains("rdma: RDMA READ only"), run::toString);
        }
    }

    @Test
    void aBadValueExitsTwoWithUsageNamingTheValues()
    {
        for (final String command : COMMANDS)
        {
            final CommandRun run = CommandRun.ferry(command, "--transport", "carrier-pigeon");

            assertEquals(2, run.exitCode, run::toString);
            assertTrue(run.err.contains("Invalid value for option '--transport': 'carrier-pigeon' is not a bulk " +
                "transport; use one of auto, shm, rdma"), run::toString);
            assertTrue(run.err.contains("Usage: ferry " + command), run::toString);
        }
    }

    @Test
    void rdmaWithoutADeviceFailsWithOneLineNamingIt()
    {
        Assumptions.assumeTrue(null != RdmaSupport.unsupportedReason(), "the rdma transport can run on this host");
        for (final List<String> commandLine : COMMAND_LINES)
        {
            final String[] args = concat(commandLine, "--transport", "rdma", "--dir", root.toString());

            final CommandRun run = CommandRun.ferry(args);

            assertEquals(1, run.exitCode, run::toString);
            final String[] lines = run.err.strip().split("\n");
            assertEquals(1, lines.length, run::toString);
            assertTrue(lines[0].startsWith("ferry " + commandLine.get(0) + ": "), run::toString);
            assertTrue(lines[0].contains("bulk transport") && lines[0].contains("'rdma'"), run::toString);
        }
    }

    @Test
    void aPipelineOverSharedMemoryMovesEveryEvent()
    {
        final CommandRun run = CommandRun.ferry(
            "pipeline", "--events", "50", "--size", "64KiB", "--transport", "shm", "--dir", root.toString());

        assertEquals(0, run.exitCode, run::toString);
        assertTrue(run.out.contains("bulk transport shm, shared memory under " + root), run::toString);
        assertTrue(run.out.strip().endsWith("verified: yes"), run::toString);
    }

    private static String parsedTransport(final List<String> commandLine, final String... args)
    {
        final CommandLine.ParseResult parsed = FerryCommand.commandLine().parseArgs(concat(commandLine, args));
        return parsed.subcommand().commandSpec().findOption("--transport").getValue();
    }

    private static String[] concat(final List<String> first, final String... rest)
    {
        final String[] all = first.toArray(new String[first.size() + rest.length]);
        System.arraycopy(rest, 0, all, first.size(), rest.length);
        return all;
    }
}
