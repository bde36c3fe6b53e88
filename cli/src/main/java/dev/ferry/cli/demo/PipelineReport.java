package dev.ferry.cli.demo;

import dev.ferry.buffer.BufferPool;
import dev.ferry.buffer.Sizes;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The outcome of one demo run: counts, speed, pull latency, memory use, and what went wrong.
 */
public final class PipelineReport
{
    private final PipelineSettings settings;
    private final long verified;
    private final double seconds;
    private final long latencyP50Ns;
    private final long latencyP99Ns;
    private final PoolUse producerPool;
    private final PoolUse consumerPool;
    private final List<String> problems;

    PipelineReport(
        final PipelineSettings settings,
        final ConsumerAgent agent,
        final double seconds,
        final PoolUse producerPool,
        final PoolUse consumerPool,
        final List<String> runProblems)
    {
        this.settings = settings;
        this.verified = agent.verified();
        this.seconds = seconds;
        final Histogram latency = agent.pullLatencyNs();
        this.latencyP50Ns = latency.getValueAtPercentile(50);
        this.latencyP99Ns = latency.getValueAtPercentile(99);
        this.producerPool = producerPool;
        this.consumerPool = consumerPool;

        final List<String> problems = new ArrayList<>();
        if (null != agent.failure())
        {
            problems.add(agent.failure());
        }
        problems.addAll(runProblems);
        if (agent.corrupt() > 0)
        {
            problems.add(agent.corrupt() + " events arrived with data other than the producer wrote");
        }
        if (agent.duplicates() > 0)
        {
            problems.add(agent.duplicates() + " events arrived more than once");
        }
        if (agent.failed() > 0)
        {
            problems.add(agent.failed() + " pulls failed");
        }
        if (verified < settings.events())
        {
            problems.add("only " + verified + " of " + settings.events() + " events arrived intact");
        }
        this.problems = List.copyOf(problems);
    }

    /**
     * @return true if every event arrived exactly once with the bytes the producer wrote, and all
     * memory came back.
     */
    public boolean verified()
    {
        return problems.isEmpty();
    }

    /**
     * @return what went wrong, first failure first; empty if {@link #verified()}.
     */
    public List<String> problems()
    {
        return problems;
    }

    /**
     * @return one line: events, bytes, seconds, events/s, MiB/s, pull latency p50 and p99, verified.
     */
    public String summary()
    {
        final long bytes = verified * settings.eventBytes();
        final double safeSeconds = Math.max(seconds, 1e-9);
        return String.format(
            Locale.ROOT,
            "summary: %d events, %s (%d bytes) in %.3f s: %.0f events/s, %.1f MiB/s; " +
            "pull latency p50 %s, p99 %s; verified: %s",
            verified,
            Sizes.format(bytes),
            bytes,
            seconds,
            verified / safeSeconds,
            bytes / safeSeconds / (1 << 20),
            formatNanos(latencyP50Ns),
            formatNanos(latencyP99Ns),
            verified() ? "yes" : "no");
    }

    /**
     * @return one line on memory: each pool's bound, its high-water mark, and how often its user had
     * to wait for memory (back-pressure at work).
     */
    public String memory()
    {
        return "memory: producer pool " + producerPool + "; consumer pool " + consumerPool;
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

    /**
     * A pool's counters, taken once the run is over.
     */
    static final class PoolUse
    {
        private final long dataBytes;
        private final long highWaterBytes;
        private final long waits;

        /**
         * @param pool whose counters to take.
         */
        PoolUse(final BufferPool pool)
        {
            this.dataBytes = pool.maxBytes() - ShmPipelineDemo.RESERVE_BYTES;
            this.highWaterBytes = pool.highWaterBytes();
            this.waits = pool.handOffs() + pool.timeouts();
        }

        public String toString()
        {
            return Sizes.format(dataBytes) + ", high water " + Sizes.format(highWaterBytes) + ", waits for memory: " +
                waits;
        }
    }
}
