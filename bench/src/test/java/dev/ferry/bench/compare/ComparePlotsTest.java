package dev.ferry.bench.compare;

import dev.ferry.bench.compare.CompareReport.Outcome;
import dev.ferry.bench.compare.CompareReport.Status;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The plots: HdrHistogram's percentile distribution read back, the spectrum's axis, and PNG files drawn
 * headless (which needs a font: on a machine without one, install fontconfig and fonts-dejavu-core).
 */
class ComparePlotsTest
{
    private static final byte[] PNG_SIGNATURE = {(byte)0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    @TempDir
    Path dir;

    @Test
    void thePercentileDistributionIsReadAsHdrHistogramWritesIt()
    {
        final List<double[]> points = ComparePlots.readPercentiles(distribution(1000));

        assertTrue(points.size() > 10, () -> points.size() + " points");
        assertEquals(0.0, points.get(0)[0]);
        for (final double[] point : points)
        {
            assertTrue(point[0] < 1.0, () -> Arrays.toString(point));
            assertTrue(point[1] >= 1.0 && point[1] <= 1000.0 * 1.001, () -> Arrays.toString(point));
        }
    }

    @Test
    void aLineThatIsNotOfTheDistributionIsNamed()
    {
        final IllegalArgumentException ex = assertThrows(
            IllegalArgumentException.class, () -> ComparePlots.readPercentiles(List.of("1.0 0.5 x 2.0")));

        assertTrue(ex.getMessage().contains("1.0 0.5 x 2.0"), ex::getMessage);
    }

    @Test
    void theSpectrumAxisCountsNines()
    {
        assertEquals(0.0, ComparePlots.nines(0.0), 1e-12);
        assertEquals(1.0, ComparePlots.nines(0.9), 1e-9);
        assertEquals(3.0, ComparePlots.nines(0.999), 1e-9);
        assertEquals("90%", ComparePlots.percentileLabel(1));
        assertEquals("99%", ComparePlots.percentileLabel(2));
        assertEquals("99.9%", ComparePlots.percentileLabel(3));
        assertEquals("99.999%", ComparePlots.percentileLabel(5));
    }

    @Test
    void bothPlotsAreDrawnAsPng() throws IOException
    {
        final Path raw = Files.createDirectories(dir.resolve("raw"));
        Files.writeString(raw.resolve("memcpy.throughput.csv"), CompareWorker.THROUGHPUT_HEADER + "\n" +
            "memcpy,64,0,false,1000000,1000000000,1000000.0,61.035\n" +
            "memcpy,65536,0,false,50000,1000000000,50000.0,3125.000\n", StandardCharsets.UTF_8);
        Files.writeString(raw.resolve("kafka.throughput.csv"), CompareWorker.THROUGHPUT_HEADER + "\n" +
            "kafka,64,0,false,2000,1000000000,2000.0,0.122\n" +
            "kafka,65536,0,false,300,1000000000,300.0,18.750\n", StandardCharsets.UTF_8);
        Files.write(raw.resolve("memcpy.latency.hgrm"), distribution(200));
        Files.write(raw.resolve("kafka.latency.hgrm"), distribution(500_000));
        final CompareReport report = CompareReport.read(raw, List.of(
            new Outcome("memcpy", Status.RAN, 1, ""), new Outcome("kafka", Status.RAN, 1, "")));

        final List<String> written = ComparePlots.write(dir, report, "a test", "a latency test");

        assertEquals(List.of(ComparePlots.THROUGHPUT_PNG, ComparePlots.LATENCY_PNG), written);
        for (final String png : written)
        {
            final byte[] bytes = Files.readAllBytes(dir.resolve(png));
            assertTrue(bytes.length > 10_000, () -> png + " has " + bytes.length + " bytes");
            assertArrayEquals(PNG_SIGNATURE, Arrays.copyOf(bytes, PNG_SIGNATURE.length), png);
        }
    }

    @Test
    void nothingIsDrawnWithoutData() throws IOException
    {
        final CompareReport report = CompareReport.read(dir.resolve("raw"), List.of(
            new Outcome("kafka", Status.UNSUPPORTED, 1, "not here")));

        assertEquals(List.of(), ComparePlots.write(dir, report, "a test", "a latency test"));
    }

    /**
     * @param highestUs the largest latency recorded, in microseconds.
     * @return HdrHistogram's distribution of latencies from 1 µs up, in microseconds, as the worker writes it.
     */
    private static List<String> distribution(final long highestUs)
    {
        final Histogram histogram = new Histogram(3);
        for (long us = 1; us <= highestUs; us += Math.max(1, highestUs / 5000))
        {
            histogram.recordValue(us * 1000);
        }
        final ByteArrayOutputStream text = new ByteArrayOutputStream();
        histogram.outputPercentileDistribution(new PrintStream(text, true, StandardCharsets.UTF_8), 5, 1000.0);
        return text.toString(StandardCharsets.UTF_8).lines().collect(java.util.stream.Collectors.toList());
    }
}
