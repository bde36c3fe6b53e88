package dev.ferry.transport.aeron;

import dev.ferry.channel.MessageTransport;
import dev.ferry.channel.MessageTransportProvider;

import java.nio.file.Path;

/**
 * Found with {@link java.util.ServiceLoader}: creates {@link AeronMessageTransport}s, configured by
 * the system properties {@value AeronMessageTransport.Context#TERM_BUFFER_LENGTH_PROP_NAME} and
 * {@value AeronMessageTransport.Context#DRIVER_TIMEOUT_PROP_NAME}.
 */
public final class AeronMessageTransportProvider implements MessageTransportProvider
{
    /**
     * {@inheritDoc}
     *
     * @throws dev.ferry.FerryException if the embedded media driver cannot start, or no external one answers.
     */
    public MessageTransport newTransport(final Path shmRoot, final Path externalDriverDirectory)
    {
        return new AeronMessageTransport(new AeronMessageTransport.Context()
            .shmRoot(shmRoot)
            .externalDriverDirectory(externalDriverDirectory));
    }
}
