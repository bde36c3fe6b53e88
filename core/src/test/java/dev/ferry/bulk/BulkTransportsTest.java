package dev.ferry.bulk;

import dev.ferry.bulk.shm.ShmBulkTransport;
import dev.ferry.bulk.shm.ShmBulkTransportProvider;
import dev.ferry.test.ShmTempDirFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BulkTransportsTest
{
    @TempDir(factory = ShmTempDirFactory.class)
    Path shmRoot;

    @Test
    void theSharedMemoryTransportIsFoundByServiceLoader()
    {
        assertTrue(
            BulkTransports.providers().stream().anyMatch((provider) -> provider instanceof ShmBulkTransportProvider),
            "META-INF/services lists the shared-memory provider");

        final BulkTransportProvider provider = BulkTransports.provider("shm");

        assertInstanceOf(ShmBulkTransportProvider.class, provider);
        assertEquals("shm", provider.name());
        assertNull(provider.unsupportedReason());
        try (BulkTransport transport = provider.newTransport(PeerInfo.local(1), shmRoot))
        {
            assertInstanceOf(ShmBulkTransport.class, transport);
            assertEquals("shm", transport.name());
            assertTrue(transport.reachable(PeerInfo.local(2)));
        }
    }

    @Test
    void anUnknownNameIsRefusedWithTheNamesPresent()
    {
        final BulkTransportException ex =
            assertThrows(BulkTransportException.class, () -> BulkTransports.provider("carrier-pigeon"));

        assertTrue(ex.getMessage().contains("no bulk transport named 'carrier-pigeon' is on the class path"),
            ex.getMessage());
        assertTrue(ex.getMessage().matches(".*\\(present: (.*, )?shm(, .*)?\\)"), ex.getMessage());
    }
}
