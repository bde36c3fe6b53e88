package dev.ferry.cli;

import dev.ferry.buffer.Sizes;
import dev.ferry.server.FerryServer;
import dev.ferry.shm.ShmDirectory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
 * {@code ferry pipeline}: a server, producers and consumers in one process over the real event path,
 * every event checked; see {@link Pipeline}.
 */
@Command(
    name = "pipeline",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Move events from producers to consumers through a server, all in this process, and check every byte.",
        "",
        "Metadata travels over Aeron IPC through the server's media driver, which all clients share; data is " +
            "pulled by the bulk transport --transport selects (shared memory, or RDMA READ where there is an RDMA " +
            "device), from the producers' pool into the partitions' logs and from there into " +
            "each consumer's pool. Producer threads fill each event in place with pseudo-random bytes and put its " +
            "CRC-32C in its metadata; each consumer reads its own share of the partitions, checks every event's " +
            "data and that no event arrives twice, and acknowledges it.",
        "" },
    footer = {
        "",
        "Prints one summary line: events, bytes, seconds, events/s, MiB/s, latency from push to receipt p50/p99, " +
            "verified.",
        "Exit status: 0 if every event arrived exactly once with the bytes its producer wrote; 1 if not (the " +
            "reason is printed); 2 on bad usage." })
final class PipelineCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Option(
        names = "--events",
        paramLabel = "N",
        defaultValue = "1000",
        description = "Events to move, split evenly among the producers (default: ${DEFAULT-VALUE}).")
    private long events;

    @Option(
        names = "--size",
        paramLabel = "S",
        defaultValue = "1MiB",
        converter = SizeConverter.class,
        description = "Bytes of data in each event: 0 (metadata only), 512, 64KiB, 4MiB (default: ${DEFAULT-VALUE}).")
    private long sizeBytes;

    @Option(
        names = "--partitions",
        paramLabel = "P",
        defaultValue = "1",
        description = "Partitions of the topic; at least as many as consumers (default: ${DEFAULT-VALUE}).")
    private int partitions;

    @Option(
        names = "--producers",
        paramLabel = "N",
        defaultValue = "1",
        description = "Producer threads, sharing one client (default: ${DEFAULT-VALUE}).")
    private int producers;

    @Option(
        names = "--consumers",
        paramLabel = "N",
        defaultValue = "1",
        description = "Consumers, each with its own client, name and share of the partitions " +
            "(default: ${DEFAULT-VALUE}).")
    private int consumers;

    @Option(
        names = "--timeout",
        paramLabel = "D",
        defaultValue = "60s",
        converter = DurationConverter.class,
        description = "Longest wait without progress before giving up, and the clients' request and push " +
            "timeout: 500ms, 60s, 5m (default: ${DEFAULT-VALUE}).")
    private Duration timeout;

    @Option(
        names = "--dir",
        paramLabel = "DIR",
        description = "Ferry's shared-memory root, where the pools and the partitions' logs map their files " +
            "(default: -Dferry.dir, else /dev/shm/ferry-$USER).")
    private Path dir;

    @Mixin
    private TransportOption transport;

    /**
     * Run the pipeline and print its summary.
     *
     * @return 0 if verified, 1 if not.
     * @throws ParameterException for values out of range, so that picocli prints the usage and exits 2.
     */
    public Integer call()
    {
        final Pipeline.Settings settings = settings();
        final PrintWriter out = spec.commandLine().getOut();
        final PipelineReport report;
        try (Pipeline pipeline = Pipeline.start(settings))
        {
            out.println(pipeline.description());
            out.flush();
            final ProgressBar progressBar = ProgressBar.onTerminal(settings.events());
            final LongConsumer onProgress = null != progressBar ? progressBar : (received) -> {};
            try
            {
                report = pipeline.run(onProgress);
            }
            finally
            {
                if (null != progressBar)
                {
                    progressBar.close();
                }
            }
        }

        out.println(report.summary());
        out.flush();
        if (!report.verified())
        {
            final PrintWriter err = spec.commandLine().getErr();
            err.println(spec.qualifiedName() + ": not verified: " + String.join("; ", report.problems()));
            err.flush();
            return CommandLine.ExitCode.SOFTWARE;
        }

        return CommandLine.ExitCode.OK;
    }

    private Pipeline.Settings settings()
    {
        if (events < 1)
        {
            throw usage("--events must be at least 1, was " + events);
        }
        final int maxDataBytes = new FerryServer.Context().conclude().maxDataBytes();
        if (sizeBytes < 0 || sizeBytes > maxDataBytes)
        {
            throw usage(
                "--size must be from 0 to " + Sizes.format(maxDataBytes) + " (" + maxDataBytes + " bytes, what a " +
                "partition's log segment holds besides metadata), was " + Sizes.format(sizeBytes));
        }
        if (partitions < 1)
        {
            throw usage("--partitions must be at least 1, was " + partitions);
        }
        if (producers < 1)
        {
            throw usage("--producers must be at least 1, was " + producers);
        }
        if (consumers < 1)
        {
            throw usage("--consumers must be at least 1, was " + consumers);
        }
        if (partitions < consumers)
        {
            throw usage(
                "--partitions " + partitions + " is fewer than --consumers " + consumers + ": each consumer reads its " +
                "own partitions, so give at least as many partitions as consumers");
        }
        if (timeout.isNegative() || timeout.isZero())
        {
            throw usage("--timeout must be positive, was " + timeout.toMillis() + " ms");
        }

        return new Pipeline.Settings(
            events,
            (int)sizeBytes,
            partitions,
            producers,
            consumers,
            timeout,
            null != dir ? dir.toAbsolutePath().normalize() : ShmDirectory.defaultRoot(),
            transport.transport());
    }

    private ParameterException usage(final String message)
    {
        return new ParameterException(spec.commandLine(), message);
    }
}
