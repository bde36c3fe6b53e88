package dev.ferry.bench.compare;

import dev.ferry.cli.DurationConverter;
import dev.ferry.cli.SizeConverter;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What one comparison run measures, the same for every contender: the options of both the
 * {@link Compare} command and each {@link CompareWorker} it starts, which receives them as
 * {@link #toArguments()} wrote them.
 */
public final class RunOptions
{
    /**
     * The default event sizes: 64 B (metadata only) to 64 MiB.
     */
    static final String DEFAULT_SIZES = "64,4KiB,64KiB,1MiB,4MiB,16MiB,64MiB";

    @Option(names = "--sizes", split = ",", converter = SizeConverter.class,
        description = "Event sizes in bytes, at least 64 (default: " + DEFAULT_SIZES + ").")
    List<Long> sizes = new ArrayList<>(List.of(64L, 4096L, 65536L, 1L << 20, 4L << 20, 16L << 20, 64L << 20));

    @Option(names = "--warmup-iterations", description = "Iterations per size run and thrown away first (default: 2).")
    int warmupIterations = 2;

    @Option(names = "--iterations", description = "Iterations per size measured; the report takes their median (default: 5).")
    int iterations = 5;

    @Option(names = "--iteration-time", converter = DurationConverter.class,
        description = "Length of an iteration (default: 1s).")
    Duration iterationTime = Duration.ofSeconds(1);

    @Option(names = "--iteration-bytes", converter = SizeConverter.class,
        description = "An iteration also ends once this many bytes of events have arrived, so that a fast " +
        "contender's stored events stay within memory (default: 1GiB).")
    long iterationBytes = 1L << 30;

    @Option(names = "--latency-size", converter = SizeConverter.class,
        description = "Event size of the latency run (default: 4KiB).")
    long latencySize = 4096;

    @Option(names = "--latency-rate", description = "Events per second offered in the latency run, on a fixed schedule " +
        "(default: 10000). 0 skips the latency run.")
    long latencyRate = 10_000;

    @Option(names = "--latency-time", converter = DurationConverter.class,
        description = "Length of the latency run after a warm-up of a fifth as long (default: 5s).")
    Duration latencyTime = Duration.ofSeconds(5);

    /**
     * @return these options as a {@link CompareWorker} takes them.
     */
    List<String> toArguments()
    {
        final List<String> args = new ArrayList<>();
        final StringBuilder sizeList = new StringBuilder();
        for (final long size : sizes)
        {
            sizeList.append(0 == sizeList.length() ? "" : ",").append(size);
        }
        args.add("--sizes=" + sizeList);
        args.add("--warmup-iterations=" + warmupIterations);
        args.add("--iterations=" + iterations);
        args.add("--iteration-time=" + iterationTime.toMillis() + "ms");
        args.add("--iteration-bytes=" + iterationBytes);
        args.add("--latency-size=" + latencySize);
        args.add("--latency-rate=" + latencyRate);
        args.add("--latency-time=" + latencyTime.toMillis() + "ms");
        return args;
    }

    /**
     * @throws IllegalArgumentException naming the first option out of range.
     */
    void validate()
    {
        if (sizes.isEmpty())
        {
            throw new IllegalArgumentException("--sizes names no size");
        }
        for (final long size : sizes)
        {
            checkSize("--sizes", size);
        }
        checkSize("--latency-size", latencySize);
        if (warmupIterations < 0 || iterations < 1)
        {
            throw new IllegalArgumentException(
                "--warmup-iterations must be 0 or more and --iterations 1 or more (were " + warmupIterations + " and " +
                iterations + ")");
        }
        if (iterationTime.toMillis() < 1 || latencyTime.toMillis() < 1)
        {
            throw new IllegalArgumentException("--iteration-time and --latency-time must be at least 1ms");
        }
        if (iterationBytes < 1 || latencyRate < 0 || latencyRate > 10_000_000)
        {
            throw new IllegalArgumentException(
                "--iteration-bytes must be positive and --latency-rate between 0 and 10000000 (were " + iterationBytes +
                " and " + latencyRate + ")");
        }
    }

    private static void checkSize(final String option, final long size)
    {
        if (size < CompareEvent.MIN_SIZE || size > Integer.MAX_VALUE - 4096)
        {
            throw new IllegalArgumentException(
                option + ": " + size + " bytes is not an event size of the comparison; sizes run from " +
                CompareEvent.MIN_SIZE + " B (Ferry's metadata, no data) to 2 GiB minus a page");
        }
    }
}
