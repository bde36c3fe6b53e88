package dev.ferry.cli;

import dev.ferry.buffer.Sizes;
import dev.ferry.server.FerryServer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code ferry server}: run a server until the process is told to stop (SIGINT or SIGTERM); a
 * shutdown hook then closes it, which removes the partitions' files and everything else it mapped.
 */
@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Run a Ferry server: it hosts topics, stores producers' events in memory-mapped partition logs under the " +
            "shared-memory root, and serves them to consumers.",
        "" },
    footer = {
        "",
        "Prints one line when it listens, and one when it stopped. Runs until SIGINT (Ctrl-C) or SIGTERM, then " +
            "closes cleanly: the partitions' files and its other mapped files are removed, so its events are gone.",
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
        description = "Ferry's shared-memory root; clients on this host must use the same " +
            "(default: -Dferry.dir, else /dev/shm/ferry-$USER).")
    private Path dir;

    @Option(
        names = "--max-queued-batch-bytes",
        paramLabel = "S",
        defaultValue = "64MiB",
        converter = SizeConverter.class,
        description = "Bytes of producers' batches each partition queues before the server stops reading from a " +
            "producer until the queue drains: a power of two from 64KiB to 256MiB (default: ${DEFAULT-VALUE}).")
    private long maxQueuedBatchBytes;

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
        final FerryServer.Context context = transport.applyTo(new FerryServer.Context()).endpoint(endpoint)
            .maxQueuedBatchBytes((int)maxQueuedBatchBytes);
        if (null != dir)
        {
            context.shmRoot(dir.toAbsolutePath().normalize());
        }
        final FerryServer server = FerryServer.launch(context);
        final PrintWriter out = spec.commandLine().getOut();
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            server.close();
            out.println("ferry server on " + server.address() + " stopped; its files under " + context.shmRoot() +
                " are removed");
            out.flush();
            stopped.countDown();
        }, "ferry-server-shutdown"));

        out.println("ferry server listening on " + server.address() + ", shared memory under " + context.shmRoot() +
            "; stop it with Ctrl-C or SIGTERM");
        out.flush();
        boolean done = false;
        while (!done)
        {
            done = stopped.await(WAIT_SLICE_MS, TimeUnit.MILLISECONDS);
        }

        return CommandLine.ExitCode.OK;
    }
}
