package dev.ferry.bulk;

import dev.ferry.bulk.shm.ShmBulkTransport;
import dev.ferry.event.DataView;
import dev.ferry.server.FerryServer;
import dev.ferry.test.ShmTempDirFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which bulk transports an engine opens, and which one a session with a peer uses.
 */
class BulkTransportSetTest
{
    private static final PeerInfo LOCAL = PeerInfo.local(1);
    private static final PeerInfo SAME_HOST = new PeerInfo(2, LOCAL.bootId(), 4242);
    private static final PeerInfo OTHER_HOST = new PeerInfo(3, "another-boot-id", 4343);

    @TempDir(factory = ShmTempDirFactory.class)
    Path shmRoot;

    @Test
    void rdmaWinsWheneverBothSidesHaveItOnAnyHost()
    {
        assertEquals("rdma", chosen(List.of("rdma", "shm"), List.of("rdma", "shm"), SAME_HOST));
        assertEquals("rdma", chosen(List.of("rdma", "shm"), List.of("rdma", "shm"), OTHER_HOST));
        assertEquals("rdma", chosen(List.of("rdma"), List.of("rdma"), OTHER_HOST));
        assertEquals("rdma", chosen(List.of("rdma"), List.of("shm", "rdma"), SAME_HOST));
    }

    @Test
    void sharedMemoryIsChosenOnlyOnOneHostAndOnlyWithoutRdmaOnBothSides()
    {
        assertEquals("shm", chosen(List.of("rdma", "shm"), List.of("shm"), SAME_HOST));
        assertEquals("shm", chosen(List.of("shm"), List.of("shm"), SAME_HOST));
        assertNull(chosen(List.of("shm"), List.of("shm"), OTHER_HOST));
        assertNull(chosen(List.of("rdma", "shm"), List.of("shm"), OTHER_HOST));
    }

    @Test
    void nothingInCommonChoosesNothing()
    {
        assertNull(chosen(List.of("rdma"), List.of("shm"), SAME_HOST));
        assertNull(chosen(List.of("shm"), List.of(), SAME_HOST));
        assertNull(chosen(List.of("shm"), List.of("carrier-pigeon"), SAME_HOST));
    }

    @Test
    void bothSidesComputeTheSameChoice()
    {
        final List<List<String>> lists = List.of(
            List.of(), List.of("shm"), List.of("rdma"), List.of("rdma", "shm"), List.of("shm", "rdma"));
        for (final List<String> a : lists)
        {
            for (final List<String> b : lists)
            {
                for (final PeerInfo peer : List.of(SAME_HOST, OTHER_HOST))
                {
                    assertEquals(
                        BulkTransportSet.chosenName(a, LOCAL, b, peer),
                        BulkTransportSet.chosenName(b, peer, a, LOCAL),
                        a + " against " + b + " with " + peer);
                }
            }
        }
    }

    @Test
    void chooseReturnsTheOpenTransportOfTheChosenName()
    {
        final ShmBulkTransport shm = new ShmBulkTransport(LOCAL, shmRoot, ShmBulkTransport.CHUNK_BYTES_DEFAULT);
        final NamedTransport rdma = new NamedTransport("rdma");
        try (BulkTransportSet set = new BulkTransportSet("server", LOCAL, List.of(shm, rdma)))
        {
            assertEquals("rdma,shm", set.advertisement());
            assertSame(rdma, set.choose(OTHER_HOST, "client 'c'", "rdma"));
            assertSame(shm, set.choose(SAME_HOST, "client 'c'", " shm "));
            assertSame(rdma, set.transport("rdma"));
            assertNull(set.transport("nope"));
        }
        assertTrue(rdma.closed, "closing the set closes its transports");
    }

    @Test
    void aPeerOnAnotherHostWithOnlySharedMemoryIsRefusedWithBothListsAndWhatToDo()
    {
        try (BulkTransportSet set = BulkTransportSet.open("shm", "server", LOCAL, shmRoot))
        {
            final BulkTransportException ex =
                assertThrows(BulkTransportException.class, () -> set.choose(OTHER_HOST, "client 'c'", "shm"));

            assertEquals(
                "client 'c' pid 4343 has [shm], server pid " + LOCAL.pid() + " on another host has [shm]: no bulk " +
                "transport can move data between them; run both on one host, or give both an RDMA device and " +
                "--transport rdma|auto",
                ex.getMessage());
        }
    }

