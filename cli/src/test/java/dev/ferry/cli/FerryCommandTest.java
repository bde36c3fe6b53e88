package dev.ferry.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    void sizeLargerThanASegmentExitsTwoNamingTheLimit()
    {
        final CommandRun run = CommandRun.ferry("pipeline", "--size", "2GiB");

        assertEquals(2, run.exitCode, run::toString);
        assertTrue(run.err.contains("--size must be from 1 byte to 1 GiB"), run::toString);
    }

    @Test
    void poolTooSmallForOneEventExitsTwoNamingTheMinimum()
    {
        final CommandRun run = CommandRun.ferry("pipeline", "--size", "40KiB", "--pool-size", "48KiB");

        assertEquals(2, run.exitCode, run::toString);
        assertTrue(run.err.contains("--pool-size 48 KiB cannot hold one event of 40 KiB"), run::toString);
        assertTrue(run.err.contains("at least 64 KiB"), run::toString);
    }

    @Test
    void zeroEventsExitsTwo()
    {
        final CommandRun run = CommandRun.ferry("pipeline", "--events", "0");

        assertEquals(2, run.exitCode, run::toString);
        assertTrue(run.err.contains("--events must be at least 1, was 0"), run::toString);
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
