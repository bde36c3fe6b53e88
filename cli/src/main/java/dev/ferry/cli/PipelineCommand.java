package dev.ferry.cli;

import dev.ferry.buffer.Sizes;
import dev.ferry.cli.demo.PipelineReport;
import dev.ferry.cli.demo.PipelineSettings;
import dev.ferry.cli.demo.ShmPipelineDemo;
import dev.ferry.shm.ShmDirectory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.LongConsumer;

/**
 * {@code ferry pipeline}: move events from producer to consumer in one process and check every byte.
 * <p>
 * Until the event path (Aeron control plane, server; issue 3) is built, this runs the shared-memory
 * bulk-transport demo of {@link ShmPipelineDemo}, and says so on its first line.
 */
@Command(
    name = "pipeline",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Move events from a producer to a consumer in one process and check every byte.",
        "",
        "The event path (Aeron control plane, server) is not built yet: this runs the shared-memory " +
            "bulk-transport demo. A producer fills segments of its buffer pool with pseudo-random bytes; an I/O " +
            "agent pulls each into a segment of its own pool through a read-only shared-memory mapping and checks " +
            "its CRC-32C. Both pools are bounded, so a fast producer waits for memory (back-pressure).",
        "" },
    footer = {
        "",
        "Prints one summary line: events, bytes, seconds, events/s, MiB/s, pull latency p50/p99, verified.",
        "Exit status: 0 if every event arrived exactly once with the bytes written; 1 if not (the reason is " +
            "printed); 2 on bad usage." })
public final class PipelineCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Option(
        names = "--events",
        paramLabel = "N",
        defaultValue = "1000",
        description = "Events to move (default: ${DEFAULT-VALUE}).")
    private int events;

    @Option(
        names = "--size",
        paramLabel = "S",
        defaultValue = "1MiB",
        converter = SizeConverter.class,
        description = "Bytes of data in each event: 512, 64KiB, 4MiB, 1GiB (default: ${DEFAULT-VALUE}).")
    private long sizeBytes;

    @Option(
        names = "--pool-size",
        paramLabel = "S",
        converter = SizeConverter.class,
        description = "Event data each of the two buffer pools may hold; a full pool makes its user wait " +
            "(default: 16MiB, or room for 4 events if more).")
    private Long poolBytes;

    @Option(
        names = "--timeout",
        paramLabel = "D",
        defaultValue = "60s",
        converter = DurationConverter.class,
        description = "Longest wait without progress, for memory or for the consumer, before giving up: " +
            "500ms, 60s, 5m (default: ${DEFAULT-VALUE}).")
    private Duration timeout;

    @Option(
        names = "--dir",
        paramLabel = "DIR",
        description = "Ferry's shared-memory root, where the pools map their files " +
            "(default: -Dferry.dir, else /dev/shm/ferry-$USER).")
    private Path dir;

    /**
     * Run the demo and print its summary.
     *
     * @return 0 if verified, 1 if not.
     * @throws ParameterException for values out of range, so that picocli prints the usage and exits 2.
     */
    public Integer call()
    {
        final PipelineSettings settings = settings();
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        out.println(
            "the event path (Aeron control plane, server) is not built yet; this runs the shared-memory " +
            "bulk-transport demo: " + settings.events() + " events of " + Sizes.format(settings.eventBytes()) +
            ", filled in a producer's buffer pool, pulled over shared memory into a consumer's pool and checked " +
            "(pools of " + Sizes.format(settings.poolBytes()) + " each under " + settings.directory() + ")");
        out.flush();

        final ProgressBar progressBar = ProgressBar.onTerminal(settings.events());
        final LongConsumer onProgress = null != progressBar ? progressBar : (finished) -> {};
        final PipelineReport report;
        try
        {
            report = new ShmPipelineDemo(settings).run(onProgress);
        }
        finally
        {
            if (null != progressBar)
            {
                progressBar.close();
            }
        }

        out.println(report.memory());
        out.println(report.summary());
        out.flush();
        if (!report.verified())
        {
            err.println(spec.qualifiedName() + ": not verified: " + String.join("; ", report.problems()));
            err.flush();
            return CommandLine.ExitCode.SOFTWARE;
        }

        return CommandLine.ExitCode.OK;
    }

    private PipelineSettings settings()
    {
        if (events < 1)
        {
            throw usage("--events must be at least 1, was " + events);
        }
        if (sizeBytes < 1 || sizeBytes > ShmPipelineDemo.MAX_EVENT_BYTES)
        {
            throw usage(
                "--size must be from 1 byte to " + Sizes.format(ShmPipelineDemo.MAX_EVENT_BYTES) + " (a pool's " +
                "largest segment), was " + Sizes.format(sizeBytes));
        }
        final int eventBytes = (int)sizeBytes;
        final long pool = null != poolBytes ? poolBytes : ShmPipelineDemo.defaultPoolBytes(eventBytes);
        final int segmentBytes = ShmPipelineDemo.segmentBytes(eventBytes);
        if (pool < segmentBytes)
        {
            throw usage(
                "--pool-size " + Sizes.format(pool) + " cannot hold one event of " + Sizes.format(eventBytes) +
                ": pools hand out power-of-two segments, so it needs at least " + Sizes.format(segmentBytes));
        }
        if (timeout.isNegative() || timeout.isZero())
        {
            throw usage("--timeout must be positive, was " + timeout.toMillis() + " ms");
        }

        return new PipelineSettings(
            events, eventBytes, pool, timeout, null != dir ? dir.toAbsolutePath().normalize() : ShmDirectory.defaultRoot());
    }

    private ParameterException usage(final String message)
    {
        return new ParameterException(spec.commandLine(), message);
    }
}
