package dev.ferry.rdma;

import dev.ferry.bulk.BulkTransportException;
import dev.ferry.bulk.BulkTransports;
import dev.ferry.bulk.PeerInfo;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the provider says about this host, and how it finds the address to listen on, against a
 * made-up sysfs so that every answer is checked on a host without RDMA.
 */
class RdmaBulkTransportProviderTest
{
    @TempDir
    Path sysfs;

    @Test
    void reportsThatThereIsNoDeviceAndHowToAddOne()
    {
        final RdmaBulkTransportProvider provider = new RdmaBulkTransportProvider(sysfs);

        assertEquals("rdma", provider.name());
        assertEquals("no RDMA device: " + sysfs + " lists none; load rdma_rxe and add a device: " +
            "rdma link add rxe0 type rxe netdev IF", provider.unsupportedReason());
        final BulkTransportException ex = assertThrows(
            BulkTransportException.class, () -> provider.newTransport(PeerInfo.local(1), sysfs));
        assertEquals("bulk transport 'rdma' cannot run here: " + provider.unsupportedReason(), ex.getMessage());
    }

    @Test
    void theServiceLoaderFindsItAndRefusesItWhereThereIsNoDevice()
    {
        final RdmaDevices host = RdmaDevices.find(RdmaDevices.SYSFS_ROOT, null);
        Assumptions.assumeTrue(null != host.unsupportedReason() && host.unsupportedReason().startsWith("no RDMA device"),
            "this host has an RDMA device");

        assertTrue(BulkTransports.providers().stream().anyMatch((provider) -> "rdma".equals(provider.name())));
        final BulkTransportException ex = assertThrows(BulkTransportException.class, () -> BulkTransports.provider("rdma"));
        assertTrue(ex.getMessage().startsWith("bulk transport 'rdma' cannot run here: no RDMA device: "), ex.getMessage());
        assertTrue(ex.getMessage().endsWith("rdma link add rxe0 type rxe netdev IF"), ex.getMessage());
    }

    @Test
    void listensOnTheIpv4AddressOfTheDevicesNetdev() throws IOException
    {
        device("fake0", "lo");

        final RdmaDevices devices = RdmaDevices.find(sysfs, null);

        assertNull(devices.unsupportedReason());
        assertEquals("127.0.0.1", devices.address().getHostAddress());
    }

    @Test
    void reportsADeviceWhoseNetdevHasNoIpv4Address() throws IOException
    {
        device("fake0", "nosuchif0");
        Files.createDirectories(sysfs.resolve("fake1"));

        final RdmaDevices devices = RdmaDevices.find(sysfs, null);

        assertNull(devices.address());
        assertEquals("no IPv4 address on the netdev of RDMA device fake0 (netdev nosuchif0), fake1 (no netdev on " +
            "port 1); add one (ip addr add 10.77.0.1/24 dev IF) or name the address with -Dferry.rdma.address=IP " +
            "or FERRY_RDMA_ADDRESS", devices.unsupportedReason());
    }

    @Test
    void takesTheAddressGivenIfItIsOneOfThisHost() throws IOException
    {
        device("fake0", "nosuchif0");

        assertEquals("127.0.0.1", RdmaDevices.find(sysfs, "127.0.0.1").address().getHostAddress());
        assertEquals("-Dferry.rdma.address (or FERRY_RDMA_ADDRESS) is 'rxe0', not an IPv4 address such as 10.77.0.1",
            RdmaDevices.find(sysfs, "rxe0").unsupportedReason());
        assertTrue(RdmaDevices.find(sysfs, "192.0.2.77").unsupportedReason()
            .endsWith("is 192.0.2.77, which is no address of this host; give the IPv4 address of the RDMA device's netdev"));
    }

    private void device(final String name, final String netdev) throws IOException
    {
        final Path ndevs = Files.createDirectories(sysfs.resolve(name).resolve("ports/1/gid_attrs/ndevs"));
        Files.write(ndevs.resolve("0"), (netdev + "\n").getBytes(StandardCharsets.US_ASCII));
    }
}
