package dev.ferry.bench.compare;

import dev.ferry.bench.compare.CompareReport.Iteration;
import dev.ferry.bench.compare.CompareReport.Outcome;
import dev.ferry.bench.compare.CompareReport.Status;
import dev.ferry.bench.compare.CompareReport.Summary;
import dev.ferry.bench.compare.CompareReport.Target;
import dev.ferry.bench.compare.CompareReport.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The report's arithmetic and wording, and the report written from files laid out as {@link CompareWorker}
 * writes them.
 */
class CompareReportTest
{
    @TempDir
    Path dir;

    @Test
    void theMedianIsTheMiddleValueOrTheMeanOfTheMiddleTwo()
    {
        assertEquals(3.0, CompareReport.median(new double[]{5, 1, 3}));
        assertEquals(2.5, CompareReport.median(new double[]{4, 1, 3, 2}));
        assertEquals(7.0, CompareReport.median(new double[]{7}));
        assertThrows(IllegalArgumentException.class, () -> CompareReport.median(new double[0]));
    }

    @Test
    void sizesAreWrittenAsPeopleWriteThem()
    {
        assertEquals("64 B", CompareReport.formatSize(64));
        assertEquals("4 KiB", CompareReport.formatSize(4096));
        assertEquals("64 KiB", CompareReport.formatSize(64 << 10));
        assertEquals("1 MiB", CompareReport.formatSize(1 << 20));
        assertEquals("64 MiB", CompareReport.formatSize(64 << 20));
        assertEquals("1 GiB", CompareReport.formatSize(1L << 30));
        assertEquals("1.50 KiB", CompareReport.formatSize(1536));
        assertEquals("1000 B", CompareReport.formatSize(1000));
    }

    @Test
    void numbersKeepThreeSignificantDigitsAndTheirWholePart()
    {
        assertEquals("0", CompareReport.formatNumber(0));
        assertEquals("0.0123", CompareReport.formatNumber(0.012345));
        assertEquals("0.500", CompareReport.formatNumber(0.5));
        assertEquals("1.23", CompareReport.formatNumber(1.2345));
        assertEquals("12.3", CompareReport.formatNumber(12.345));
        assertEquals("123", CompareReport.formatNumber(123.45));
        assertEquals("12,346", CompareReport.formatNumber(12345.6));
        assertEquals("—", CompareReport.formatNumber(Double.NaN));
        assertEquals("950", CompareReport.formatCount(950));
        assertEquals("12.3 k", CompareReport.formatCount(12_345));
        assertEquals("4.56 M", CompareReport.formatCount(4_561_234));
        assertEquals("1.20 G", CompareReport.formatCount(1.2e9));
        assertEquals("0.850×", CompareReport.formatRatio(0.85));
        assertEquals("—", CompareReport.formatRatio(CompareReport.ratio(1, 0)));
        assertEquals("12.3", CompareReport.formatMicros(12_345));
    }

    @Test
    void theSummaryLeavesOutWarmUpIterations()
    {
        final List<Iteration> rows = List.of(
            iteration("kafka", 64, 0, true, 1000),
            iteration("kafka", 64, 1, false, 10),
            iteration("kafka", 64, 2, false, 30),
            iteration("kafka", 64, 3, false, 20));

        final List<Summary> summaries = CompareReport.summarise(rows);

        assertEquals(1, summaries.size());
        final Summary summary = summaries.get(0);
        assertEquals(3, summary.iterations());
        assertEquals(20, summary.medianMibPerS(), 1e-9);
        assertEquals(10, summary.minMibPerS(), 1e-9);
        assertEquals(30, summary.maxMibPerS(), 1e-9);
        assertEquals(20 * 1024.0 * 1024 / 64, summary.medianEventsPerS(), 1e-6);
    }

