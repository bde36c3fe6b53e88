package dev.ferry.bench.compare;

import dev.ferry.bench.BenchmarkMain;
import dev.ferry.bench.compare.CompareReport.Outcome;
import dev.ferry.bench.compare.CompareReport.Status;
import dev.ferry.cli.DurationConverter;
import org.agrona.IoUtil;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

import java.awt.AWTError;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The comparison: moves the same events through Ferry and through its peers and writes the report
 * ({@link CompareReport}) and its plots ({@link ComparePlots}).
 * <p>
 * Each contender runs in a {@link CompareWorker} JVM of its own, one after another, so that no
 * contender's threads, JIT profile or garbage weigh on another's numbers. A worker that fails or runs
 * past {@code --worker-timeout} is stopped and counted as failed; the others still run and the report is
 * still written, and the exit status is then 1. A contender that cannot run here at all (its peer needs
 * what the machine lacks) is reported as skipped, with its reason, and is no failure.
 */
@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
    description = {
        "Move the same events through Ferry and its peers, one JVM per contender, and report events/s, MiB/s and " +
        "latency percentiles side by side.",
        "",
        "Writes into --out: compare.md (the report), throughput.csv, latency.csv, summary.csv, throughput.png, " +
        "latency.png and raw/ (each worker's files and its log).",
        ""},
    footer = {"",
        "Exit status: 0 when every contender ran or does not run here (skipped, with its reason), 1 when one " +
        "failed (the report is still written for the others), 2 for options that are wrong."})
public final class Compare implements Callable<Integer>
{
    /**
     * Heap of every worker, the same whatever the machine's memory, so that each contender runs as it would
     * elsewhere; events live off heap or in the contender's files.
     */
    static final String WORKER_HEAP = "-Xmx4g";

    /**
     * The system property through which a launcher script names itself, for the command in the report.
     */
    static final String LAUNCHER_PROPERTY = "ferry.compare.launcher";

    /**
     * The options {@code --smoke} sets, which may therefore not be given with it.
     */
    static final List<String> SMOKE_SETS = List.of(
        "--sizes", "--warmup-iterations", "--iterations", "--iteration-time", "--latency-rate", "--latency-time");

    /**
     * Longest a worker is given to stop once asked, before it is killed, and then to go after being killed.
     */
    static final long STOP_GRACE_MS = 10_000;

    /**
     * How often the progress of the running worker is read from its log.
     */
    static final long PROGRESS_POLL_MS = 500;

    /**
     * Lines of a failed worker's log shown on the console.
     */
    static final int LOG_TAIL_LINES = 25;

    private static final int LOG_TAIL_BYTES = 64 * 1024;
    private static final Pattern EXCEPTION_LINE = Pattern.compile("^[\\w$.]+(Exception|Error|Throwable)(: .*)?$");
    private static final Pattern SHELL_SAFE = Pattern.compile("[\\w@%+=:,./-]+");

    @Option(names = "--contenders", split = ",", paramLabel = "NAME",
        description = "Contenders to run, in this order (default: all): ${COMPLETION-CANDIDATES}.",
        completionCandidates = Contenders.Names.class)
    List<String> contenders = new ArrayList<>(Contenders.NAMES);

    @Mixin
    RunOptions options;

    @Option(names = "--smoke", description = "A run of seconds, not minutes, for CI: events of 64 B and 64 KiB, " +
        "no warm-up, one iteration of 200 ms, latency at 1000 events/s for 1 s. It sets --sizes, " +
        "--warmup-iterations, --iterations, --iteration-time, --latency-rate and --latency-time, which may " +
        "therefore not be given with it.")
    boolean smoke;

    @Option(names = "--out", paramLabel = "DIR", description = "Directory of the report; an earlier run's files " +
        "in it are replaced (default: bench/results/compare).")
    Path out = Path.of("bench", "results", "compare");

    @Option(names = "--jvm", paramLabel = "JAVA", description = "Java executable of the workers " +
        "(default: this JVM's, ${DEFAULT-VALUE}).")
    Path jvm = Path.of(System.getProperty("java.home"), "bin", "java");

    @Option(names = "--worker-timeout", converter = DurationConverter.class, paramLabel = "DURATION",
        description = "Longest one contender's worker may run before it is stopped and counted as failed " +
        "(default: 10m).")
    Duration workerTimeout = Duration.ofMinutes(10);

