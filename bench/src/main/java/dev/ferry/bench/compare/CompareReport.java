package dev.ferry.bench.compare;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The comparison's results, read back from the files every {@link CompareWorker} wrote under
 * {@code DIR/raw}, and the report made of them: {@code throughput.csv} and {@code latency.csv} (every
 * contender's rows in one file each), {@code summary.csv} (medians per contender and size) and
 * {@code compare.md}, the tables a reader looks at, with the targets Ferry is held to.
 * <p>
 * Reading and writing are apart from running, so that the report is written for the contenders that
 * ran even when another failed; the computations are small static methods, tested on their own.
 */
final class CompareReport
{
    /**
     * The contender every ratio is taken to: Ferry delivering events in place.
     */
    static final String FERRY = FerryContender.IN_PLACE;

    /**
     * The second reference of the ratios: Ferry copying each event out.
     */
    static final String FERRY_COPY = FerryContender.COPY;

    /**
     * Header of {@code summary.csv}.
     */
    static final String SUMMARY_HEADER =
        "contender,size_bytes,iterations,median_events_per_s,median_mib_per_s,min_mib_per_s,max_mib_per_s";

    /**
     * The {@code size_bytes} of a skipped row that stands for every size: the contender does not run here.
     */
    static final String ALL_SIZES = "all";

    /**
     * Size of the events of the memcpy target.
     */
    static final long MEMCPY_TARGET_SIZE = 4L << 20;

    /**
     * Share of memcpy's throughput Ferry must reach at {@link #MEMCPY_TARGET_SIZE}.
     */
    static final double MEMCPY_TARGET_RATIO = 0.8;

    /**
     * Size of the events of the Aeron target.
     */
    static final long AERON_TARGET_SIZE = 64;

    /**
     * Share of Aeron IPC's events/s Ferry must reach at {@link #AERON_TARGET_SIZE}.
     */
    static final double AERON_TARGET_RATIO = 0.5;

    /**
     * From this size up, Ferry must be ahead of the peers of {@link #AHEAD_OF}.
     */
    static final long AHEAD_FROM_SIZE = 64L << 10;

    /**
     * The peers Ferry must be ahead of at every size from {@link #AHEAD_FROM_SIZE}.
     */
    static final List<String> AHEAD_OF = List.of(KafkaContender.NAME, ChronicleContender.NAME, NioContender.NAME);

    private static final String NONE = "—";

    /**
     * How a contender's worker ended.
     */
    enum Status
    {
        /**
         * It measured what it could; some sizes may be skipped.
         */
        RAN,

        /**
         * It cannot run here at all, for the reason given: not a failure.
         */
        UNSUPPORTED,

        /**
         * Its worker failed, timed out or did not start.
         */
        FAILED
    }

    /**
     * What became of one contender's worker, as the report states it.
     *
     * @param contender its name.
     * @param status    how it ended.
     * @param seconds   how long its worker ran.
     * @param detail    the reason it is unsupported or failed; empty when it ran.
     */
    record Outcome(String contender, Status status, double seconds, String detail)
    {
    }

    /**
     * One row of a {@code NAME.throughput.csv}: one iteration of one size.
     */
    record Iteration(
        String contender, long size, int iteration, boolean warmup, long events, long elapsedNs, double eventsPerS,
        double mibPerS)
    {
    }

    /**
     * One row of a {@code NAME.latency.csv}: the percentiles of one latency run, in nanoseconds.
     */
    record Latency(
        String contender, long size, long offeredPerS, long events, long p50, long p90, long p99, long p999,
        long p9999, long max)
    {
    }

    /**
     * One row of a {@code NAME.skipped.csv}.
     *
     * @param contender that skipped.
     * @param size      the size in bytes, or {@link #ALL_SIZES}.
     * @param reason    as the contender gave it.
     */
    record Skip(String contender, String size, String reason)
    {
    }

    /**
     * The measured (not warm-up) iterations of one contender at one size, reduced.
     */
    record Summary(
        String contender, long size, int iterations, double medianEventsPerS, double medianMibPerS, double minMibPerS,
        double maxMibPerS)
    {
    }

    /**
     * What a target came to.
     */
    enum Verdict
    {
        /**
         * Met.
         */
        PASS,

        /**
         * Measured and not met.
         */
        MISS,

        /**
         * A result it needs is missing: a contender or size was not run, skipped or failed.
         */
        NOT_MEASURED
    }

    /**
     * One target of the report.
     *
     * @param target   what is asked.
     * @param measured what was measured, or why it could not be.
     * @param verdict  the outcome.
     */
    record Target(String target, String measured, Verdict verdict)
    {
    }

    /**
     * How the run was made, for the last section of the report.
     *
     * @param command       the command as typed, shell-quoted.
     * @param runArguments  the options every worker received.
     * @param workerJvm     the worker JVM and its flags, without class path.
     * @param iterationText what one size's throughput run is, in words.
     * @param latencyText   what the latency run is, in words; empty if there was none.
     * @param machine       label and value of each fact about the machine, in order.
     */
    record Run(
        String command, String runArguments, String workerJvm, String iterationText, String latencyText,
        Map<String, String> machine)
    {
    }

    private final List<String> contenders;
    private final List<Outcome> outcomes;
    private final List<Iteration> iterations;
    private final List<Latency> latencies;
    private final List<Skip> skips;
    private final List<Summary> summaries;

    private CompareReport(
        final List<String> contenders,
        final List<Outcome> outcomes,
        final List<Iteration> iterations,
        final List<Latency> latencies,
        final List<Skip> skips)
    {
        this.contenders = contenders;
        this.outcomes = outcomes;
        this.iterations = iterations;
        this.latencies = latencies;
        this.skips = skips;
        this.summaries = summarise(iterations);
    }

    /**
     * Read what the workers wrote.
     *
     * @param rawDir   the directory the workers wrote into.
     * @param outcomes of the workers, in the order they ran: the order of the report.
     * @return the results.
     * @throws IOException           if a file cannot be read.
     * @throws IllegalStateException naming the file and line of a row that is not as {@link CompareWorker} writes it.
     */
    static CompareReport read(final Path rawDir, final List<Outcome> outcomes) throws IOException
    {
        final List<String> order = new ArrayList<>();
        outcomes.forEach(outcome -> order.add(outcome.contender()));
        final List<Iteration> iterations = new ArrayList<>();
        final List<Latency> latencies = new ArrayList<>();
        final List<Skip> skips = new ArrayList<>();
        for (final Path file : files(rawDir, ".throughput.csv"))
        {
            for (final List<String> row : rows(file, CompareWorker.THROUGHPUT_HEADER))
            {
                try
                {
                    iterations.add(new Iteration(row.get(0), Long.parseLong(row.get(1)), Integer.parseInt(row.get(2)),
                        Boolean.parseBoolean(row.get(3)), Long.parseLong(row.get(4)), Long.parseLong(row.get(5)),
                        Double.parseDouble(row.get(6)), Double.parseDouble(row.get(7))));
                }
                catch (final NumberFormatException ex)
                {
                    throw notANumber(file, row, ex);
                }
            }
        }
        for (final Path file : files(rawDir, ".latency.csv"))
        {
            for (final List<String> row : rows(file, CompareWorker.LATENCY_HEADER))
            {
                final long[] n = new long[9];
                try
                {
                    for (int i = 0; i < n.length; i++)
                    {
                        n[i] = Long.parseLong(row.get(i + 1));
                    }
                }
                catch (final NumberFormatException ex)
                {
                    throw notANumber(file, row, ex);
                }
                latencies.add(new Latency(row.get(0), n[0], n[1], n[2], n[3], n[4], n[5], n[6], n[7], n[8]));
            }
        }
        for (final Path file : files(rawDir, ".skipped.csv"))
        {
            for (final List<String> row : rows(file, CompareWorker.SKIPPED_HEADER))
            {
                if (!ALL_SIZES.equals(row.get(1)) && !row.get(1).matches("\\d{1,18}"))
                {
                    throw new IllegalStateException(file + " skips size '" + row.get(1) + "', which is neither a " +
                        "number of bytes nor '" + ALL_SIZES + "'");
                }
                skips.add(new Skip(row.get(0), row.get(1), row.get(2)));
            }
        }
        iterations.forEach(row -> addIfAbsent(order, row.contender()));
        latencies.forEach(row -> addIfAbsent(order, row.contender()));
        skips.forEach(row -> addIfAbsent(order, row.contender()));
        final Map<String, Integer> rank = new LinkedHashMap<>();
        order.forEach(name -> rank.put(name, rank.size()));
        iterations.sort((a, b) -> Integer.compare(rank.get(a.contender()), rank.get(b.contender())));
        latencies.sort((a, b) -> Integer.compare(rank.get(a.contender()), rank.get(b.contender())));
        skips.sort((a, b) -> Integer.compare(rank.get(a.contender()), rank.get(b.contender())));
        return new CompareReport(order, List.copyOf(outcomes), iterations, latencies, skips);
    }

    /**
     * @return every contender of the report, in order.
     */
    List<String> contenders()
    {
        return contenders;
    }

    /**
     * @return the medians per contender and size, contenders in order, sizes ascending.
     */
    List<Summary> summaries()
    {
        return summaries;
    }

    /**
     * Write {@code throughput.csv}, {@code latency.csv} and {@code summary.csv}.
     *
     * @param out the directory of the report.
     * @throws IOException if a file cannot be written.
     */
    void writeCsv(final Path out) throws IOException
    {
        final List<String> throughput = new ArrayList<>();
        throughput.add(CompareWorker.THROUGHPUT_HEADER);
        for (final Iteration row : iterations)
        {
            throughput.add(String.format(Locale.ROOT, "%s,%d,%d,%b,%d,%d,%.1f,%.3f", CsvFiles.quote(row.contender()),
                row.size(), row.iteration(), row.warmup(), row.events(), row.elapsedNs(), row.eventsPerS(),
                row.mibPerS()));
        }
        final List<String> latency = new ArrayList<>();
        latency.add(CompareWorker.LATENCY_HEADER);
        for (final Latency row : latencies)
        {
            latency.add(String.format(Locale.ROOT, "%s,%d,%d,%d,%d,%d,%d,%d,%d,%d", CsvFiles.quote(row.contender()),
                row.size(), row.offeredPerS(), row.events(), row.p50(), row.p90(), row.p99(), row.p999(), row.p9999(),
                row.max()));
        }
        final List<String> summary = new ArrayList<>();
        summary.add(SUMMARY_HEADER);
        for (final Summary row : summaries)
        {
            summary.add(String.format(Locale.ROOT, "%s,%d,%d,%.1f,%.3f,%.3f,%.3f", CsvFiles.quote(row.contender()),
                row.size(), row.iterations(), row.medianEventsPerS(), row.medianMibPerS(), row.minMibPerS(),
                row.maxMibPerS()));
        }
        Files.write(out.resolve("throughput.csv"), throughput, StandardCharsets.UTF_8);
        Files.write(out.resolve("latency.csv"), latency, StandardCharsets.UTF_8);
        Files.write(out.resolve("summary.csv"), summary, StandardCharsets.UTF_8);
    }

    /**
     * Write {@code compare.md}.
     *
     * @param out         the directory of the report.
     * @param run         how the run was made.
     * @param plots       the plots written, as file names relative to {@code out}.
     * @param plotProblem why plots are missing; empty if none is.
     * @return the file written.
     * @throws IOException if it cannot be written.
     */
    Path writeMarkdown(final Path out, final Run run, final List<String> plots, final String plotProblem)
        throws IOException
    {
        final Path file = out.resolve("compare.md");
        Files.writeString(file, markdown(run, plots, plotProblem), StandardCharsets.UTF_8);
        return file;
    }

    /**
     * @param run         how the run was made.
     * @param plots       the plots written, as file names relative to the report.
     * @param plotProblem why plots are missing; empty if none is.
     * @return the whole report.
     */
    String markdown(final Run run, final List<String> plots, final String plotProblem)
    {
        final StringBuilder md = new StringBuilder();
        md.append("# Ferry beside its peers\n\n");
        md.append("Measured ").append(run.machine().getOrDefault("Date", "")).append(" by `")
            .append(run.command()).append("`. Each contender ran in a JVM of its own, moving events from one producer ")
            .append("thread to one consumer thread; the producer stays at most about 64 MiB of events ahead. ")
            .append(run.iterationText()).append("\n\n");

        final List<Outcome> failed = outcomes.stream().filter(o -> o.status() == Status.FAILED).collect(Collectors.toList());
        if (!failed.isEmpty())
        {
            md.append("**Failed:** ").append(failed.stream().map(o -> "`" + o.contender() + "`")
                .collect(Collectors.joining(", "))).append(" (see [Failed](#failed)); the tables hold what they ")
                .append("measured before failing, if anything.\n\n");
        }

        final List<String> columns = throughputColumns();
        final List<Long> sizes = sizes();
        md.append("## Throughput\n\n");
        if (columns.isEmpty())
        {
            md.append("No contender measured any size.\n\n");
        }
        else
        {
            md.append("Median MiB/s over the measured iterations (events/s below); higher is better.\n\n");
            throughputTable(md, columns, sizes, true);
            md.append("Median events/s.\n\n");
            throughputTable(md, columns, sizes, false);
            ratioSection(md, columns, sizes, FERRY);
            ratioSection(md, columns, sizes, FERRY_COPY);
        }

        latencySection(md, run.latencyText());
        targetSection(md);
        skippedSection(md);
        if (!failed.isEmpty())
        {
            md.append("## Failed\n\n");
            for (final Outcome outcome : failed)
            {
                md.append("- `").append(outcome.contender()).append("` after ")
                    .append(formatNumber(outcome.seconds())).append(" s: ").append(oneLine(outcome.detail()))
                    .append(" (its log: `raw/").append(outcome.contender()).append(".log`)\n");
            }
            md.append('\n');
        }

        md.append("## Plots\n\n");
        for (final String plot : plots)
        {
            md.append("![").append(plot).append("](").append(plot).append(")\n\n");
        }
        if (!plotProblem.isEmpty())
        {
            md.append("Plots are missing: ").append(oneLine(plotProblem)).append("\n\n");
        }
        else if (plots.isEmpty())
        {
            md.append("Nothing to plot.\n\n");
        }

        md.append("## How this was made\n\n");
        for (final Map.Entry<String, String> fact : run.machine().entrySet())
        {
            md.append("- ").append(fact.getKey()).append(": ").append(fact.getValue()).append('\n');
        }
        md.append("- Command: `").append(run.command()).append("`\n");
        md.append("- Options every worker ran with: `").append(run.runArguments()).append("`\n");
        md.append("- Worker JVM: `").append(run.workerJvm()).append("` and a contender's own flags (see `raw/NAME.log`)\n");
        md.append("- Files: `throughput.csv` (every iteration, warm-up marked), `latency.csv`, `summary.csv` ")
            .append("(median, min and max per contender and size), `raw/` (each worker's files and log)\n");
        return md.toString();
    }

    private void throughputTable(
        final StringBuilder md, final List<String> columns, final List<Long> sizes, final boolean mib)
    {
        header(md, "Event size", columns);
        for (final long size : sizes)
        {
            md.append("| ").append(formatSize(size));
            for (final String contender : columns)
            {
                final Summary summary = summary(contender, size);
                md.append(" | ").append(null != summary ?
                    (mib ? formatNumber(summary.medianMibPerS()) : formatCount(summary.medianEventsPerS())) :
                    missing(contender, size));
            }
            md.append(" |\n");
        }
        md.append('\n');
    }

    private void ratioSection(
        final StringBuilder md, final List<String> columns, final List<Long> sizes, final String reference)
    {
        if (!columns.contains(reference))
        {
            if (FERRY.equals(reference))
            {
                md.append("## Ratio to Ferry\n\nNone: `").append(FERRY).append("` measured no size.\n\n");
            }
            return;
        }
        md.append(FERRY.equals(reference) ? "## Ratio to Ferry\n\n" : "### Ratio to Ferry copying events out\n\n");
        md.append("Each contender's median throughput divided by `").append(reference)
            .append("`'s at the same size (the same for MiB/s and events/s); below 1 is slower than `")
            .append(reference).append("`.\n\n");
        header(md, "Event size", columns);
        for (final long size : sizes)
        {
            md.append("| ").append(formatSize(size));
            final Summary ferry = summary(reference, size);
            for (final String contender : columns)
            {
                final Summary summary = summary(contender, size);
                md.append(" | ");
                if (null == summary)
                {
                    md.append(missing(contender, size));
                }
                else if (null == ferry)
                {
                    md.append(NONE);
                }
                else
                {
                    md.append(formatRatio(ratio(summary.medianMibPerS(), ferry.medianMibPerS())));
                }
            }
            md.append(" |\n");
        }
        md.append('\n');
    }

    private void latencySection(final StringBuilder md, final String latencyText)
    {
        md.append("## Latency\n\n");
        if (latencyText.isEmpty())
        {
            md.append("Not measured (`--latency-rate 0`).\n\n");
            return;
        }
        md.append(latencyText).append(" Microseconds from the time each event was due to be sent to its arrival, ")
            .append("so that a producer held back shows in every event behind it (corrected for coordinated ")
            .append("omission).\n\n");
        final List<String> skippedHere = new ArrayList<>();
        if (latencies.isEmpty())
        {
            md.append("No contender measured latency.\n\n");
        }
        else
        {
            md.append("| Contender | Event size | Offered/s | Events | p50 | p90 | p99 | p99.9 | p99.99 | max |\n");
            md.append("|:--|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
            for (final Latency row : latencies)
            {
                md.append("| ").append(row.contender()).append(" | ").append(formatSize(row.size())).append(" | ")
                    .append(formatNumber(row.offeredPerS())).append(" | ").append(formatNumber(row.events()));
                for (final long ns : new long[]{row.p50(), row.p90(), row.p99(), row.p999(), row.p9999(), row.max()})
                {
                    md.append(" | ").append(formatMicros(ns));
                }
                md.append(" |\n");
            }
            md.append('\n');
        }
        for (final String contender : contenders)
        {
            final boolean measured = latencies.stream().anyMatch(row -> row.contender().equals(contender));
            if (!measured && outcome(contender).map(o -> o.status() == Status.RAN).orElse(false))
            {
                skippedHere.add("`" + contender + "`");
            }
        }
        if (!skippedHere.isEmpty())
        {
            md.append("No latency from ").append(String.join(", ", skippedHere))
                .append(": its latency size is skipped (see [Skipped](#skipped)).\n\n");
        }
    }

    private void targetSection(final StringBuilder md)
    {
        md.append("## Targets\n\n");
        md.append("| Target | Measured | Result |\n|:--|:--|:--|\n");
        for (final Target target : targets(summaries))
        {
            md.append("| ").append(cell(target.target())).append(" | ").append(cell(target.measured())).append(" | ")
                .append(target.verdict() == Verdict.NOT_MEASURED ? "not measured" : "**" + target.verdict() + "**")
                .append(" |\n");
        }
        md.append('\n');
    }

    private void skippedSection(final StringBuilder md)
    {
        md.append("## Skipped\n\n");
        if (skips.isEmpty())
        {
            md.append("Nothing: every contender ran every size.\n\n");
            return;
        }
        md.append("Not failures: what a contender cannot do here, in its own words.\n\n");
        for (final Skip skip : skips)
        {
            md.append("- `").append(skip.contender()).append("`, ")
                .append(ALL_SIZES.equals(skip.size()) ? "does not run here" : formatSize(Long.parseLong(skip.size())) +
                " events").append(": ").append(oneLine(skip.reason())).append('\n');
        }
        md.append('\n');
    }

    /**
     * The targets Ferry is held to, from the medians.
     *
     * @param summaries medians per contender and size.
     * @return one target per row of the report's table.
     */
    static List<Target> targets(final List<Summary> summaries)
    {
        final List<Target> targets = new ArrayList<>();
        targets.add(atLeast(summaries, MEMCPY_TARGET_SIZE, MemcpyContender.NAME, MEMCPY_TARGET_RATIO, true));
        targets.add(atLeast(summaries, AERON_TARGET_SIZE, AeronContender.IPC, AERON_TARGET_RATIO, false));
        for (final String peer : AHEAD_OF)
        {
            targets.add(ahead(summaries, peer));
        }
        return targets;
    }

    private static Target atLeast(
        final List<Summary> summaries, final long size, final String peer, final double share, final boolean mib)
    {
        final String target = formatSize(size) + " events: " + FERRY + " " + (mib ? "MiB/s" : "events/s") + " ≥ " +
            share + " × " + peer + "'s";
        final Summary ferry = find(summaries, FERRY, size);
        final Summary other = find(summaries, peer, size);
        if (null == ferry || null == other)
        {
            return new Target(target, "no " + formatSize(size) + " result of " +
                (null == ferry ? FERRY : peer), Verdict.NOT_MEASURED);
        }
        final double ratio = mib ? ratio(ferry.medianMibPerS(), other.medianMibPerS()) :
            ratio(ferry.medianEventsPerS(), other.medianEventsPerS());
        return new Target(target, formatRatio(ratio), ratio >= share ? Verdict.PASS : Verdict.MISS);
    }

    private static Target ahead(final List<Summary> summaries, final String peer)
    {
        final String target = FERRY + " ahead of " + peer + " at every size from " + formatSize(AHEAD_FROM_SIZE);
        double lowest = Double.POSITIVE_INFINITY;
        long lowestSize = 0;
        final List<String> ferryMissing = new ArrayList<>();
        for (final Summary other : summaries)
        {
            if (!other.contender().equals(peer) || other.size() < AHEAD_FROM_SIZE)
            {
                continue;
            }
            final Summary ferry = find(summaries, FERRY, other.size());
            if (null == ferry)
            {
                ferryMissing.add(formatSize(other.size()));
                continue;
            }
            final double ratio = ratio(ferry.medianMibPerS(), other.medianMibPerS());
            if (ratio < lowest)
            {
                lowest = ratio;
                lowestSize = other.size();
            }
        }
        final boolean ferryFrom = summaries.stream()
            .anyMatch(s -> s.contender().equals(FERRY) && s.size() >= AHEAD_FROM_SIZE);
        if (!ferryFrom)
        {
            return new Target(target, "no result of " + FERRY + " from " + formatSize(AHEAD_FROM_SIZE),
                Verdict.NOT_MEASURED);
        }
        if (!ferryMissing.isEmpty())
        {
            return new Target(target, FERRY + " has no result at " + String.join(", ", ferryMissing) + " where " +
                peer + " has", Verdict.MISS);
        }
        if (Double.isInfinite(lowest))
        {
            return new Target(target, "no result of " + peer + " from " + formatSize(AHEAD_FROM_SIZE), Verdict.NOT_MEASURED);
        }
        return new Target(target, "lowest " + formatRatio(lowest) + " (at " + formatSize(lowestSize) + ")",
            lowest > 1.0 ? Verdict.PASS : Verdict.MISS);
    }

    /**
     * Medians of the measured iterations per contender and size.
     *
     * @param iterations every row, warm-up too.
     * @return one summary per contender and size with at least one measured iteration, contenders in the order
     * of the rows, sizes ascending.
     */
    static List<Summary> summarise(final List<Iteration> iterations)
    {
        final Map<String, Map<Long, List<Iteration>>> grouped = new LinkedHashMap<>();
        for (final Iteration row : iterations)
        {
            if (!row.warmup())
            {
                grouped.computeIfAbsent(row.contender(), k -> new TreeMap<>())
                    .computeIfAbsent(row.size(), k -> new ArrayList<>()).add(row);
            }
        }
        final List<Summary> summaries = new ArrayList<>();
        grouped.forEach((contender, bySize) -> bySize.forEach((size, rows) ->
        {
            final double[] events = rows.stream().mapToDouble(Iteration::eventsPerS).toArray();
            final double[] mib = rows.stream().mapToDouble(Iteration::mibPerS).toArray();
            summaries.add(new Summary(contender, size, rows.size(), median(events), median(mib),
                Arrays.stream(mib).min().orElse(Double.NaN), Arrays.stream(mib).max().orElse(Double.NaN)));
        }));
        return summaries;
    }

    /**
     * @param values at least one.
     * @return the middle value, or the mean of the middle two for an even count.
     * @throws IllegalArgumentException if there is none.
     */
    static double median(final double[] values)
    {
        if (0 == values.length)
        {
            throw new IllegalArgumentException("the median of no values");
        }
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        final int middle = sorted.length / 2;
        return 0 == (sorted.length & 1) ? (sorted[middle - 1] + sorted[middle]) / 2 : sorted[middle];
    }

    /**
     * @param value     of a contender.
     * @param reference of the contender compared to.
     * @return their ratio; NaN when the reference is not positive.
     */
    static double ratio(final double value, final double reference)
    {
        return reference > 0 ? value / reference : Double.NaN;
    }

    /**
     * @param bytes a size.
     * @return the size as people write it: {@code 64 B}, {@code 4 KiB}, {@code 1.5 MiB}.
     */
    static String formatSize(final long bytes)
    {
        final String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        int unit = 0;
        while (unit < units.length - 1 && Math.abs(bytes) >= 1L << (10 * (unit + 1)))
        {
            unit++;
        }
        final long scale = 1L << (10 * unit);
        if (0 == bytes % scale)
        {
            return bytes / scale + " " + units[unit];
        }
        return formatNumber((double)bytes / scale) + " " + units[unit];
    }

    /**
     * @param value a measurement.
     * @return the value with three significant digits, and at least its whole part, thousands grouped:
     * {@code 0.0123}, {@code 1.23}, {@code 12.3}, {@code 123}, {@code 12,345}; a dash for no number.
     */
    static String formatNumber(final double value)
    {
        if (Double.isNaN(value) || Double.isInfinite(value))
        {
            return NONE;
        }
        final double magnitude = Math.abs(value);
        final int decimals;
        if (magnitude >= 99.95 || 0 == magnitude)
        {
            decimals = 0;
        }
        else if (magnitude >= 9.995)
        {
            decimals = 1;
        }
        else if (magnitude >= 0.9995)
        {
            decimals = 2;
        }
        else
        {
            decimals = Math.min(9, 2 - (int)Math.floor(Math.log10(magnitude)));
        }
        return String.format(Locale.ROOT, "%,." + decimals + "f", value);
    }

    /**
     * @param count a count or rate.
     * @return it with an SI prefix: {@code 950}, {@code 12.3 k}, {@code 4.56 M}, {@code 1.2 G}.
     */
    static String formatCount(final double count)
    {
        final double magnitude = Math.abs(count);
        if (magnitude >= 999.5e6)
        {
            return formatNumber(count / 1e9) + " G";
        }
        if (magnitude >= 999.5e3)
        {
            return formatNumber(count / 1e6) + " M";
        }
        if (magnitude >= 999.5)
        {
            return formatNumber(count / 1e3) + " k";
        }
        return formatNumber(count);
    }

    /**
     * @param ratio of two measurements.
     * @return it as a factor: {@code 0.85×}.
     */
    static String formatRatio(final double ratio)
    {
        return Double.isNaN(ratio) ? NONE : formatNumber(ratio) + "×";
    }

    /**
     * @param nanos a latency.
     * @return it in microseconds, three significant digits.
     */
    static String formatMicros(final long nanos)
    {
        return formatNumber(nanos / 1000.0);
    }

    /**
     * A machine's facts for the report.
     *
     * @param workerJdk what the worker JVM says of itself ({@code java -version}).
     * @param workRoot  where contenders keep their files.
     * @return label and value of each fact, in order.
     */
    static Map<String, String> machine(final String workerJdk, final Path workRoot)
    {
        final Map<String, String> facts = new LinkedHashMap<>();
        facts.put("Date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        final String cpu = cpuModel();
        facts.put("Cores", Runtime.getRuntime().availableProcessors() + (cpu.isEmpty() ? "" : " (" + cpu + ")"));
        final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean)
        {
            facts.put("Memory", formatSize(((com.sun.management.OperatingSystemMXBean)os).getTotalMemorySize()));
        }
        facts.put("OS", System.getProperty("os.name") + " " + System.getProperty("os.version") + " (" +
            System.getProperty("os.arch") + ")");
        facts.put("JDK of the workers", workerJdk);
        String store;
        try
        {
            store = Files.getFileStore(workRoot).type();
        }
        catch (final IOException ex)
        {
            store = "file system unknown: " + ex.getMessage();
        }
        facts.put("Contenders' files", "`" + workRoot.toAbsolutePath() + "` (" + store + ")");
        return facts;
    }

    private static String cpuModel()
    {
        final Path cpuInfo = Path.of("/proc/cpuinfo");
        if (!Files.isReadable(cpuInfo))
        {
            return "";
        }
        try (Stream<String> lines = Files.lines(cpuInfo, StandardCharsets.UTF_8))
        {
            return lines.filter(line -> line.startsWith("model name")).map(line -> line.substring(line.indexOf(':') + 1)
                .trim()).findFirst().orElse("");
        }
        catch (final IOException | RuntimeException ex)
        {
            return "";
        }
    }

    private List<String> throughputColumns()
    {
        final List<String> columns = new ArrayList<>();
        for (final String contender : contenders)
        {
            final boolean measured = summaries.stream().anyMatch(s -> s.contender().equals(contender));
            final boolean skippedSome = skips.stream()
                .anyMatch(s -> s.contender().equals(contender) && !ALL_SIZES.equals(s.size()));
            if (measured || skippedSome)
            {
                columns.add(contender);
            }
        }
        return columns;
    }

    private List<Long> sizes()
    {
        final TreeSet<Long> sizes = new TreeSet<>();
        summaries.forEach(s -> sizes.add(s.size()));
        skips.stream().filter(s -> !ALL_SIZES.equals(s.size())).forEach(s -> sizes.add(Long.parseLong(s.size())));
        return new ArrayList<>(sizes);
    }

    private Summary summary(final String contender, final long size)
    {
        return find(summaries, contender, size);
    }

    private static Summary find(final List<Summary> summaries, final String contender, final long size)
    {
        for (final Summary summary : summaries)
        {
            if (summary.contender().equals(contender) && summary.size() == size)
            {
                return summary;
            }
        }
        return null;
    }

    private String missing(final String contender, final long size)
    {
        final String text = Long.toString(size);
        return skips.stream().anyMatch(s -> s.contender().equals(contender) && s.size().equals(text)) ? "skipped" :
            outcome(contender).map(o -> o.status() == Status.FAILED).orElse(false) ? "failed" : NONE;
    }

    private Optional<Outcome> outcome(final String contender)
    {
        return outcomes.stream().filter(o -> o.contender().equals(contender)).findFirst();
    }

    private static void header(final StringBuilder md, final String first, final List<String> columns)
    {
        md.append("| ").append(first);
        columns.forEach(column -> md.append(" | ").append(column));
        md.append(" |\n|--:");
        columns.forEach(column -> md.append("|--:"));
        md.append("|\n");
    }

    private static String cell(final String text)
    {
        return oneLine(text).replace("|", "\\|");
    }

    private static String oneLine(final String text)
    {
        return text.replace('\r', ' ').replace('\n', ' ').trim();
    }

    private static void addIfAbsent(final List<String> order, final String contender)
    {
        if (!order.contains(contender))
        {
            order.add(contender);
        }
    }

    private static List<Path> files(final Path dir, final String suffix) throws IOException
    {
        if (!Files.isDirectory(dir))
        {
            return Collections.emptyList();
        }
        try (Stream<Path> list = Files.list(dir))
        {
            return list.filter(path -> path.getFileName().toString().endsWith(suffix)).sorted()
                .collect(Collectors.toList());
        }
    }

    private static IllegalStateException notANumber(
        final Path file, final List<String> row, final NumberFormatException ex)
    {
        return new IllegalStateException(
            file + " holds a row with a field that is not a number where one belongs (" + ex.getMessage() + "): " +
            String.join(",", row), ex);
    }

    /**
     * @param file   a CSV file of the comparison.
     * @param header its expected first line.
     * @return its records after the header, each as its fields; empty lines left out.
     * @throws IOException           if it cannot be read.
     * @throws IllegalStateException if its header or a record's field count is not as expected.
     */
    static List<List<String>> rows(final Path file, final String header) throws IOException
    {
        final List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).equals(header))
        {
            throw new IllegalStateException(file + " does not start with the header '" + header + "': it was not " +
                "written by this version's CompareWorker; run the comparison again");
        }
        final int columns = CsvFiles.fields(header).size();
        final List<List<String>> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++)
        {
            if (lines.get(i).isEmpty())
            {
                continue;
            }
            final List<String> fields = CsvFiles.fields(lines.get(i));
            if (fields.size() != columns)
            {
                throw new IllegalStateException(file + " line " + (i + 1) + " has " + fields.size() + " fields where " +
                    "its header has " + columns + ": " + lines.get(i));
            }
            rows.add(fields);
        }
        return rows;
    }
}
