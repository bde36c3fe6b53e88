package dev.ferry.systemtest;

import dev.ferry.cli.FerryCommand;
import dev.ferry.test.ChildJvm;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the {@code ferry} command as real processes, each its own JVM, sharing one shared-memory
 * root; kills whatever still runs on close. For tests of the event path across processes.
 */
final class FerryProcesses implements AutoCloseable
{
    /**
     * Longest a command that is expected to finish may run.
     */
    static final Duration RUN_TIMEOUT = Duration.ofMinutes(4);

    private static final Duration SERVER_START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(30);

    private final Path root;
    private final Map<String, String> systemProperties = new LinkedHashMap<>();
    private final List<String> jvmFlags = new ArrayList<>();
    private final List<ChildJvm> children = new ArrayList<>();
    private Duration runTimeout = RUN_TIMEOUT;

    /**
     * @param root Ferry's shared-memory root for every process.
     */
    FerryProcesses(final Path root)
    {
        this.root = root;
    }

    /**
     * @param key   of a system property every process started from now on gets.
     * @param value of the property.
     * @return this.
     */
    FerryProcesses systemProperty(final String key, final String value)
    {
        systemProperties.put(key, value);
        return this;
    }

    /**
     * @param flags JVM flags every process started from now on gets, e.g. {@code -Xmx128m}.
     * @return this.
     */
    FerryProcesses jvmFlags(final String... flags)
    {
        jvmFlags.addAll(List.of(flags));
        return this;
    }

    /**
     * @param timeout longest a command expected to finish may run, for slow machines (emulation).
     * @return this.
     */
    FerryProcesses runTimeout(final Duration timeout)
    {
        this.runTimeout = timeout;
        return this;
    }

    /**
     * Start {@code ferry server} and wait for the line saying where it listens.
     *
     * @param endpoint to listen on.
     * @param args     further options.
     * @return the running server.
     */
    ChildJvm startServer(final String endpoint, final String... args)
    {
        final List<String> command = new ArrayList<>(List.of("server", "--endpoint", endpoint));
        command.addAll(List.of(args));
        final ChildJvm server = start("server", command.toArray(new String[0]));
        final String line = server.readLine(SERVER_START_TIMEOUT);
        assertTrue(line.contains(endpoint), "the server's first line should say where it listens: " + line);
        return server;
    }

    /**
     * Run a command to its end and expect exit status 0.
     *
     * @param args the command line after {@code ferry}.
     * @return what it printed on stdout.
     */
    String expectSuccess(final String... args)
    {
        final Result result = run(args);
        assertEquals(0, result.exitCode(), result.toString());
        return result.stdout();
    }

    /**
     * Run a command to its end.
     *
     * @param args the command line after {@code ferry}.
     * @return how it ended.
     */
    Result run(final String... args)
    {
        return finish(start(args[0], args), args);
    }

    /**
     * Wait for a command started with {@link #start} to end.
     *
     * @param child started with {@code args}.
     * @param args  its command line after {@code ferry}.
     * @return how it ended.
     */
    Result finish(final ChildJvm child, final String... args)
    {
        final String stdout = child.remainingOutput(runTimeout);
        final int exitCode = child.waitForExit(EXIT_TIMEOUT);
        return new Result(String.join(" ", args), exitCode, stdout, child.stderr());
    }

    /**
     * Start a command and leave it running.
     *
     * @param name of the process in failures.
     * @param args the command line after {@code ferry}.
     * @return the process; closed with this.
     */
    ChildJvm start(final String name, final String... args)
    {
        final ChildJvm.Builder builder = ChildJvm.builder(FerryCommand.class)
            .name(name)
            .systemProperty("ferry.dir", root.toString())
            .args(args);
        systemProperties.forEach(builder::systemProperty);
        builder.jvmFlags(jvmFlags.toArray(new String[0]));
        final ChildJvm child = builder.start();
        children.add(child);
        return child;
    }

    /**
     * Wait until a process has written something to stderr.
     *
     * @param child   a running process.
     * @param pattern of what to wait for, found anywhere in its stderr.
     * @param timeout longest wait.
     * @throws AssertionError with the child's stderr if nothing matches in time.
     */
    static void awaitStderr(final ChildJvm child, final Pattern pattern, final Duration timeout)
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (!pattern.matcher(child.stderr()).find())
        {
            if (System.nanoTime() - deadlineNs >= 0)
            {
                throw child.failure("wrote nothing matching '" + pattern + "' to stderr within " + timeout);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
    }

    /**
     * Print the threads of every process still running and what every process started here wrote to
     * stderr, so that a failed run in the soft-RoCE rig, where only the test's own output comes back,
     * shows every side of it. Call before {@link #close()}.
     *
     * @param out to print to.
     */
    public void printLogs(final PrintStream out)
    {
        for (final ChildJvm child : children)
        {
            if (child.isAlive())
            {
                out.println("--- threads of " + child + " ---");
                out.println(threadDump(child.pid()));
            }
            else
            {
                out.println("--- " + child + " exited with status " + child.waitForExit(Duration.ofSeconds(5)) +
                    "; the rest of its stdout ---");
                out.println(child.remainingOutput(Duration.ofSeconds(5)));
            }
            out.println("--- stderr of " + child + " ---");
            out.println(child.stderr());
        }
    }

    private static String threadDump(final long pid)
    {
        final Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try
        {
            final Process process = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "Thread.print")
                .redirectErrorStream(true)
                .start();
            if (!process.waitFor(60, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                return "jcmd did not answer within 60 s";
            }
            return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            return "jcmd failed: " + ex;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return "interrupted while waiting for jcmd";
        }
    }

    /**
     * Kill every process still running.
     */
    public void close()
    {
        children.forEach(ChildJvm::close);
    }

    /**
     * How a command ended.
     */
    record Result(String command, int exitCode, String stdout, String stderr)
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