    @Test
    void theTargetsPassMissOrSayWhatIsMissing()
    {
        final List<Summary> summaries = new ArrayList<>();
        summaries.add(summary("memcpy", 4 << 20, 1000));
        summaries.add(summary("ferry-inplace", 4 << 20, 850));
        summaries.add(summary("ferry-inplace", 64, 10));
        summaries.add(summary("aeron-ipc", 64, 30));
        summaries.add(summary("ferry-inplace", 64 << 10, 500));
        summaries.add(summary("kafka", 64 << 10, 100));
        summaries.add(summary("kafka", 4 << 20, 200));
        summaries.add(summary("nio-tcp", 64 << 10, 600));

        final List<Target> targets = CompareReport.targets(summaries);

        assertEquals(5, targets.size());
        assertEquals(Verdict.PASS, targets.get(0).verdict(), targets.get(0)::toString);
        assertEquals("0.850×", targets.get(0).measured());
        assertEquals(Verdict.MISS, targets.get(1).verdict(), targets.get(1)::toString);
        assertEquals("0.333×", targets.get(1).measured());
        assertEquals(Verdict.PASS, targets.get(2).verdict(), targets.get(2)::toString);
        assertEquals("lowest 4.25× (at 4 MiB)", targets.get(2).measured());
        assertEquals(Verdict.NOT_MEASURED, targets.get(3).verdict(), targets.get(3)::toString);
        assertEquals(Verdict.MISS, targets.get(4).verdict(), targets.get(4)::toString);
        assertEquals("lowest 0.833× (at 64 KiB)", targets.get(4).measured());
    }

    @Test
    void aPeerSizeFerryDidNotCarryIsAMiss()
    {
        final List<Summary> summaries = List.of(
            summary("ferry-inplace", 64 << 10, 500),
            summary("nio-tcp", 64 << 10, 100),
            summary("nio-tcp", 64 << 20, 100));

        final Target target = CompareReport.targets(summaries).get(4);

        assertEquals(Verdict.MISS, target.verdict(), target::toString);
        assertTrue(target.measured().contains("64 MiB"), target::toString);
    }

    @Test
    void theReportIsWrittenFromTheWorkersFiles() throws IOException
    {
        final Path raw = Files.createDirectories(dir.resolve("raw"));
        Files.writeString(raw.resolve("memcpy.throughput.csv"), CompareWorker.THROUGHPUT_HEADER + "\n" +
            "memcpy,64,0,true,100,1000000000,100.0,0.006\n" +
            "memcpy,64,1,false,1000000,1000000000,1000000.0,61.035\n" +
            "memcpy,4194304,0,false,1000,1000000000,1000.0,4000.000\n", StandardCharsets.UTF_8);
        Files.writeString(raw.resolve("ferry-inplace.throughput.csv"), CompareWorker.THROUGHPUT_HEADER + "\n" +
            "ferry-inplace,64,0,false,600000,1000000000,600000.0,36.621\n" +
            "ferry-inplace,4194304,0,false,900,1000000000,900.0,3600.000\n", StandardCharsets.UTF_8);
        Files.writeString(raw.resolve("ferry-inplace.latency.csv"), CompareWorker.LATENCY_HEADER + "\n" +
            "ferry-inplace,4096,10000,50000,1500,2500,9000,20000,40000,80000\n", StandardCharsets.UTF_8);
        Files.writeString(raw.resolve("ferry-inplace.skipped.csv"), CompareWorker.SKIPPED_HEADER + "\n" +
            "ferry-inplace,67108864,\"too large, here\"\n", StandardCharsets.UTF_8);
        Files.writeString(raw.resolve("aeron-udp.skipped.csv"), CompareWorker.SKIPPED_HEADER + "\n" +
            "aeron-udp,all,no network | here\n", StandardCharsets.UTF_8);
        final List<Outcome> outcomes = List.of(
            new Outcome("memcpy", Status.RAN, 3, ""),
            new Outcome("ferry-inplace", Status.RAN, 4, ""),
            new Outcome("aeron-udp", Status.UNSUPPORTED, 1, "no network | here"),
            new Outcome("kafka", Status.FAILED, 2, "its worker ended with status 1: boom"));

        final CompareReport report = CompareReport.read(raw, outcomes);
        report.writeCsv(dir);
        final CompareReport.Run run = new CompareReport.Run("bench/compare --smoke", "--sizes=64", "java -Xmx4g",
            "Throughput: one iteration.", "4 KiB events offered at 10,000 per second for 5 s.",
            Map.of("Date", "2026-01-01T00:00:00Z"));
        final String md = Files.readString(report.writeMarkdown(dir, run, List.of("throughput.png"), ""));

        assertEquals(List.of("memcpy", "ferry-inplace", "aeron-udp", "kafka"), report.contenders());
        final List<String> throughput = Files.readAllLines(dir.resolve("throughput.csv"));
        assertEquals(CompareWorker.THROUGHPUT_HEADER, throughput.get(0));
        assertEquals(6, throughput.size(), throughput::toString);
        assertEquals(List.of(CompareReport.SUMMARY_HEADER,
            "memcpy,64,1,1000000.0,61.035,61.035,61.035",
            "memcpy,4194304,1,1000.0,4000.000,4000.000,4000.000",
            "ferry-inplace,64,1,600000.0,36.621,36.621,36.621",
            "ferry-inplace,4194304,1,900.0,3600.000,3600.000,3600.000"), Files.readAllLines(dir.resolve("summary.csv")));
        assertEquals(2, Files.readAllLines(dir.resolve("latency.csv")).size());

        assertTrue(md.contains("| Event size | memcpy | ferry-inplace |"), md);
        assertTrue(md.contains("| 64 B | 61.0 | 36.6 |"), md);
        assertTrue(md.contains("| 4 MiB | 4,000 | 3,600 |"), md);
        assertTrue(md.contains("| 64 MiB | — | skipped |"), md);
        assertTrue(md.contains("| 64 B | 1.00 M | 600 k |"), md);
        assertTrue(md.contains("| 4 MiB | 1.11× | 1.00× |"), md);
        assertTrue(md.contains("| ferry-inplace | 4 KiB | 10,000 | 50,000 | 1.50 | 2.50 | 9.00 | 20.0 | 40.0 | 80.0 |"), md);
        assertTrue(md.contains("| 4 MiB events: ferry-inplace MiB/s ≥ 0.8 × memcpy's | 0.900× | **PASS** |"), md);
        assertTrue(md.contains("- `ferry-inplace`, 64 MiB events: too large, here"), md);
        assertTrue(md.contains("- `aeron-udp`, does not run here: no network | here"), md);
        assertTrue(md.contains("- `kafka` after 2.00 s: its worker ended with status 1: boom"), md);
        assertTrue(md.contains("![throughput.png](throughput.png)"), md);
        assertTrue(md.contains("- Command: `bench/compare --smoke`"), md);
    }

