package dev.ferry.cli;

import dev.ferry.test.ShmTempDirFactory;
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

@Timeout(180)
class PipelineCommandTest
{
    @TempDir(factory = ShmTempDirFactory.class)
    Path root;

    @Test
    void movesEveryEventExactlyOnceThroughSeveralPartitionsProducersAndConsumers() throws IOException
    {
        final CommandRun run = CommandRun.ferry(
            "pipeline", "--events", "200", "--size", "64KiB", "--partitions", "2", "--producers", "2",
            "--consumers", "2", "--timeout", "60s", "--dir", root.toString());

        assertEquals(0, run.exitCode, run::toString);
        final String[] lines = run.out.split("\n");
        assertTrue(lines[0].startsWith(
            "pipeline: 200 events of 64 KiB from 2 producers to 2 consumers through topic 'pipeline' (2 partitions) " +
            "of a server in this process, over Aeron IPC; bulk transport auto, shared memory under " + root), run::toString);
        final String summary = lines[lines.length - 1];
        assertTrue(summary.startsWith("summary: 200 events, 12.5 MiB (13107200 bytes) in "), run::toString);
        assertTrue(summary.contains("latency push to receipt p50 "), run::toString);
        assertTrue(summary.endsWith("verified: yes"), run::toString);
        assertEquals(List.of(), children(root), "the server's and clients' files are removed when the run ends");
    }

    @Test
    void movesMetadataOnlyEvents()
    {
        final CommandRun run = CommandRun.ferry(
            "pipeline", "--events", "300", "--size", "0", "--partitions", "3", "--consumers", "2",
            "--dir", root.toString());

        assertEquals(0, run.exitCode, run::toString);
        assertTrue(run.out.contains("summary: 300 events, 0 B (0 bytes) in "), run::toString);
        assertTrue(run.out.strip().endsWith("verified: yes"), run::toString);
    }

    @Test
    void movesEventsWhoseSizeIsNoMultipleOfEightOrOfAPage()
    {
        final CommandRun run = CommandRun.ferry(
            "pipeline", "--events", "20", "--size", "1001", "--dir", root.toString());

        assertEquals(0, run.exitCode, run::toString);
        assertTrue(run.out.contains("summary: 20 events, 19.6 KiB (20020 bytes) in "), run::toString);
        assertTrue(run.out.strip().endsWith("verified: yes"), run::toString);
    }

    private static List<Path> children(final Path directory) throws IOException
    {
        try (Stream<Path> children = Files.list(directory))
        {
            return children.collect(Collectors.toList());
        }
    }
}