    @Option(names = "--work-dir", paramLabel = "DIR", description = "Where each contender gets a scratch " +
        "directory, deleted after it (default: ${DEFAULT-VALUE}: memory, where Ferry and Chronicle Queue keep " +
        "their files too; else java.io.tmpdir). Kafka and the Aeron media driver write their files there: a " +
        "tmpfs or a disk shows in their numbers.")
    Path workRoot = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") :
        Path.of(System.getProperty("java.io.tmpdir"));

    @Spec
    CommandSpec spec;

    private final List<String> args;
    private final AtomicReference<Process> running = new AtomicReference<>();

    /**
     * @param args the command line as typed, for the report.
     */
    Compare(final String... args)
    {
        this.args = List.of(args);
    }

    /**
     * @param args the options; {@code --help} lists them.
     */
    public static void main(final String[] args)
    {
        System.exit(commandLine(args).execute(args));
    }

    /**
     * @param args the command line as typed.
     * @return the command, with error handlers that say what is wrong without the whole usage, and without a
     * stack trace for the failures this command explains itself.
     */
    static CommandLine commandLine(final String... args)
    {
        final CommandLine commandLine = new CommandLine(new Compare(args));
        commandLine.setExecutionExceptionHandler((ex, cl, parseResult) ->
        {
            final boolean explained = ex instanceof IllegalStateException || ex instanceof IllegalArgumentException ||
                ex instanceof IOException || ex instanceof UncheckedIOException;
            cl.getErr().println("compare failed: " + (explained ? ex.getMessage() : describe(ex)));
            cl.getErr().flush();
            return 1;
        });
        commandLine.setParameterExceptionHandler((ex, a) ->
        {
            final CommandLine cl = ex.getCommandLine();
            cl.getErr().println("compare: " + ex.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, cl.getErr());
            cl.getErr().println("Run with --help for the options.");
            cl.getErr().flush();
            return cl.getCommandSpec().exitCodeOnInvalidInput();
        });
        return commandLine;
    }

    @Override
    public Integer call() throws Exception
    {
        if (smoke)
        {
            applySmoke(spec.commandLine().getParseResult());
        }
        validate();
        final String jdk = probeJvm();
        final List<String> ferryFlags = BenchmarkMain.readFlags();
        final Path raw = out.resolve("raw");
        Files.createDirectories(raw);
        Files.createDirectories(workRoot);
        removeEarlierRun(out, raw);
        printPlan();

        final Thread stopWorker = new Thread(this::stopRunning, "compare-stop-worker");
        Runtime.getRuntime().addShutdownHook(stopWorker);
        final List<Outcome> outcomes = new ArrayList<>();
        try
        {
            for (int i = 0; i < contenders.size(); i++)
            {
                outcomes.add(runWorker(contenders.get(i), i + 1, ferryFlags, raw));
            }
        }
        finally
        {
            try
            {
                Runtime.getRuntime().removeShutdownHook(stopWorker);
            }
            catch (final IllegalStateException ignore)
            {
                // the JVM is shutting down: the hook stops the worker
            }
        }

        report(outcomes, raw, jdk, ferryFlags);
        return outcomes.stream().anyMatch(o -> o.status() == Status.FAILED) ? 1 : 0;
    }

    /**
     * The command that starts one contender's worker.
     *
     * @param java       the Java executable.
     * @param ferryFlags Ferry's JVM flags.
     * @param contender  the contender's name.
     * @param classPath  the class path of the worker: this JVM's.
     * @param raw        where the worker writes its files.
     * @param workDir    the contender's scratch directory.
     * @param options    what to measure.
     * @return the command and its arguments.
     */
    static List<String> workerCommand(
        final String java,
        final List<String> ferryFlags,
        final String contender,
        final String classPath,
        final Path raw,
        final Path workDir,
        final RunOptions options)
    {
        final List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(ferryFlags);
        command.addAll(Contenders.jvmFlags(contender));
        command.add(WORKER_HEAP);
        command.add("-cp");
        command.add(classPath);
        command.add(CompareWorker.class.getName());
        command.add("--contender=" + contender);
        command.add("--out=" + raw);
        command.add("--work-dir=" + workDir);
        command.addAll(options.toArguments());
        return command;
    }

    /**
     * How long a worker measures at these options: an upper bound, as an iteration may end early at
     * {@code --iteration-bytes}; start-up, a broker's for one, comes on top.
     *
     * @param options what to measure.
     * @return the time one contender spends measuring.
     */
    static Duration measuringTime(final RunOptions options)
    {
        final Duration throughput = options.iterationTime
            .multipliedBy((long)options.sizes.size() * (options.warmupIterations + options.iterations));
        final Duration latency = options.latencyRate > 0 ? options.latencyTime.multipliedBy(6).dividedBy(5) : Duration.ZERO;
        return throughput.plus(latency);
    }