    @Test
    void aFileOfAnotherLayoutIsNamedInTheError() throws IOException
    {
        final Path raw = Files.createDirectories(dir.resolve("raw"));
        Files.writeString(raw.resolve("kafka.throughput.csv"), "contender,size\nkafka,64\n", StandardCharsets.UTF_8);

        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> CompareReport.read(raw, List.of()));

        assertTrue(ex.getMessage().contains("kafka.throughput.csv does not start with the header"), ex::getMessage);
    }

    @Test
    void aRowThatIsNotNumbersIsNamedInTheError() throws IOException
    {
        final Path raw = Files.createDirectories(dir.resolve("raw"));
        Files.writeString(raw.resolve("kafka.throughput.csv"), CompareWorker.THROUGHPUT_HEADER + "\n" +
            "kafka,64,0,false,many,1,2,3\n", StandardCharsets.UTF_8);

        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> CompareReport.read(raw, List.of()));

        assertTrue(ex.getMessage().contains("kafka.throughput.csv holds a row"), ex::getMessage);
        assertTrue(ex.getMessage().contains("kafka,64,0,false,many,1,2,3"), ex::getMessage);
    }

    private static Iteration iteration(
        final String contender, final long size, final int iteration, final boolean warmup, final double mibPerS)
    {
        final double eventsPerS = mibPerS * 1024 * 1024 / size;
        return new Iteration(contender, size, iteration, warmup, (long)eventsPerS, 1_000_000_000L, eventsPerS, mibPerS);
    }

    private static Summary summary(final String contender, final long size, final double mibPerS)
    {
        final double eventsPerS = mibPerS * 1024 * 1024 / size;
        return new Summary(contender, size, 1, eventsPerS, mibPerS, mibPerS, mibPerS);
    }
}
