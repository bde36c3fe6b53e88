package dev.ferry.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(120)
class PipelineCommandTest
{
    @TempDir
    Path tmp;

    @Test
    void movesEveryEventThroughASmallPoolAndVerifiesIt() throws IOException
    {
        final Path root = tmp.resolve("shm");

        // Each pool holds two 64 KiB events, so the producer must wait whenever the consumer is behind.
        final CommandRun run = CommandRun.ferry(
            "pipeline", "--events", "50", "--size", "64KiB", "--pool-size", "128KiB", "--timeout", "30s",
            "--dir", root.toString());

        assertEquals(0, run.exitCode, run::toString);
        final String[] lines = run.out.split("\n");
        assertTrue(lines[0].startsWith(
            "the event path (Aeron control plane, server) is not built yet; this runs the shared-memory " +
            "bulk-transport demo: 50 events of 64 KiB"), run::toString);
        final String summary = lines[lines.length - 1];
        assertTrue(summary.startsWith("summary: 50 events, 3.1 MiB (3276800 bytes) in "), run::toString);
        assertTrue(summary.endsWith("verified: yes"), run::toString);
        assertTrue(run.out.contains("producer pool 128 KiB, high water 128 KiB"), run::toString);
        assertEquals("", run.err, run::toString);
        assertEquals(List.of(), ownedDirectories(root), "the pools' files are removed when the run ends");
    }

    @Test
    void movesEventsWhoseSizeIsNoMultipleOfEightOrOfAPage()
    {
        final CommandRun run = CommandRun.ferry(
            "pipeline", "--events", "20", "--size", "1001", "--dir", tmp.resolve("shm").toString());

        assertEquals(0, run.exitCode, run::toString);
        assertTrue(run.out.contains("summary: 20 events, 19.6 KiB (20020 bytes) in "), run::toString);
        assertTrue(run.out.strip().endsWith("verified: yes"), run::toString);
    }

    private static List<Path> ownedDirectories(final Path root) throws IOException
    {
        try (Stream<Path> children = Files.list(root))
        {
            return children.collect(Collectors.toList());
        }
    }
}