    /**
     * The line of a failed worker's log that says why: the last exception it printed that is not the cause
     * of another, else its last line.
     *
     * @param lines the end of the log.
     * @return that line; empty if the log is.
     */
    static String failureLine(final List<String> lines)
    {
        String last = "";
        for (int i = lines.size() - 1; i >= 0; i--)
        {
            final String line = lines.get(i).strip();
            if (!line.isEmpty() && last.isEmpty())
            {
                last = line;
            }
            if (EXCEPTION_LINE.matcher(lines.get(i)).matches())
            {
                return line;
            }
        }
        return last;
    }

    /**
     * @param words of a command.
     * @return the command as a POSIX shell reads it back: a word quoted only when it must be.
     */
    static String shellQuote(final List<String> words)
    {
        return words.stream().map(word -> SHELL_SAFE.matcher(word).matches() ? word :
            "'" + word.replace("'", "'\\''") + "'").collect(Collectors.joining(" "));
    }

    private void applySmoke(final ParseResult parsed)
    {
        final List<String> given = SMOKE_SETS.stream().filter(parsed::hasMatchedOption).collect(Collectors.toList());
        if (!given.isEmpty())
        {
            throw new ParameterException(spec.commandLine(), "--smoke sets " + String.join(", ", given) +
                " itself; drop --smoke to choose " + (1 == given.size() ? "it" : "them"));
        }
        options.sizes = new ArrayList<>(List.of(64L, 64L << 10));
        options.warmupIterations = 0;
        options.iterations = 1;
        options.iterationTime = Duration.ofMillis(200);
        options.latencyRate = 1000;
        options.latencyTime = Duration.ofSeconds(1);
    }

    private void validate()
    {
        final CommandLine commandLine = spec.commandLine();
        try
        {
            options.validate();
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(commandLine, ex.getMessage(), ex, null, null);
        }
        final List<String> names = new ArrayList<>();
        final Set<String> seen = new HashSet<>();
        for (final String name : contenders)
        {
            final String trimmed = name.trim();
            if (!Contenders.NAMES.contains(trimmed))
            {
                throw new ParameterException(commandLine, "--contenders: no contender is named '" + trimmed +
                    "'; there are " + String.join(", ", Contenders.NAMES));
            }
            if (!seen.add(trimmed))
            {
                throw new ParameterException(commandLine, "--contenders names " + trimmed + " twice");
            }
            names.add(trimmed);
        }
        if (names.isEmpty())
        {
            throw new ParameterException(commandLine, "--contenders names no contender");
        }
        contenders = names;
        if (workerTimeout.toSeconds() < 1)
        {
            throw new ParameterException(commandLine, "--worker-timeout must be at least 1s, was " + workerTimeout);
        }
        for (final Path dir : List.of(out, workRoot))
        {
            if (Files.exists(dir) && !Files.isDirectory(dir))
            {
                throw new ParameterException(commandLine, (dir == out ? "--out " : "--work-dir ") + dir +
                    " is a file; name a directory");
            }
        }
        if (!Files.isRegularFile(jvm) || !Files.isExecutable(jvm))
        {
            throw new ParameterException(commandLine, "--jvm " + jvm + " is not an executable file; name a java " +
                "executable, such as $JAVA_HOME/bin/java");
        }
    }

