package dev.ferry.rdma;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds the RDMA devices of this host (in sysfs) and the IPv4 address to listen on: the one the
 * user gave, else the first IPv4 address of the netdev that carries a device's port 1 (for rxe, the
 * Ethernet interface it was added on). The connection manager binds to that address, so that the
 * listener has a verbs context; the wildcard or loopback address would have none.
 */
public final class RdmaDevices
{
    /**
     * Where the kernel lists RDMA devices.
     */
    public static final Path SYSFS_ROOT = Paths.get("/sys/class/infiniband");

    private static final Pattern IPV4_LITERAL = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final Inet4Address address;
    private final String unsupportedReason;

    private RdmaDevices(final Inet4Address address, final String unsupportedReason)
    {
        this.address = address;
        this.unsupportedReason = unsupportedReason;
    }

    /**
     * @param sysfsRoot where devices are listed, {@link #SYSFS_ROOT} but in tests.
     * @param override  the address the user gave ({@link RdmaSettings#ADDRESS_PROP_NAME}), or null.
     * @return the address to listen on, or why there is none.
     */
    public static RdmaDevices find(final Path sysfsRoot, final String override)
    {
        final List<String> devices = deviceNames(sysfsRoot);
        if (devices.isEmpty())
        {
            return unsupported(
                "no RDMA device: " + sysfsRoot + " lists none; load rdma_rxe and add a device: " +
                "rdma link add rxe0 type rxe netdev IF");
        }

        if (null != override)
        {
            return overridden(override.trim());
        }

        final List<String> seen = new ArrayList<>();
        for (final String device : devices)
        {
            final String netdev = netdev(sysfsRoot, device);
            if (null == netdev)
            {
                seen.add(device + " (no netdev on port 1)");
                continue;
            }
            final Inet4Address found = firstIpv4(netdev);
            if (null != found)
            {
                return new RdmaDevices(found, null);
            }
            seen.add(device + " (netdev " + netdev + ")");
        }

        return unsupported(
            "no IPv4 address on the netdev of RDMA device " + String.join(", ", seen) + "; add one " +
            "(ip addr add 10.77.0.1/24 dev IF) or name the address with -D" + RdmaSettings.ADDRESS_PROP_NAME +
            "=IP or " + RdmaSettings.ADDRESS_ENV_NAME);
    }

    /**
     * @return the address from the system property, else the environment, else null.
     */
    public static String addressOverride()
    {
        final String property = System.getProperty(RdmaSettings.ADDRESS_PROP_NAME);
        return null != property ? property : System.getenv(RdmaSettings.ADDRESS_ENV_NAME);
    }

    /**
     * @return the address to listen on; null if {@link #unsupportedReason()} is not.
     */
    public Inet4Address address()
    {
        return address;
    }

    /**
     * @return null if an address was found, else why not and what to do.
     */
    public String unsupportedReason()
    {
        return unsupportedReason;
    }

    private static RdmaDevices overridden(final String text)
    {
        final String source = "-D" + RdmaSettings.ADDRESS_PROP_NAME + " (or " + RdmaSettings.ADDRESS_ENV_NAME + ")";
        if (!IPV4_LITERAL.matcher(text).matches())
        {
            return unsupported(source + " is '" + text + "', not an IPv4 address such as 10.77.0.1");
        }

        final InetAddress parsed;
        try
        {
            parsed = InetAddress.getByName(text);
        }
        catch (final UnknownHostException ex)
        {
            return unsupported(source + " is '" + text + "', not an IPv4 address such as 10.77.0.1");
        }

        try
        {
            if (null == NetworkInterface.getByInetAddress(parsed))
            {
                return unsupported(
                    source + " is " + text + ", which is no address of this host; give the IPv4 address of the " +
                    "RDMA device's netdev");
            }
        }
        catch (final SocketException ex)
        {
            return unsupported("cannot list this host's network interfaces to check " + source + ": " + ex);
        }

        return new RdmaDevices((Inet4Address)parsed, null);
    }

    private static List<String> deviceNames(final Path sysfsRoot)
    {
        if (!Files.isDirectory(sysfsRoot))
        {
            return Collections.emptyList();
        }

        final List<String> names = new ArrayList<>();
        try (Stream<Path> entries = Files.list(sysfsRoot))
        {
            entries.forEach((entry) -> names.add(entry.getFileName().toString()));
        }
        catch (final IOException ex)
        {
            return Collections.emptyList();
        }
        Collections.sort(names);

        return names;
    }

    private static String netdev(final Path sysfsRoot, final String device)
    {
        final Path ndev = sysfsRoot.resolve(device).resolve("ports/1/gid_attrs/ndevs/0");
        try
        {
            final String name = new String(Files.readAllBytes(ndev), StandardCharsets.US_ASCII).trim();
            return name.isEmpty() ? null : name;
        }
        catch (final IOException ex)
        {
            // sysfs answers EINVAL for a GID entry that is not populated
            return null;
        }
    }

    private static Inet4Address firstIpv4(final String netdev)
    {
        try
        {
            final NetworkInterface networkInterface = NetworkInterface.getByName(netdev);
            if (null == networkInterface)
            {
                return null;
            }
            final Enumeration<InetAddress> addresses = networkInterface.getInetAddresses();
            while (addresses.hasMoreElements())
            {
                final InetAddress address = addresses.nextElement();
                if (address instanceof Inet4Address)
                {
                    return (Inet4Address)address;
                }
            }
        }
        catch (final SocketException ex)
        {
            return null;
        }

        return null;
    }

    private static RdmaDevices unsupported(final String reason)
    {
        return new RdmaDevices(null, reason);
    }
}
