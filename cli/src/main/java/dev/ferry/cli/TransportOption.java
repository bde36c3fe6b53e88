package dev.ferry.cli;

import dev.ferry.bulk.BulkTransportProvider;
import dev.ferry.bulk.BulkTransportSet;
import dev.ferry.bulk.BulkTransports;
import dev.ferry.engine.EngineContext;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code --transport auto|shm|rdma}: the bulk transports an engine of the command opens, shared by
 * every command that runs one ({@code pipeline}, {@code server}, and through {@link ClientOptions}
 * {@code produce}, {@code consume} and {@code topic}).
 */
final class TransportOption
{
    @Option(
        names = "--transport",
        paramLabel = "auto|shm|rdma",
        defaultValue = BulkTransportSet.AUTO,
        converter = Converter.class,
        description = "How event data moves between processes. auto: open every bulk transport that can run " +
            "here, and per peer use RDMA when both sides have it, else shared memory when both run on one host. " +
            "shm: shared memory only (every process on one host). rdma: RDMA READ only (needs an RDMA device, " +
            "e.g. a soft-RoCE rxe one, on both sides). Both sides must have one in common (default: ${DEFAULT-VALUE}).")
    private String transport;

    /**
     * @param context of an engine, given this option's transport.
     * @param <C>     the context's type.
     * @return the context.
     */
    <C extends EngineContext<C>> C applyTo(final C context)
    {
        return context.transport(transport);
    }

    /**
     * @return the selection: {@code auto} or a transport's name.
     */
    String transport()
    {
        return transport;
    }

    /**
     * Accepts {@code auto}, {@code shm}, {@code rdma}, or the name of another transport on the class
     * path; whether the named transport can run here is the engine's to say when it opens.
     */
    static final class Converter implements CommandLine.ITypeConverter<String>
    {
        public String convert(final String value)
        {
            final List<String> accepted = new ArrayList<>(
                List.of(BulkTransportSet.AUTO, BulkTransportSet.SHM, BulkTransportSet.RDMA));
            for (final BulkTransportProvider provider : BulkTransports.providers())
            {
                if (!accepted.contains(provider.name()))
                {
                    accepted.add(provider.name());
                }
            }
            if (!accepted.contains(value))
            {
                throw new CommandLine.TypeConversionException(
                    "'" + value + "' is not a bulk transport; use one of " + String.join(", ", accepted));
            }
            return value;
        }
    }
}
