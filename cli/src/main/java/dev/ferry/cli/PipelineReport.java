package dev.ferry.cli;

import dev.ferry.buffer.Sizes;
import org.HdrHistogram.Histogram;

import java.util.List;
import java.util.Locale;

/**
 * The outcome of one {@code ferry pipeline} run: counts, speed, end-to-end latency, and what went wrong.
 */
final class PipelineReport
{
    private final long intact;
    private final int eventBytes;
    private final double seconds;
    private final long latencyP50Ns;
    private final long latencyP99Ns;
    private final List<String> problems;

    /**
     * @param intact     events that arrived exactly once with the data their producer wrote.
     * @param eventBytes of data in each event.
     * @param seconds    from the first push to the last receipt.
     * @param latencyNs  from push to consumer receipt, of each intact event.
     * @param problems   what went wrong, first failure first; empty if every event arrived intact.
     */
    PipelineReport(
        final long intact, final int eventBytes, final double seconds, final Histogram latencyNs, final List<String> problems)
    {
        this.intact = intact;
        this.eventBytes = eventBytes;
        this.seconds = seconds;
        this.latencyP50Ns = latencyNs.getValueAtPercentile(50);
        this.latencyP99Ns = latencyNs.getValueAtPercentile(99);
        this.problems = List.copyOf(problems);
    }

    /**
     * @return true if every event arrived exactly once with the data its producer wrote.
     */
    boolean verified()
    {
        return problems.isEmpty();
    }

    /**
     * @return what went wrong, first failure first; empty if {@link #verified()}.
     */
    List<String> problems()
    {
        return problems;
    }

    /**
     * @return one line: events, bytes, seconds, events/s, MiB/s, latency p50 and p99, verified.
     */
    String summary()
    {
        final long bytes = intact * eventBytes;
        final double safeSeconds = Math.max(seconds, 1e-9);
        return String.format(
            Locale.ROOT,
            "summary: %d events, %s (%d bytes) in %.3f s: %.0f events/s, %.1f MiB/s; " +
            "latency push to receipt p50 %s, p99 %s; verified: %s",
            intact,
            Sizes.format(bytes),
            bytes,
            seconds,
            intact / safeSeconds,
            bytes / safeSeconds / (1 << 20),
            formatNanos(latencyP50Ns),
            formatNanos(latencyP99Ns),
            verified() ? "yes" : "no");
    }

    private static String formatNanos(final long nanos)
    {
        if (nanos < 1_000_000)
        {
            return String.format(Locale.ROOT, "%.1f us", nanos / 1e3);
        }
        if (nanos < 1_000_000_000)
        {
            return String.format(Locale.ROOT, "%.2f ms", nanos / 1e6);
        }

        return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
    }
}