    @Test
    void aPeerOnTheSameHostWithoutACommonTransportIsToldToUseTheSameOne()
    {
        try (BulkTransportSet set = BulkTransportSet.open("shm", "client 'c'", LOCAL, shmRoot))
        {
            final BulkTransportException ex =
                assertThrows(BulkTransportException.class, () -> set.choose(SAME_HOST, "server", "rdma"));

            assertTrue(ex.getMessage().startsWith("server pid 4242 has [rdma], client 'c' pid " + LOCAL.pid() +
                " on the same host has [shm]"), ex.getMessage());
            assertTrue(ex.getMessage().endsWith("give both --transport auto, or the same --transport"), ex.getMessage());
        }
    }

    @Test
    void autoOpensEverySupportedTransportAndSharedMemoryAlways()
    {
        final List<String> supported = new ArrayList<>();
        for (final BulkTransportProvider provider : BulkTransports.providers())
        {
            if (null == provider.unsupportedReason())
            {
                supported.add(provider.name());
            }
        }
        supported.sort(String::compareTo);

        try (BulkTransportSet set = BulkTransportSet.open("auto", "server", LOCAL, shmRoot))
        {
            assertEquals(supported, set.names());
            assertTrue(set.names().contains("shm"), set.names().toString());
        }
    }

    @Test
    void aNamedTransportOpensAloneAndAnUnknownNameIsRefusedWithTheNamesPresent()
    {
        try (BulkTransportSet set = BulkTransportSet.open("shm", "server", LOCAL, shmRoot))
        {
            assertEquals("shm", set.advertisement());
        }

        final BulkTransportException ex = assertThrows(
            BulkTransportException.class, () -> BulkTransportSet.open("nope", "server", LOCAL, shmRoot));
        assertTrue(ex.getMessage().startsWith("no bulk transport named 'nope' is on the class path (present: "),
            ex.getMessage());
        assertTrue(ex.getMessage().contains("shm"), ex.getMessage());
    }

    @Test
    void anEngineWithoutATransportSettingDoesNotStart()
    {
        final IllegalArgumentException ex = assertThrows(
            IllegalArgumentException.class, () -> new FerryServer.Context().transport(" ").conclude());

        assertEquals("the bulk transport must be 'auto' or a transport's name (shm, rdma), was ' '", ex.getMessage());
    }

    /**
     * Stands for a transport this host may lack (RDMA) in tests of the choice: it has a name and is
     * never asked to move data.
     */
    private static final class NamedTransport implements BulkTransport
    {
        private final String name;
        private boolean closed;

        NamedTransport(final String name)
        {
            this.name = name;
        }

        public String name()
        {
            return name;
        }

        public boolean reachable(final PeerInfo peer)
        {
            return true;
        }

        public RegionDescriptor register(final Region region)
        {
            throw new UnsupportedOperationException("the choice test moves no data");
        }

        public void deregister(final Region region)
        {
            throw new UnsupportedOperationException("the choice test moves no data");
        }

        public void attach(final PeerInfo peer, final RegionDescriptor descriptor)
        {
            throw new UnsupportedOperationException("the choice test moves no data");
        }

        public void detach(final PeerInfo peer)
        {
            throw new UnsupportedOperationException("the choice test moves no data");
        }

        public void pull(
            final PeerInfo peer,
            final DataDescriptor source,
            final long offset,
            final int length,
            final DataView destination,
            final long correlationId,
            final PullHandler handler)
        {
            throw new UnsupportedOperationException("the choice test moves no data");
        }

        public int doWork()
        {
            return 0;
        }

        public int pendingPulls()
        {
            return 0;
        }

        public long bytesPulled()
        {
            return 0;
        }

        public void close()
        {
            closed = true;
        }
    }

    private static String chosen(final List<String> local, final List<String> peer, final PeerInfo peerInfo)
    {
        return BulkTransportSet.chosenName(local, LOCAL, peer, peerInfo);
    }
}
