package dev.ferry.rdma.nativelib;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;

/**
 * The RDMA device the {@code rdma}-tagged tests use, by the IPv4 address of its netdev: env
 * {@code FERRY_RDMA_ADDRESS}, else the first IPv4 address of the netdev behind port 1 of a device
 * under {@code /sys/class/infiniband}. Binding to loopback or the wildcard would leave no device.
 */
final class RdmaDevice
{
    private static final Path DEVICES = Path.of("/sys/class/infiniband");

    private RdmaDevice()
    {
    }

    /**
     * Skips the calling test, with the reason printed, when this machine has no RDMA device, and
     * otherwise returns the address to bind and connect to.
     *
     * @return the IPv4 address of the RDMA device's netdev.
     * @throws IOException if a device exists but no IPv4 address can be found for it.
     */
    static InetAddress addressOrSkip() throws IOException
    {
        NativeLibrary.assumeBuilt();
        final List<Path> devices = devices();
        final String reason = "no RDMA device: " + DEVICES + " is empty or missing " +
            "(run these tests in the soft-RoCE rig: native/softroce/guest-run)";
        if (devices.isEmpty())
        {
            System.out.println("skipped: " + reason);
        }
        assumeTrue(!devices.isEmpty(), reason);

        final String configured = System.getenv("FERRY_RDMA_ADDRESS");
        if (null != configured && !configured.isBlank())
        {
            return InetAddress.getByName(configured.trim());
        }
        for (final Path device : devices)
        {
            final Path netdevFile = device.resolve("ports/1/gid_attrs/ndevs/0");
            final NetworkInterface netdev = Files.isReadable(netdevFile) ?
                NetworkInterface.getByName(Files.readString(netdevFile).trim()) : null;
            if (null != netdev)
            {
                for (final InetAddress address : Collections.list(netdev.getInetAddresses()))
                {
                    if (address instanceof Inet4Address)
                    {
                        return address;
                    }
                }
            }
        }
        throw new IOException("RDMA devices " + devices + " have no netdev with an IPv4 address; " +
            "give the rxe netdev an address or set FERRY_RDMA_ADDRESS");
    }

    private static List<Path> devices() throws IOException
    {
        if (!Files.isDirectory(DEVICES))
        {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(DEVICES))
        {
            return entries.sorted().toList();
        }
    }
}
