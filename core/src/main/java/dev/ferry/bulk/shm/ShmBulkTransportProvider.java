package dev.ferry.bulk.shm;

import dev.ferry.bulk.BulkTransport;
import dev.ferry.bulk.BulkTransportProvider;
import dev.ferry.bulk.PeerInfo;

import java.nio.file.Path;

/**
 * Provides {@link ShmBulkTransport}; always supported, since it needs only memory-mapped files.
 */
public final class ShmBulkTransportProvider implements BulkTransportProvider
{
    public String name()
    {
        return ShmBulkTransport.NAME;
    }

    public String unsupportedReason()
    {
        return null;
    }

    public BulkTransport newTransport(final PeerInfo localPeer, final Path shmRoot)
    {
        return new ShmBulkTransport(localPeer, shmRoot, ShmBulkTransport.CHUNK_BYTES_DEFAULT);
    }
}
