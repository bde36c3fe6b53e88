package dev.ferry.cli;

import dev.ferry.buffer.Sizes;
import dev.ferry.log.FsyncPolicy;
import dev.ferry.server.FerryServer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code ferry server}: run a server until the process is told to stop (SIGINT or SIGTERM); a
 * shutdown hook then closes it. In memory mode that removes the partitions' files and everything else
 * it mapped; with {@code --durable} the partitions stay in {@code --dir} and the next server started
 * on it recovers them.
 */
@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Run a Ferry server: it hosts topics, stores producers' events in memory-mapped partition logs, and " +
            "serves them to consumers. The logs live under the shared-memory root and go with the server, or, with " +
            "--durable, in a directory on disk that a restarted server recovers (same topics, events, consumer " +
            "positions and producer sequences).",
        "" },
    footer = {
        "",
        "Prints one line when it listens, and one when it stopped. Runs until SIGINT (Ctrl-C) or SIGTERM, then " +
            "closes cleanly: in memory mode the partitions' files are removed, so its events are gone; durable " +
            "partitions stay.",
        "Exit status: that of the signal (130 for SIGINT, 143 for SIGTERM); 1 if it cannot start (the reason is " +
            "printed, e.g. the endpoint is in use); 2 on bad usage." })
final class ServerCommand implements Callable<Integer>
{
    private static final long WAIT_SLICE_MS = 1_000;

    @Spec
    private CommandSpec spec;

    @Option(
        names = "--endpoint",
        paramLabel = "HOST:PORT",
        defaultValue = FerryServer.Context.ENDPOINT_DEFAULT,
        converter = EndpointConverter.Listen.class,
        description = "Where to listen for clients, a UDP endpoint; port 0 takes any free port, printed when " +
            "listening (default: ${DEFAULT-VALUE}).")
    private String endpoint;

    @Option(
        names = "--dir",
        paramLabel = "DIR",
        description = "Without --durable: Ferry's shared-memory root; clients on this host must use the same " +
            "(default: -Dferry.dir, else /dev/shm/ferry-$USER). With --durable: the data directory on disk that " +
            "holds the durable partitions (required; the shared-memory root is then -Dferry.dir or the default).")
    private Path dir;

    @Option(
        names = "--durable",
        description = "Keep partitions in --dir on disk (file mode) and recover them when a server starts there " +
            "again, after a clean stop or a crash.")
    private boolean durable;

    @Option(
        names = "--fsync",
        paramLabel = "POLICY",
        defaultValue = "batch",
        converter = ServerCommand.FsyncPolicyConverter.class,
        description = "With --durable, when partitions are forced to disk: none (a crash of the server loses " +
            "nothing, a power loss may), batch (each stored batch and acknowledgement, before it is confirmed) or " +
            "interval (every --fsync-interval) (default: ${DEFAULT-VALUE}).")
    private FsyncPolicy fsync;

    @Option(
        names = "--fsync-interval",
        paramLabel = "DURATION",
        defaultValue = "100ms",
        converter = DurationConverter.class,
        description = "With --fsync interval, the time between forces, e.g. 100ms or 1s (default: ${DEFAULT-VALUE}).")
    private Duration fsyncInterval;

    @Option(
        names = "--max-queued-batch-bytes",
        paramLabel = "S",
        defaultValue = "64MiB",
        converter = SizeConverter.class,
        description = "Bytes of producers' batches each partition queues before the server stops reading from a " +
            "producer until the queue drains: a power of two from 64KiB to 256MiB (default: ${DEFAULT-VALUE}).")
    private long maxQueuedBatchBytes;

    @Option(
        names = "--retain",
        paramLabel = "S",
        defaultValue = "0",
        converter = SizeConverter.class,
        description = "Without --durable, bytes of events each partition keeps before it reuses the memory of its " +
            "oldest events, once every consumer that subscribed to the partition has acknowledged them; a consumer " +
            "that subscribes later starts at the oldest event kept. From 128MiB (two log segments) to 8GiB; 0 keeps " +
            "every event until the partition's 8GiB are full (default: ${DEFAULT-VALUE}).")
    private long retain;

    @Mixin
    private TransportOption transport;

    /**
     * Serve until the process is stopped. <b>Blocks</b> until then.
     *
     * @return 0 once the shutdown hook closed the server (the process exits with the signal's status).
     * @throws InterruptedException if the waiting thread is interrupted; the hook still closes the server.
     */
    public Integer call() throws InterruptedException
    {
        if (maxQueuedBatchBytes < FerryServer.Context.MIN_QUEUED_BATCH_BYTES ||
            maxQueuedBatchBytes > FerryServer.Context.MAX_QUEUED_BATCH_BYTES || Long.bitCount(maxQueuedBatchBytes) != 1)
        {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "--max-queued-batch-bytes must be a power of two from 64KiB to 256MiB, was " +
                Sizes.format(maxQueuedBatchBytes));
        }
        if (durable && null == dir)
        {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "--durable needs --dir DIR, the directory on disk to keep the partitions in");
        }
        if (durable && 0 != retain)
        {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "--retain works without --durable only: durable partitions keep every event");
        }
        if (fsyncInterval.isZero())
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--fsync-interval must be positive, was 0");
        }
        final FerryServer.Context context = transport.applyTo(new FerryServer.Context()).endpoint(endpoint)
            .maxQueuedBatchBytes((int)maxQueuedBatchBytes)
            .fsyncPolicy(fsync)
            .fsyncInterval(fsyncInterval)
            .logRetainBytes(retain);
        if (durable)
        {
            context.dataDirectory(dir.toAbsolutePath().normalize());
        }
        else if (null != dir)
        {
            context.shmRoot(dir.toAbsolutePath().normalize());
        }
        final FerryServer server = FerryServer.launch(context);
        final PrintWriter out = spec.commandLine().getOut();
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            server.close();
            out.println("ferry server on " + server.address() + " stopped; " + (durable ?
                "its partitions stay in " + context.dataDirectory() :
                "its files under " + context.shmRoot() + " are removed"));
            out.flush();
            stopped.countDown();
        }, "ferry-server-shutdown"));

        out.println("ferry server listening on " + server.address() + ", shared memory under " + context.shmRoot() +
            (durable ? ", durable partitions in " + context.dataDirectory() + " (fsync " + fsync.name().toLowerCase(
            Locale.ROOT) + ")" : "") + "; stop it with Ctrl-C or SIGTERM");
        out.flush();
        boolean done = false;
        while (!done)
        {
            done = stopped.await(WAIT_SLICE_MS, TimeUnit.MILLISECONDS);
        }

        return CommandLine.ExitCode.OK;
    }

    /**
     * Reads {@code --fsync}: none, batch or interval, in any case.
     */
    static final class FsyncPolicyConverter implements CommandLine.ITypeConverter<FsyncPolicy>
    {
        public FsyncPolicy convert(final String value)
        {
            try
            {
                return FsyncPolicy.valueOf(value.trim().toUpperCase(Locale.ROOT));
            }
            catch (final IllegalArgumentException ex)
            {
                throw new CommandLine.TypeConversionException(
                    "'" + value + "' is not an fsync policy; use none, batch or interval");
            }
        }
    }
}
