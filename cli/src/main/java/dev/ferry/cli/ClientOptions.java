package dev.ferry.cli;

import dev.ferry.client.Ferry;
import dev.ferry.server.FerryServer;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The options of every command that talks to a running server ({@code topic}, {@code produce},
 * {@code consume}): where the server is, how long to wait for it, the shared-memory root and the bulk
 * transports.
 */
final class ClientOptions
{
    @Spec(Spec.Target.MIXEE)
    private CommandSpec spec;

    @Option(
        names = "--server",
        paramLabel = "HOST:PORT",
        defaultValue = FerryServer.Context.ENDPOINT_DEFAULT,
        converter = EndpointConverter.class,
        description = "The server's endpoint (default: ${DEFAULT-VALUE}).")
    private String server;

    @Option(
        names = "--timeout",
        paramLabel = "D",
        defaultValue = "10s",
        converter = DurationConverter.class,
        description = "Longest wait for the server: for an answer, for room to push, for the next event, to " +
            "reconnect after the connection was lost: 500ms, 10s, 5m (default: ${DEFAULT-VALUE}).")
    private Duration timeout;

    @Option(
        names = "--dir",
        paramLabel = "DIR",
        description = "Ferry's shared-memory root; the server's must be the same " +
            "(default: -Dferry.dir, else /dev/shm/ferry-$USER).")
    private Path dir;

    @Mixin
    private TransportOption transport;

    /**
     * @return the server's endpoint.
     */
    String server()
    {
        return server;
    }

    /**
     * @return the timeout, checked to be positive.
     * @throws ParameterException if it is not, so that picocli prints the usage and exits 2.
     */
    Duration timeout()
    {
        if (timeout.isNegative() || timeout.isZero())
        {
            throw new ParameterException(spec.commandLine(), "--timeout must be positive, was " + timeout.toMillis() + " ms");
        }
        return timeout;
    }

    /**
     * Connect to the server. <b>Blocks</b> until it answers, at most the timeout.
     *
     * @param clientName of the client, in the server's logs and in file names: letters, digits, '.', '_', '-'.
     * @return the connected client; close it.
     */
    Ferry connect(final String clientName)
    {
        final Ferry.Context context = transport.applyTo(new Ferry.Context())
            .server(server)
            .name(clientName)
            .requestTimeout(timeout())
            .reconnectTimeout(timeout());
        if (null != dir)
        {
            context.shmRoot(dir.toAbsolutePath().normalize());
        }

        return Ferry.connect(context);
    }
}
