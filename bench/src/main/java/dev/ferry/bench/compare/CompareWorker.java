package dev.ferry.bench.compare;

import dev.ferry.bench.AppThreads;
import org.HdrHistogram.Histogram;
import org.agrona.IoUtil;
import org.agrona.concurrent.IdleStrategy;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs one contender through the comparison in a JVM of its own, so that no contender's threads,
 * JIT profile or garbage weigh on another's numbers; {@link Compare} starts one per contender.
 * <p>
 * <b>Throughput</b>, for each size: a producer thread offers events without pause, held back only
 * by the channel and by a window ({@link #window(int)}) of events it may be ahead of the consumer,
 * which is this thread. Each iteration counts the events consumed in {@code --iteration-time}, or
 * until {@code --iteration-bytes} have arrived; the first {@code --warmup-iterations} are written
 * with {@code warmup=true} and left out of the report. After the last, the producer stops and every
 * event it sent must arrive, once and in order, or the run fails; a size's rows are written only then.
 * <p>
 * <b>Latency</b> under a fixed offered load: the producer offers events of {@code --latency-size} on
 * a schedule of {@code --latency-rate} per second, stamping each with the time the schedule meant to
 * send it; the consumer records arrival time minus that time. A channel that holds the producer back
 * therefore shows the delay in every event behind it, which is the correction for coordinated
 * omission: a late send does not hide the wait. A warm-up of a fifth of {@code --latency-time} runs
 * first and is not recorded.
 * <p>
 * Output under {@code --out}: {@code NAME.throughput.csv}, {@code NAME.latency.csv},
 * {@code NAME.latency.hgrm} (HdrHistogram's percentile distribution, in microseconds) and
 * {@code NAME.skipped.csv} (sizes, or the whole contender, that cannot run here, with the reason).
 * Exit status 0 when the contender ran or is unsupported here, 1 when it failed, with the reason on
 * standard error.
 */
@Command(name = "compare-worker", mixinStandardHelpOptions = true,
    description = "Run one contender of the comparison; started by Compare, one JVM per contender.")
public final class CompareWorker implements Callable<Integer>
{
    /**
     * Bytes of events the producer may be ahead of the consumer.
     */
    static final long WINDOW_BYTES = 64L << 20;

    /**
     * Events the producer may be ahead of the consumer, however large they are.
     */
    static final int MIN_WINDOW_EVENTS = 4;

    /**
     * Events the producer may be ahead of the consumer, however small they are.
     */
    static final int MAX_WINDOW_EVENTS = 16384;

    /**
     * Most events one poll hands over.
     */
    static final int POLL_LIMIT = 256;

    /**
     * Longest the consumer waits for the next event before the run fails.
     */
    static final long STALL_NS = AppThreads.TIMEOUT_NS;

    static final String THROUGHPUT_HEADER = "contender,size_bytes,iteration,warmup,events,elapsed_ns,events_per_s,mib_per_s";
    static final String LATENCY_HEADER =
        "contender,size_bytes,offered_per_s,events,p50_ns,p90_ns,p99_ns,p99_9_ns,p99_99_ns,max_ns";
    static final String SKIPPED_HEADER = "contender,size_bytes,reason";

    @Option(names = "--contender", required = true, description = "The contender to run: ${COMPLETION-CANDIDATES}.",
        completionCandidates = Contenders.Names.class)
    String contenderName;

    @Option(names = "--out", required = true, description = "Directory for the CSV files.")
    Path out;

    @Option(names = "--work-dir", required = true, description = "An empty directory for the contender's files.")
    Path workDir;

    @Mixin
    RunOptions options;

    private final AtomicLong produced = new AtomicLong();
    private final AtomicLong consumed = new AtomicLong();
    private volatile boolean producing;
    private volatile Throwable producerFailure;
    private long expected;

    /**
     * @param args the worker's options; {@code --help} lists them.
     */
    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new CompareWorker()).execute(args));
    }

    /**
     * Bytes-based window of the producer, bounded by event counts.
     *
     * @param size of every event.
     * @return events the producer may be ahead of the consumer.
     */
    static int window(final int size)
    {
        return (int)Math.min(MAX_WINDOW_EVENTS, Math.max(MIN_WINDOW_EVENTS, WINDOW_BYTES / size));
    }

    @Override
    public Integer call() throws Exception
    {
        options.validate();
        Files.createDirectories(out);
        Files.createDirectories(workDir);
        final Contender contender = Contenders.create(contenderName);
        try (contender)
        {
            try
            {
                contender.start(workDir);
            }
            catch (final ContenderUnsupportedException ex)
            {
                skipped(contender.name(), "all", ex.getMessage());
                System.err.println(contender.name() + " does not run here: " + ex.getMessage());
                return 0;
            }
            for (final long size : options.sizes)
            {
                throughput(contender, (int)size);
            }
            if (options.latencyRate > 0)
            {
                latency(contender, (int)options.latencySize);
            }
        }
        finally
        {
            IoUtil.delete(workDir.toFile(), false);
        }
        return 0;
    }

    private void throughput(final Contender contender, final int size) throws Exception
    {
        final Channel channel = openOrSkip(contender, size);
        if (null == channel)
        {
            return;
        }
        System.err.printf(Locale.ROOT, "%s: throughput of %d-byte events%n", contender.name(), size);
        final int window = window(size);
        produced.set(0);
        consumed.set(0);
        expected = 0;
        producerFailure = null;
        producing = true;
        final Thread producer = AppThreads.start(contender.name() + "-producer", () -> produceFlat(channel, window));
        final EventSink sink = this::inOrder;
        final IdleStrategy idle = AppThreads.newIdleStrategy();
        final List<String> rows = new ArrayList<>();
        try (channel)
        {
            final long iterationNs = options.iterationTime.toNanos();
            final long iterationEvents = Math.max(1, options.iterationBytes / size);
            final int total = options.warmupIterations + options.iterations;
            for (int i = 0; i < total; i++)
            {
                final long first = expected;
                final long startNs = System.nanoTime();
                final long endNs = startNs + iterationNs;
                long lastEventNs = startNs;
                long nowNs = startNs;
                while (endNs - nowNs > 0 && expected - first < iterationEvents)
                {
                    final int received = channel.poll(sink, POLL_LIMIT);
                    nowNs = System.nanoTime();
                    if (received > 0)
                    {
                        lastEventNs = nowNs;
                        idle.reset();
                    }
                    else
                    {
                        checkStall(contender, size, lastEventNs, nowNs);
                        idle.idle();
                    }
                }
                final long events = expected - first;
                final long elapsedNs = System.nanoTime() - startNs;
                final double eventsPerSecond = events * 1e9 / elapsedNs;
                rows.add(String.format(Locale.ROOT,
                    "%s,%d,%d,%b,%d,%d,%.1f,%.3f", contender.name(), size, i, i < options.warmupIterations, events,
                    elapsedNs, eventsPerSecond, eventsPerSecond * size / (1 << 20)));
            }
            stopProducer(producer);
            drain(contender, channel, size, sink);
        }
        finally
        {
            producing = false;
        }
        for (final String row : rows) // only once every event sent arrived, once and in order
        {
            append(contender.name() + ".throughput.csv", THROUGHPUT_HEADER, row);
        }
    }

    private void latency(final Contender contender, final int size) throws Exception
    {
        final Channel channel = openOrSkip(contender, size);
        if (null == channel)
        {
            return;
        }
        final long rate = options.latencyRate;
        final long measuredEvents = Math.max(1, rate * options.latencyTime.toMillis() / 1000);
        final long warmupEvents = measuredEvents / 5;
        System.err.printf(Locale.ROOT, "%s: latency of %d-byte events at %d per second%n", contender.name(), size, rate);
        final Histogram histogram = new Histogram(3);
        produced.set(0);
        consumed.set(0);
        expected = 0;
        producerFailure = null;
        producing = true;
        final Thread producer = AppThreads.start(
            contender.name() + "-producer", () -> produceScheduled(channel, rate, warmupEvents + measuredEvents));
        final EventSink sink = (seq, sentNs) ->
        {
            final long latencyNs = System.nanoTime() - sentNs;
            inOrder(seq, sentNs);
            if (seq >= warmupEvents)
            {
                histogram.recordValue(Math.max(0, latencyNs));
            }
        };
        try (channel)
        {
            drain(contender, channel, size, sink, warmupEvents + measuredEvents);
            stopProducer(producer);
            drain(contender, channel, size, sink);
        }
        finally
        {
            producing = false;
        }
        append(contender.name() + ".latency.csv", LATENCY_HEADER, String.format(Locale.ROOT,
            "%s,%d,%d,%d,%d,%d,%d,%d,%d,%d", contender.name(), size, rate, histogram.getTotalCount(),
            histogram.getValueAtPercentile(50), histogram.getValueAtPercentile(90),
            histogram.getValueAtPercentile(99), histogram.getValueAtPercentile(99.9),
            histogram.getValueAtPercentile(99.99), histogram.getMaxValue()));
        try (PrintStream hgrm = new PrintStream(
            Files.newOutputStream(out.resolve(contender.name() + ".latency.hgrm")), false, StandardCharsets.UTF_8))
        {
            histogram.outputPercentileDistribution(hgrm, 5, 1000.0);
        }
    }

    private Channel openOrSkip(final Contender contender, final int size) throws Exception
    {
        try
        {
            return contender.open(size);
        }
        catch (final ContenderUnsupportedException ex)
        {
            System.err.println(contender.name() + " skips " + size + "-byte events: " + ex.getMessage());
            skipped(contender.name(), Integer.toString(size), ex.getMessage());
            return null;
        }
    }

    private void inOrder(final long seq, final long sentNs)
    {
        if (seq != expected)
        {
            throw new IllegalStateException(
                contenderName + " delivered event " + seq + " where event " + expected + " was next: events were " +
                "lost, repeated or reordered");
        }
        consumed.lazySet(++expected);
    }

    private void produceFlat(final Channel channel, final int window)
    {
        final IdleStrategy idle = AppThreads.newIdleStrategy();
        long seq = 0;
        try
        {
            while (producing)
            {
                if (seq - consumed.get() >= window || !channel.offer(seq, System.nanoTime()))
                {
                    channel.flush();
                    idle.idle();
                    continue;
                }
                produced.lazySet(++seq);
                idle.reset();
            }
            channel.flush();
        }
        catch (final RuntimeException | Error ex)
        {
            producerFailure = ex;
        }
    }

    private void produceScheduled(final Channel channel, final long rate, final long events)
    {
        final IdleStrategy idle = AppThreads.newIdleStrategy();
        final long intervalNs = TimeUnit.SECONDS.toNanos(1) / rate;
        final long startNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10);
        try
        {
            for (long seq = 0; seq < events && producing; seq++)
            {
                final long dueNs = startNs + seq * intervalNs;
                for (long waitNs = dueNs - System.nanoTime(); waitNs > 0; waitNs = dueNs - System.nanoTime())
                {
                    if (waitNs > TimeUnit.MICROSECONDS.toNanos(50))
                    {
                        LockSupport.parkNanos(waitNs - TimeUnit.MICROSECONDS.toNanos(50));
                    }
                    else
                    {
                        Thread.onSpinWait();
                    }
                }
                idle.reset();
                while (!channel.offer(seq, dueNs))
                {
                    channel.flush();
                    if (!producing)
                    {
                        return;
                    }
                    idle.idle();
                }
                channel.flush();
                produced.lazySet(seq + 1);
            }
        }
        catch (final RuntimeException | Error ex)
        {
            producerFailure = ex;
        }
    }

    private void stopProducer(final Thread producer)
    {
        producing = false;
        AppThreads.join(producer);
        if (null != producerFailure)
        {
            throw new IllegalStateException(contenderName + "'s producer failed: " + producerFailure, producerFailure);
        }
    }

    /**
     * Consume until every event the (stopped) producer sent has arrived, then check that no more do.
     */
    private void drain(final Contender contender, final Channel channel, final int size, final EventSink sink)
    {
        drain(contender, channel, size, sink, produced.get());
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        final int extra = channel.poll(sink, POLL_LIMIT); // throws on a repeated event before returning
        if (0 != extra)
        {
            throw new IllegalStateException(
                contender.name() + " delivered " + extra + " events more than the " + produced.get() + " sent");
        }
    }

    private void drain(
        final Contender contender, final Channel channel, final int size, final EventSink sink, final long until)
    {
        final IdleStrategy idle = AppThreads.newIdleStrategy();
        long lastEventNs = System.nanoTime();
        while (expected < until)
        {
            final long nowNs = System.nanoTime();
            if (channel.poll(sink, POLL_LIMIT) > 0)
            {
                lastEventNs = nowNs;
                idle.reset();
            }
            else
            {
                checkStall(contender, size, lastEventNs, nowNs);
                idle.idle();
            }
        }
    }

    private void checkStall(final Contender contender, final int size, final long lastEventNs, final long nowNs)
    {
        if (nowNs - lastEventNs - STALL_NS > 0)
        {
            throw new IllegalStateException(
                contender.name() + " delivered no " + size + "-byte event for " +
                TimeUnit.NANOSECONDS.toSeconds(STALL_NS) + " s: event " + expected + " is next, " + produced.get() +
                " were sent" + (null == producerFailure ? "" : "; the producer failed: " + describe(producerFailure)));
        }
        if (null != producerFailure)
        {
            throw new IllegalStateException(contender.name() + "'s producer failed: " + describe(producerFailure));
        }
    }

    private void skipped(final String name, final String size, final String reason) throws IOException
    {
        append(name + ".skipped.csv", SKIPPED_HEADER, name + "," + size + "," + CsvFiles.quote(reason));
    }

    private void append(final String file, final String header, final String row) throws IOException
    {
        final Path path = out.resolve(file);
        if (!Files.exists(path))
        {
            Files.writeString(path, header + "\n", StandardCharsets.UTF_8);
        }
        Files.writeString(path, row + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    private static String describe(final Throwable failure)
    {
        final StringWriter text = new StringWriter();
        failure.printStackTrace(new PrintWriter(text));
        return text.toString();
    }
}
