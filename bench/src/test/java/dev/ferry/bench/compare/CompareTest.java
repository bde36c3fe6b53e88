package dev.ferry.bench.compare;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The compare command: its options, the worker's command line, what it makes of a failed worker's log,
 * and one real run of the memcpy contender end to end.
 */
@Timeout(300)
class CompareTest
{
    @TempDir
    Path dir;

    @Test
    void theHelpNamesEveryContenderAndTheSmokeProfile()
    {
        final Run run = Run.compare("--help");

        assertEquals(0, run.exitCode, run::toString);
        final String help = run.out.replaceAll("\\s+", " ");
        for (final String name : Contenders.NAMES)
        {
            assertTrue(help.contains(name), run::toString);
        }
        assertTrue(help.contains("--smoke A run of seconds"), run::toString);
        assertTrue(help.contains("--worker-timeout=DURATION"), run::toString);
    }

    @Test
    void smokeDoesNotTakeTheOptionsItSets()
    {
        final Run run = Run.compare("--smoke", "--sizes", "4KiB", "--iterations", "3", "--out", dir.toString());

        assertEquals(2, run.exitCode, run::toString);
        assertTrue(run.err.contains("--smoke sets --sizes, --iterations itself; drop --smoke to choose them"), run::toString);
        assertFalse(Files.exists(dir.resolve("compare.md")), run::toString);
    }

    @Test
    void anUnknownOrRepeatedContenderIsRefusedBeforeAnyRuns()
    {
        final Run unknown = Run.compare("--contenders", "memcpy,rabbitmq", "--out", dir.toString());
        final Run twice = Run.compare("--contenders", "kafka,kafka", "--out", dir.toString());

        assertEquals(2, unknown.exitCode, unknown::toString);
        assertTrue(unknown.err.contains("no contender is named 'rabbitmq'; there are memcpy, ferry-copy"), unknown::toString);
        assertEquals(2, twice.exitCode, twice::toString);
        assertTrue(twice.err.contains("--contenders names kafka twice"), twice::toString);
        assertFalse(Files.exists(dir.resolve("raw")));
    }

    @Test
    void aJvmThatIsNotAnExecutableIsRefused()
    {
        final Run run = Run.compare("--jvm", dir.resolve("java").toString(), "--out", dir.toString());

        assertEquals(2, run.exitCode, run::toString);
        assertTrue(run.err.contains("is not an executable file"), run::toString);
    }

    @Test
    void theWorkerGetsFerrysFlagsTheContendersFlagsAndTheRunOptions()
    {
        final RunOptions options = new RunOptions();
        options.sizes = List.of(64L, 4096L);

        final List<String> command = Compare.workerCommand("/jdk/bin/java", List.of("--add-opens", "a/b=ALL-UNNAMED"),
            ChronicleContender.NAME, "bench.jar", Path.of("out", "raw"), Path.of("/tmp/w"), options);

        final int classPath = command.indexOf("-cp");
        assertEquals(List.of("/jdk/bin/java", "--add-opens", "a/b=ALL-UNNAMED"), command.subList(0, 3));
        assertEquals(Contenders.jvmFlags(ChronicleContender.NAME), command.subList(3, classPath - 1));
        assertEquals(Compare.WORKER_HEAP, command.get(classPath - 1));
        assertEquals(List.of("-cp", "bench.jar", CompareWorker.class.getName(), "--contender=chronicle-queue",
            "--out=" + Path.of("out", "raw"), "--work-dir=/tmp/w"), command.subList(classPath, classPath + 6));
        assertEquals(options.toArguments(), command.subList(classPath + 6, command.size()));
        assertTrue(command.contains("--sizes=64,4096"), command::toString);
    }

    @Test
    void theMeasuringTimeCountsEveryIterationAndTheLatencyRun()
    {
        final RunOptions options = new RunOptions();

        assertEquals(Duration.ofSeconds(7 * 7 + 6), Compare.measuringTime(options));
        options.latencyRate = 0;
        assertEquals(Duration.ofSeconds(7 * 7), Compare.measuringTime(options));
    }

    @Test
    void theFailureLineIsTheLastExceptionThatIsNoCause()
    {
        final List<String> log = List.of(
            "kafka: throughput of 64-byte events",
            "java.lang.IllegalStateException: kafka delivered no 64-byte event for 30 s",
            "\tat dev.ferry.bench.compare.CompareWorker.checkStall(CompareWorker.java:1)",
            "Caused by: java.io.IOException: broken pipe",
            "\t... 5 more");

        assertEquals("java.lang.IllegalStateException: kafka delivered no 64-byte event for 30 s",
            Compare.failureLine(log));
        assertEquals("Killed", Compare.failureLine(List.of("kafka: latency", "Killed", "")));
        assertEquals("", Compare.failureLine(List.of()));
    }

    @Test
    void aCommandIsQuotedOnlyWhereTheShellNeedsIt()
    {
        assertEquals("bench/compare --sizes=64,4KiB --out 'my results' 'it'\\''s'",
            Compare.shellQuote(List.of("bench/compare", "--sizes=64,4KiB", "--out", "my results", "it's")));
    }

    @Test
    void aSmokeRunOfMemcpyWritesTheWholeReport() throws IOException
    {
        final Path out = dir.resolve("report");

        final Run run = Run.compare("--smoke", "--contenders", MemcpyContender.NAME, "--out", out.toString(),
            "--work-dir", dir.resolve("work").toString(), "--worker-timeout", "2m");

        assertEquals(0, run.exitCode, run::toString);
        final String md = Files.readString(out.resolve("compare.md"));
        assertTrue(md.contains("| Event size | memcpy |"), md);
        assertTrue(md.contains("| 64 B | "), md);
        assertTrue(md.contains("| 64 KiB | "), md);
        assertTrue(md.contains("| memcpy | 4 KiB | 1,000 | 1,000 |"), md);
        assertEquals(3, Files.readAllLines(out.resolve("summary.csv")).size());
        assertTrue(Files.isRegularFile(out.resolve("raw").resolve("memcpy.log")));
        assertTrue(Files.isRegularFile(out.resolve(ComparePlots.THROUGHPUT_PNG)), md);
        assertTrue(Files.isRegularFile(out.resolve(ComparePlots.LATENCY_PNG)), md);
        try (var left = Files.list(dir.resolve("work")))
        {
            assertEquals(0, left.count(), "the contender's scratch directory is deleted");
        }
    }

    /**
     * One in-process run of the command, with what it printed through picocli.
     */
    private static final class Run
    {
        final int exitCode;
        final String out;
        final String err;

        private Run(final int exitCode, final String out, final String err)
        {
            this.exitCode = exitCode;
            this.out = out;
            this.err = err;
        }

        static Run compare(final String... args)
        {
            final StringWriter out = new StringWriter();
            final StringWriter err = new StringWriter();
            final CommandLine commandLine = Compare.commandLine(args);
            commandLine.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
            final int exitCode = commandLine.execute(args);
            return new Run(exitCode, out.toString(), err.toString());
        }

        @Override
        public String toString()
        {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }
}
