package dev.ferry.test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM started by a test: same class path and JVM flags as the test's own JVM, a main class
 * from the test sources, stdout read line by line with a deadline, stderr kept for failure messages.
 * <p>
 * Every wait has a deadline, and {@link #close()} kills the child if it still runs, so use it in
 * try-with-resources. Failures are {@link AssertionError}s that carry the child's stderr.
 * <p>
 * The child's side: call {@link #exitAfter(Duration)} first thing in {@code main}, so a child never
 * outlives a test that forgot it, and print only protocol lines on stdout (logging goes to stderr).
 */
public final class ChildJvm implements AutoCloseable
{
    /**
     * System property holding the JVM flags the build sets once (root pom {@code ferry.jvm.flags}).
     */
    public static final String JVM_FLAGS_PROP_NAME = "ferry.jvm.flags";

    /**
     * How long to wait for a child that was killed to be gone.
     */
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(30);

    /**
     * Queued when the child's stdout ends; a distinct instance compared by identity, so no line the
     * child prints can be taken for it.
     */
    private static final String END_OF_OUTPUT = new String("end of output");

    private final String name;
    private final Process process;
    private final BlockingQueue<String> stdoutLines = new LinkedBlockingQueue<>();
    private final StringBuffer stderr = new StringBuffer();
    private final Writer stdin;
    private final Thread stderrPump;
    private boolean endOfOutput;

    private ChildJvm(final String name, final Process process)
    {
        this.name = name;
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        pump(process.getInputStream(), "stdout", stdoutLines::add, () -> stdoutLines.add(END_OF_OUTPUT));
        this.stderrPump = pump(process.getErrorStream(), "stderr", (line) -> stderr.append(line).append('\n'), () -> {});
    }

    /**
     * @param mainClass whose {@code main} the child runs.
     * @return a builder for the child.
     */
    public static Builder builder(final Class<?> mainClass)
    {
        return new Builder(mainClass);
    }

    /**
     * For the child: halt this JVM with status 3 if it still runs after {@code lifetime}, so that a
     * child whose parent stopped talking to it never lingers.
     *
     * @param lifetime longest the child may run.
     */
    public static void exitAfter(final Duration lifetime)
    {
        final Thread watchdog = new Thread(
            () ->
            {
                try
                {
                    Thread.sleep(lifetime.toMillis());
                }
                catch (final InterruptedException ex)
                {
                    return;
                }
                System.err.println("child JVM still running after " + lifetime + "; halting");
                Runtime.getRuntime().halt(3);
            },
            "child-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    /**
     * @return the child's process id.
     */
    public long pid()
    {
        return process.pid();
    }

    /**
     * @return true while the child runs.
     */
    public boolean isAlive()
    {
        return process.isAlive();
    }

    /**
     * @return what the child wrote to stderr so far.
     */
    public String stderr()
    {
        return stderr.toString();
    }

    /**
     * Read the next line the child prints on stdout.
     *
     * @param timeout longest wait.
     * @return the line, without its line terminator.
     * @throws AssertionError with the child's stderr if no line comes in time or the child exits first.
     */
    public String readLine(final Duration timeout)
    {
        if (endOfOutput)
        {
            throw failure("has closed its stdout; no more lines will come");
        }

        final String line;
        try
        {
            line = stdoutLines.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw failure("was being read by an interrupted thread");
        }

        if (null == line)
        {
            throw failure("printed no line within " + timeout);
        }
        if (END_OF_OUTPUT == line)
        {
            endOfOutput = true;
            waitQuietly();
            throw failure("closed its stdout before printing the line awaited");
        }

        return line;
    }

    /**
     * Every line the child prints from now until its stdout ends.
     *
     * @param timeout longest wait for the end of the child's output.
     * @return the lines, each followed by a newline.
     * @throws AssertionError with the child's stderr if its output does not end in time.
     */
    public String remainingOutput(final Duration timeout)
    {
        final StringBuilder output = new StringBuilder();
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (!endOfOutput)
        {
            final String line;
            try
            {
                line = stdoutLines.poll(Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw failure("was being read by an interrupted thread");
            }

            if (null == line)
            {
                throw failure("did not finish its output within " + timeout + "; it printed so far:\n" + output);
            }
            if (END_OF_OUTPUT == line)
            {
                endOfOutput = true;
            }
            else
            {
                output.append(line).append('\n');
            }
        }

        return output.toString();
    }

    /**
     * Send a line to the child's stdin.
     *
     * @param line to send; a line terminator is added.
     */
    public void writeLine(final String line)
    {
        try
        {
            stdin.write(line);
            stdin.write('\n');
            stdin.flush();
        }
        catch (final IOException ex)
        {
            throw failure("could not be written to: " + ex);
        }
    }

    /**
     * Wait for the child to exit on its own.
     *
     * @param timeout longest wait.
     * @return its exit status.
     * @throws AssertionError with the child's stderr if it still runs after the timeout.
     */
    public int waitForExit(final Duration timeout)
    {
        try
        {
            if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS))
            {
                throw failure("did not exit within " + timeout);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw failure("was being waited for by an interrupted thread");
        }

        return process.exitValue();
    }

    /**
     * Kill the child with SIGKILL, as a crash would, and wait until it is gone.
     *
     * @return its exit status (137 on Linux).
     */
    public int kill()
    {
        process.destroyForcibly();
        return waitForExit(EXIT_TIMEOUT);
    }

    /**
     * Kill the child if it still runs. Idempotent.
     */
    public void close()
    {
        if (process.isAlive())
        {
            kill();
        }
    }

    /**
     * @param what happened to the child.
     * @return an assertion failure naming the child, saying what happened, with its stderr.
     */
    public AssertionError failure(final String what)
    {
        if (!process.isAlive())
        {
            joinQuietly(stderrPump);
        }
        final String status = process.isAlive() ? "still running" : "exited with status " + process.exitValue();
        return new AssertionError(
            "child JVM " + name + " (pid " + process.pid() + ", " + status + ") " + what + "; its stderr:\n" + stderr());
    }

    /**
     * Attach what the child wrote to stderr to a test failure, for a test that failed while the
     * child ran: {@code catch (final Throwable ex) { child.attachStderrTo(ex); throw ex; }}.
     *
     * @param failure of the test.
     */
    public void attachStderrTo(final Throwable failure)
    {
        failure.addSuppressed(failure("was running when the test failed"));
    }

    public String toString()
    {
        return "child JVM " + name + " (pid " + process.pid() + ")";
    }

    private void waitQuietly()
    {
        try
        {
            process.waitFor(1, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static void joinQuietly(final Thread thread)
    {
        try
        {
            thread.join(1000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private Thread pump(
        final InputStream stream, final String streamName, final LineSink sink, final Runnable onEndOfStream)
    {
        final Thread thread = new Thread(
            () ->
            {
                try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8)))
                {
                    String line;
                    while (null != (line = reader.readLine()))
                    {
                        sink.accept(line);
                    }
                }
                catch (final IOException ex)
                {
                    stderr.append("[reading the child's ").append(streamName).append(" failed: ").append(ex).append("]\n");
                }
                finally
                {
                    onEndOfStream.run();
                }
            },
            name + "-" + streamName);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    @FunctionalInterface
    private interface LineSink
    {
        void accept(String line);
    }

    /**
     * What to start: main class, its arguments, extra JVM flags and system properties.
     */
    public static final class Builder
    {
        private final Class<?> mainClass;
        private final List<String> launcher = new ArrayList<>();
        private final List<String> args = new ArrayList<>();
        private final List<String> jvmFlags = new ArrayList<>();
        private final Map<String, String> systemProperties = new LinkedHashMap<>();
        private String name;

        private Builder(final Class<?> mainClass)
        {
            this.mainClass = mainClass;
            this.name = mainClass.getSimpleName();
        }

        /**
         * @param name of the child in failure messages; default the main class's simple name.
         * @return this.
         */
        public Builder name(final String name)
        {
            this.name = name;
            return this;
        }

        /**
         * Start the child through another program that runs the {@code java} command it is given, as
         * {@code ip netns exec <namespace>} does to put the child in a network namespace. The program
         * should exec {@code java} in its own process (as {@code ip netns exec} does) rather than fork
         * it, so that {@link ChildJvm#pid()} and {@link ChildJvm#kill()} reach the JVM itself.
         *
         * @param prefix the program and its arguments, put before the {@code java} command; default none.
         * @return this.
         */
        public Builder launcher(final String... prefix)
        {
            launcher.clear();
            launcher.addAll(Arrays.asList(prefix));
            return this;
        }

        /**
         * @param args for {@code main}, appended.
         * @return this.
         */
        public Builder args(final String... args)
        {
            this.args.addAll(Arrays.asList(args));
            return this;
        }

        /**
         * @param flags JVM flags, after the build's {@code ferry.jvm.flags}.
         * @return this.
         */
        public Builder jvmFlags(final String... flags)
        {
            jvmFlags.addAll(Arrays.asList(flags));
            return this;
        }

        /**
         * @param key   of a system property for the child.
         * @param value of it.
         * @return this.
         */
        public Builder systemProperty(final String key, final String value)
        {
            systemProperties.put(key, value);
            return this;
        }

        /**
         * @return the command line the child is started with.
         */
        public List<String> command()
        {
            final List<String> command = new ArrayList<>(launcher);
            command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
            final String buildFlags = System.getProperty(JVM_FLAGS_PROP_NAME, "").trim();
            if (!buildFlags.isEmpty())
            {
                command.addAll(Arrays.asList(buildFlags.split("\\s+")));
            }
            command.addAll(jvmFlags);
            systemProperties.forEach((key, value) -> command.add("-D" + key + "=" + value));
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(mainClass.getName());
            command.addAll(args);

            return command;
        }

        /**
         * @return the started child.
         * @throws AssertionError if it cannot be started.
         */
        public ChildJvm start()
        {
            final List<String> command = command();
            try
            {
                return new ChildJvm(name, new ProcessBuilder(command).start());
            }
            catch (final IOException ex)
            {
                throw new AssertionError("cannot start child JVM " + name + " with " + command + ": " + ex, ex);
            }
        }
    }
}
