package dev.ferry.channel;

import java.nio.file.Path;

/**
 * Found with {@link java.util.ServiceLoader}: creates the control-plane transport.
 */
public interface MessageTransportProvider
{
    /**
     * @param shmRoot       Ferry's shared-memory root, where an embedded media driver keeps its files.
     * @param externalDriverDirectory the directory of a running media driver to use, or null to embed one.
     * @return a new transport, owned by the calling I/O agent.
     */
    MessageTransport newTransport(Path shmRoot, Path externalDriverDirectory);
}
