package dev.ferry.bulk;

import java.nio.file.Path;

/**
 * Found with {@link java.util.ServiceLoader}: a provider per bulk transport on the class path, so a
 * user's class path decides which transports are present.
 */
public interface BulkTransportProvider
{
    /**
     * @return the transport's name, as in {@code --transport NAME}.
     */
    String name();

    /**
     * @return null if the transport can run here, else why not and what to do.
     */
    String unsupportedReason();

    /**
     * @param localPeer this process as its peers see it.
     * @param shmRoot   Ferry's shared-memory root, the only place shared memory is read from.
     * @return a new transport, owned by the calling I/O agent.
     * @throws BulkTransportException if {@link #unsupportedReason()} is not null.
     */
    BulkTransport newTransport(PeerInfo localPeer, Path shmRoot);
}