    /**
     * Run {@code JAVA -version}: it proves the executable runs, and says what it is, for the report.
     */
    private String probeJvm() throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(jvm.toString(), "-version").redirectErrorStream(true).start();
        process.getOutputStream().close();
        final ByteArrayOutputStream text = new ByteArrayOutputStream();
        final Thread reader = new Thread(() ->
        {
            try (InputStream in = process.getInputStream())
            {
                in.transferTo(text);
            }
            catch (final IOException ignore)
            {
                // the process was stopped; what was read is enough
            }
        }, "compare-jvm-probe");
        reader.setDaemon(true);
        reader.start();
        if (!process.waitFor(STOP_GRACE_MS, TimeUnit.MILLISECONDS))
        {
            stop(process);
            throw new ParameterException(spec.commandLine(), "--jvm " + jvm + " -version did not end within " +
                STOP_GRACE_MS / 1000 + " s; name a java executable");
        }
        reader.join(STOP_GRACE_MS);
        final List<String> lines = text.toString(StandardCharsets.UTF_8).lines().map(String::strip)
            .filter(line -> !line.isEmpty()).collect(Collectors.toList());
        if (0 != process.exitValue() || lines.isEmpty())
        {
            throw new ParameterException(spec.commandLine(), "--jvm " + jvm + " -version " +
                (lines.isEmpty() ? "printed nothing" : "failed with status " + process.exitValue() + ": " +
                String.join(" / ", lines)) + "; name a java executable");
        }
        return String.join("; ", lines);
    }

    private void printPlan()
    {
        final Duration measuring = measuringTime(options);
        System.out.printf(Locale.ROOT, "Comparing %s, one JVM each, into %s%n", String.join(", ", contenders),
            out.toAbsolutePath());
        System.out.printf(Locale.ROOT, "Sizes %s; each contender measures for up to %s, plus its start-up; " +
            "--worker-timeout %s%n", options.sizes.stream().map(CompareReport::formatSize)
            .collect(Collectors.joining(", ")), words(measuring), words(workerTimeout));
        if (measuring.compareTo(workerTimeout) >= 0)
        {
            System.out.printf(Locale.ROOT, "Warning: a contender may measure for %s but is stopped after %s; " +
                "raise --worker-timeout%n", words(measuring), words(workerTimeout));
        }
    }

    private Outcome runWorker(final String name, final int place, final List<String> ferryFlags, final Path raw)
        throws IOException, InterruptedException
    {
        final Path log = raw.resolve(name + ".log");
        final Path workDir = Files.createTempDirectory(workRoot, "ferry-compare-" + name + "-");
        final List<String> command = workerCommand(
            jvm.toString(), ferryFlags, name, System.getProperty("java.class.path"), raw, workDir, options);
        Files.writeString(log, "# " + shellQuote(command) + System.lineSeparator(), StandardCharsets.UTF_8);
        final long commandBytes = Files.size(log);
        long echoed = commandBytes;
        System.out.printf(Locale.ROOT, "[%d/%d] %s (log: %s)%n", place, contenders.size(), name, log);
        final long startNs = System.nanoTime();
        final Process process;
        try
        {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        }
        catch (final IOException ex)
        {
            deleteTree(workDir);
            return failed(name, startNs, "its JVM did not start: " + ex.getMessage(), log, commandBytes);
        }
        running.set(process);
        boolean timedOut = false;
        try
        {
            process.getOutputStream().close();
            final long deadlineNs = startNs + workerTimeout.toNanos();
            while (!process.waitFor(PROGRESS_POLL_MS, TimeUnit.MILLISECONDS))
            {
                echoed = echoProgress(name, log, echoed);
                if (System.nanoTime() - deadlineNs > 0)
                {
                    timedOut = true;
                    stop(process);
                    break;
                }
            }
            echoProgress(name, log, echoed);
        }
        finally
        {
            if (process.isAlive())
            {
                stop(process);
            }
            running.set(null);
            deleteTree(workDir);
        }

        if (timedOut)
        {
            return failed(name, startNs, "it ran longer than --worker-timeout " + words(workerTimeout) +
                " and was stopped" + (process.isAlive() ? ", but still runs as process " + process.pid() +
                ": stop it yourself" : ""), log, commandBytes);
        }
        final int status = process.exitValue();
        if (0 != status)
        {
            return failed(name, startNs, "its worker ended with status " + status + ": " +
                failureLine(tail(log, commandBytes)), log, commandBytes);
        }
        final String unsupported = unsupportedReason(raw.resolve(name + ".skipped.csv"));
        final double seconds = seconds(startNs);
        if (null != unsupported)
        {
            System.out.printf(Locale.ROOT, "      skipped: it does not run here: %s%n", unsupported);
            return new Outcome(name, Status.UNSUPPORTED, seconds, unsupported);
        }
        System.out.printf(Locale.ROOT, "      done in %s s%n", CompareReport.formatNumber(seconds));
        return new Outcome(name, Status.RAN, seconds, "");
    }

    private Outcome failed(
        final String name, final long startNs, final String detail, final Path log, final long commandBytes)
    {
        final double seconds = seconds(startNs);
        System.out.printf(Locale.ROOT, "      FAILED after %s s: %s%n", CompareReport.formatNumber(seconds), detail);
        final List<String> lines = tail(log, commandBytes);
        if (!lines.isEmpty())
        {
            System.out.printf(Locale.ROOT, "      last lines of %s:%n", log);
            lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size())
                .forEach(line -> System.out.println("        " + line));
        }
        return new Outcome(name, Status.FAILED, seconds, detail);
    }

    private void report(final List<Outcome> outcomes, final Path raw, final String jdk, final List<String> ferryFlags)
        throws IOException
    {
        final CompareReport report = CompareReport.read(raw, outcomes);
        report.writeCsv(out);

        final List<String> workerJvm = new ArrayList<>();
        workerJvm.add(jvm.toString());
        workerJvm.addAll(ferryFlags);
        workerJvm.add(WORKER_HEAP);
        final String iterations = String.format(Locale.ROOT, "Throughput: median of %d iteration%s of %s " +
            "(or until %s of events arrived) per size, %s.", options.iterations,
            1 == options.iterations ? "" : "s", words(options.iterationTime),
            CompareReport.formatSize(options.iterationBytes), 0 == options.warmupIterations ? "with no warm-up" :
            "after " + options.warmupIterations + " warm-up iteration" + (1 == options.warmupIterations ? "" : "s"));
        final String latency = 0 == options.latencyRate ? "" : String.format(Locale.ROOT,
            "%s events offered at %s per second for %s, after a warm-up of a fifth as long.",
            CompareReport.formatSize(options.latencySize), CompareReport.formatNumber(options.latencyRate),
            words(options.latencyTime));
        final CompareReport.Run run = new CompareReport.Run(commandText(), String.join(" ", options.toArguments()),
            shellQuote(workerJvm), iterations, latency, CompareReport.machine(jdk, workRoot));

        List<String> plots = List.of();
        String plotProblem = "";
        try
        {
            plots = ComparePlots.write(out, report, subtitle(run, run.iterationText().replaceAll("^Throughput: ", "")),
                subtitle(run, run.latencyText()));
        }
        catch (final Exception | LinkageError | InternalError | AWTError ex)
        {
            plotProblem = plotProblem(ex);
            System.out.println("Plots are missing: " + plotProblem);
        }
        final Path markdown = report.writeMarkdown(out, run, plots, plotProblem);

        System.out.println();
        for (final Outcome outcome : outcomes)
        {
            System.out.printf(Locale.ROOT, "  %-16s %s%n", outcome.contender(), outcome.status() == Status.RAN ? "ran" :
                (outcome.status() == Status.UNSUPPORTED ? "skipped: " : "FAILED: ") + outcome.detail());
        }
        System.out.println("Report: " + markdown.toAbsolutePath());
    }

    private String commandText()
    {
        final List<String> words = new ArrayList<>();
        final String launcher = System.getProperty(LAUNCHER_PROPERTY);
        if (null != launcher)
        {
            words.add(launcher);
        }
        else
        {
            final String classPath = System.getProperty("java.class.path");
            words.add("java");
            words.add("-cp");
            words.add(classPath.length() <= 200 ? classPath : "CLASSPATH");
            words.add(Compare.class.getName());
        }
        words.addAll(args);
        return shellQuote(words);
    }

    private static String subtitle(final CompareReport.Run run, final String what)
    {
        final String jdk = run.machine().getOrDefault("JDK of the workers", "").replaceAll(";.*", "")
            .replaceAll(" \\d{4}-\\d{2}-\\d{2}.*", "");
        return run.machine().getOrDefault("Date", "") + " · " + Runtime.getRuntime().availableProcessors() +
            " cores · " + jdk + " · " + what;
    }

    private static String plotProblem(final Throwable ex)
    {
        final String trace = describe(ex).toLowerCase(Locale.ROOT);
        Throwable root = ex;
        while (null != root.getCause() && root.getCause() != root)
        {
            root = root.getCause();
        }
        final String why = root == ex ? ex.toString() : ex + " (caused by " + root + ")";
        if (trace.contains("font"))
        {
            return why + ". The JDK found no usable font: install fontconfig and a font (Debian, Ubuntu: " +
                "apt-get install fontconfig fonts-dejavu-core), then run the comparison again for the plots; the tables " +
                "and CSV files are written";
        }
        return why + "; the tables and CSV files are written";
    }

    /**
     * Show the worker's own progress lines ("NAME: throughput of ..."), not the rest of its log.
     */
    private static long echoProgress(final String name, final Path log, final long from)
    {
        try (SeekableByteChannel channel = Files.newByteChannel(log))
        {
            final long size = channel.size();
            if (size <= from)
            {
                return from;
            }
            final ByteBuffer buffer = ByteBuffer.allocate((int)Math.min(size - from, 1 << 20));
            channel.position(from);
            while (buffer.hasRemaining() && channel.read(buffer) > 0)
            {
                // read what is there
            }
            int end = buffer.position() - 1;
            while (end >= 0 && '\n' != buffer.get(end))
            {
                end--;
            }
            if (end < 0)
            {
                return buffer.hasRemaining() ? from : from + buffer.position();
            }
            final String text = new String(buffer.array(), 0, end + 1, StandardCharsets.UTF_8);
            text.lines().filter(line -> line.startsWith(name + ": ") || line.startsWith(name + " skips "))
                .forEach(line -> System.out.println("      " + line.substring(line.startsWith(name + ": ") ?
                name.length() + 2 : 0)));
            return from + end + 1;
        }
        catch (final IOException ex)
        {
            return from;
        }
    }

    private static String unsupportedReason(final Path skipped) throws IOException
    {
        if (!Files.isRegularFile(skipped))
        {
            return null;
        }
        for (final List<String> row : CompareReport.rows(skipped, CompareWorker.SKIPPED_HEADER))
        {
            if (CompareReport.ALL_SIZES.equals(row.get(1)))
            {
                return row.get(2);
            }
        }
        return null;
    }

    /**
     * The last lines of a worker's log, without the command line Compare wrote first.
     */
    private static List<String> tail(final Path log, final long from)
    {
        try (SeekableByteChannel channel = Files.newByteChannel(log))
        {
            final long size = channel.size();
            final ByteBuffer buffer = ByteBuffer.allocate((int)Math.max(0, Math.min(size - from, LOG_TAIL_BYTES)));
            channel.position(size - buffer.capacity());
            while (buffer.hasRemaining() && channel.read(buffer) > 0)
            {
                // read to the end
            }
            final List<String> lines = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8)
                .lines().collect(Collectors.toList());
            if (size - from > LOG_TAIL_BYTES && !lines.isEmpty())
            {
                lines.remove(0); // cut mid-line
            }
            return lines;
        }
        catch (final IOException ex)
        {
            return List.of("(cannot read " + log + ": " + ex.getMessage() + ")");
        }
    }

    private void stopRunning()
    {
        final Process process = running.get();
        if (null != process && process.isAlive())
        {
            stop(process);
        }
    }

    /**
     * Ask the process (and anything it started) to end, then kill it; each step with a deadline.
     */
    private static void stop(final Process process)
    {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try
        {
            if (!process.waitFor(STOP_GRACE_MS, TimeUnit.MILLISECONDS))
            {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(STOP_GRACE_MS, TimeUnit.MILLISECONDS);
            }
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Remove what an earlier run wrote, so that no stale row or plot joins this run's report: the workers
     * append to their CSV files. Only files of the report's own names are removed.
     */
    private static void removeEarlierRun(final Path out, final Path raw) throws IOException
    {
        for (final String name : Arrays.asList("compare.md", "throughput.csv", "latency.csv", "summary.csv",
            ComparePlots.THROUGHPUT_PNG, ComparePlots.LATENCY_PNG))
        {
            Files.deleteIfExists(out.resolve(name));
        }
        try (Stream<Path> files = Files.list(raw))
        {
            for (final Path file : files.collect(Collectors.toList()))
            {
                final String name = file.getFileName().toString();
                if (name.endsWith(".csv") || name.endsWith(".hgrm") || name.endsWith(".log"))
                {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    private static void deleteTree(final Path root)
    {
        IoUtil.delete(root.toFile(), (ex) ->
            System.out.println("      could not delete " + root + ": " + ex + "; delete it yourself"));
    }

    private static double seconds(final long startNs)
    {
        return (System.nanoTime() - startNs) / 1e9;
    }

    private static String words(final Duration duration)
    {
        final long ms = duration.toMillis();
        if (ms < 1000 || 0 != ms % 1000)
        {
            return ms < 10_000 ? ms + " ms" : CompareReport.formatNumber(ms / 1000.0) + " s";
        }
        final long s = ms / 1000;
        if (s < 120 || 0 != s % 60)
        {
            return s + " s";
        }
        return s % 3600 == 0 ? s / 3600 + " h" : s / 60 + " min";
    }

    private static String describe(final Throwable failure)
    {
        final StringWriter text = new StringWriter();
        failure.printStackTrace(new PrintWriter(text));
        return text.toString();
    }
}
