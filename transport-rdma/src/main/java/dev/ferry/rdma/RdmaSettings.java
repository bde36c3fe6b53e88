package dev.ferry.rdma;

import java.net.Inet4Address;
import java.util.concurrent.TimeUnit;

/**
 * What an RDMA transport is told when it is made: the address to listen on, the deadlines of the
 * connection-manager steps and the depth of each queue pair's send queue. Immutable; shared by the
 * provider and the implementation, which live in different class loaders (this class is loaded once,
 * by the provider's).
 */
public final class RdmaSettings
{
    /**
     * System property: the IPv4 address to listen on, that of the RDMA device's netdev.
     */
    public static final String ADDRESS_PROP_NAME = "ferry.rdma.address";

    /**
     * Environment variable read when {@value #ADDRESS_PROP_NAME} is not set.
     */
    public static final String ADDRESS_ENV_NAME = "FERRY_RDMA_ADDRESS";

    /**
     * System property: milliseconds resolving the peer's address, and then its route, may each take
     * before the link fails.
     */
    public static final String TIMEOUT_PROP_NAME = "ferry.rdma.timeoutMs";

    /**
     * System property: milliseconds the connection handshake may take before the link fails.
     */
    public static final String CONNECT_TIMEOUT_PROP_NAME = "ferry.rdma.connectTimeoutMs";

    /**
     * System property: RDMA READs in flight per queue pair; more pulls wait in the transport.
     */
    public static final String SEND_QUEUE_DEPTH_PROP_NAME = "ferry.rdma.sendQueueDepth";

    /**
     * Default deadline of resolving the address and of resolving the route: both are answered by the
     * local kernel (ARP and the routing table), so seconds are plenty.
     */
    public static final long TIMEOUT_MS_DEFAULT = 5000;

    /**
     * Default deadline of the connection handshake. The kernel's connection manager resends a lost
     * request or reply only after its response timeout, about 4.6 s on RoCE (4.096 &micro;s &times;
     * 2<sup>20</sup> plus twice the packet lifetime), so a deadline of 5 s fails a link that one lost
     * packet would have delayed; 20 s lets the handshake survive three losses in a row. A peer that
     * refuses (nobody listens) is reported by the connection manager at once, not at this deadline.
     */
    public static final long CONNECT_TIMEOUT_MS_DEFAULT = 20_000;

    /**
     * Default send-queue depth: perftest's default transmit depth (ib_read_bw -t 128).
     */
    public static final int SEND_QUEUE_DEPTH_DEFAULT = 128;

    private final Inet4Address address;
    private final long timeoutNs;
    private final long connectTimeoutNs;
    private final int sendQueueDepth;

    /**
     * @param address          to listen on and connect from.
     * @param timeoutNs        deadline of resolving the address and of resolving the route.
     * @param connectTimeoutNs deadline of the connection handshake.
     * @param sendQueueDepth   RDMA READs in flight per queue pair.
     */
    public RdmaSettings(
        final Inet4Address address, final long timeoutNs, final long connectTimeoutNs, final int sendQueueDepth)
    {
        if (timeoutNs <= 0)
        {
            throw new IllegalArgumentException("the RDMA step timeout must be positive, was " + timeoutNs + " ns");
        }
        if (connectTimeoutNs <= 0)
        {
            throw new IllegalArgumentException(
                "the RDMA connect timeout must be positive, was " + connectTimeoutNs + " ns");
        }
        if (sendQueueDepth <= 0)
        {
            throw new IllegalArgumentException("the RDMA send-queue depth must be positive, was " + sendQueueDepth);
        }
        this.address = address;
        this.timeoutNs = timeoutNs;
        this.connectTimeoutNs = connectTimeoutNs;
        this.sendQueueDepth = sendQueueDepth;
    }

    /**
     * @param address to listen on.
     * @return settings with that address and the rest from system properties or defaults.
     * @throws IllegalArgumentException naming the property if one is not a positive number.
     */
    public static RdmaSettings fromSystemProperties(final Inet4Address address)
    {
        return new RdmaSettings(
            address,
            TimeUnit.MILLISECONDS.toNanos(positive(TIMEOUT_PROP_NAME, TIMEOUT_MS_DEFAULT)),
            TimeUnit.MILLISECONDS.toNanos(positive(CONNECT_TIMEOUT_PROP_NAME, CONNECT_TIMEOUT_MS_DEFAULT)),
            (int)positive(SEND_QUEUE_DEPTH_PROP_NAME, SEND_QUEUE_DEPTH_DEFAULT));
    }

    /**
     * @return the IPv4 address to listen on and connect from.
     */
    public Inet4Address address()
    {
        return address;
    }

    /**
     * @return the deadline of resolving the address and of resolving the route, in nanoseconds.
     */
    public long timeoutNs()
    {
        return timeoutNs;
    }

    /**
     * @return the deadline of the connection handshake, in nanoseconds.
     */
    public long connectTimeoutNs()
    {
        return connectTimeoutNs;
    }

    /**
     * @return RDMA READs in flight per queue pair.
     */
    public int sendQueueDepth()
    {
        return sendQueueDepth;
    }

    public String toString()
    {
        return "RdmaSettings{address=" + address.getHostAddress() + ", timeoutMs=" +
            TimeUnit.NANOSECONDS.toMillis(timeoutNs) + ", connectTimeoutMs=" +
            TimeUnit.NANOSECONDS.toMillis(connectTimeoutNs) + ", sendQueueDepth=" + sendQueueDepth + "}";
    }

    private static long positive(final String name, final long defaultValue)
    {
        final String text = System.getProperty(name);
        if (null == text)
        {
            return defaultValue;
        }

        try
        {
            final long value = Long.parseLong(text.trim());
            if (value > 0 && value <= Integer.MAX_VALUE)
            {
                return value;
            }
        }
        catch (final NumberFormatException ignore)
        {
            // reported below with the property's name
        }
        throw new IllegalArgumentException("-D" + name + "=" + text + " is not a positive whole number");
    }
}
