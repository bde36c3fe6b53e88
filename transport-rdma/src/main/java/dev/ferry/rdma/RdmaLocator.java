package dev.ferry.rdma;

import dev.ferry.bulk.BulkTransportException;
import dev.ferry.bulk.PeerInfo;
import dev.ferry.bulk.RegionDescriptor;
import org.agrona.concurrent.UnsafeBuffer;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;

/**
 * The RDMA transport's locator of a registered region: where the owner listens for connections and
 * what an RDMA READ of the region needs. Big-endian, 19 bytes:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |    version    |      listener IPv4 address (bytes 1-4)        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |     (cont.)   |     listener port (5-6)       | region address|
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |               region address (bytes 7-14), virtual            |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |    (cont.)                                    |  rkey (15-18) |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |        (cont.)                                |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class RdmaLocator
{
    /**
     * The transport's name, as in descriptors and {@code --transport NAME}.
     */
    public static final String TRANSPORT_NAME = "rdma";

    /**
     * The layout drawn above.
     */
    public static final byte VERSION = 1;

    /**
     * Bytes of a locator.
     */
    public static final int LENGTH = 19;

    private static final int VERSION_OFFSET = 0;
    private static final int IP_OFFSET = 1;
    private static final int PORT_OFFSET = 5;
    private static final int ADDRESS_OFFSET = 7;
    private static final int RKEY_OFFSET = 15;

    private final InetSocketAddress listener;
    private final long address;
    private final int rkey;

    private RdmaLocator(final InetSocketAddress listener, final long address, final int rkey)
    {
        this.listener = listener;
        this.address = address;
        this.rkey = rkey;
    }

    /**
     * @param listenerAddress where the owner's transport listens.
     * @param listenerPort    its port.
     * @param address         of the region's first byte in the owner's memory.
     * @param rkey            of the region's memory registration.
     * @return the locator's bytes.
     */
    public static byte[] encode(
        final Inet4Address listenerAddress, final int listenerPort, final long address, final int rkey)
    {
        final byte[] bytes = new byte[LENGTH];
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        buffer.putByte(VERSION_OFFSET, VERSION);
        buffer.putBytes(IP_OFFSET, listenerAddress.getAddress());
        buffer.putShort(PORT_OFFSET, (short)listenerPort, ByteOrder.BIG_ENDIAN);
        buffer.putLong(ADDRESS_OFFSET, address, ByteOrder.BIG_ENDIAN);
        buffer.putInt(RKEY_OFFSET, rkey, ByteOrder.BIG_ENDIAN);
        return bytes;
    }

    /**
     * Read and check a descriptor a peer sent, before anything is done with it.
     *
     * @param peer       that sent it.
     * @param descriptor it sent.
     * @return what its locator says.
     * @throws BulkTransportException starting "refusing region N of PEER: " if the descriptor is not the
     *                                RDMA transport's, or its length or locator cannot be right.
     */
    public static RdmaLocator decode(final PeerInfo peer, final RegionDescriptor descriptor)
    {
        final long regionId = descriptor.regionId();
        if (!TRANSPORT_NAME.equals(descriptor.transport()))
        {
            throw refuse(peer, regionId, "it is a '" + descriptor.transport() + "' descriptor, not an RDMA one");
        }
        if (descriptor.length() <= 0 || descriptor.length() > Integer.MAX_VALUE)
        {
            throw refuse(peer, regionId,
                "its length " + descriptor.length() + " is not from 1 byte to 2 GiB, what one registration can hold");
        }

        final byte[] bytes = descriptor.locator();
        if (LENGTH != bytes.length)
        {
            throw refuse(peer, regionId, "its locator has " + bytes.length + " bytes, not " + LENGTH);
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        final byte version = buffer.getByte(VERSION_OFFSET);
        if (VERSION != version)
        {
            throw refuse(peer, regionId,
                "its locator has format version " + version + ", this process reads version " + VERSION +
                "; run the same Ferry version on both sides");
        }

        final byte[] ip = new byte[4];
        buffer.getBytes(IP_OFFSET, ip);
        final InetAddress listenerAddress;
        try
        {
            listenerAddress = InetAddress.getByAddress(ip);
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalStateException("four bytes are always an IPv4 address", ex);
        }
        if (listenerAddress.isAnyLocalAddress() || listenerAddress.isLoopbackAddress() ||
            listenerAddress.isMulticastAddress())
        {
            throw refuse(peer, regionId,
                "its listener address " + listenerAddress.getHostAddress() + " is not one an RDMA device listens on");
        }

        final int port = buffer.getShort(PORT_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        if (0 == port)
        {
            throw refuse(peer, regionId, "its listener port is 0");
        }

        final long address = buffer.getLong(ADDRESS_OFFSET, ByteOrder.BIG_ENDIAN);
        if (0 == address || Long.compareUnsigned(address, -descriptor.length()) > 0)
        {
            throw refuse(peer, regionId,
                "its address 0x" + Long.toHexString(address) + " and length " + descriptor.length() +
                " are no range of memory");
        }

        return new RdmaLocator(
            new InetSocketAddress(listenerAddress, port), address, buffer.getInt(RKEY_OFFSET, ByteOrder.BIG_ENDIAN));
    }

    /**
     * @param peer     the refused region came from.
     * @param regionId of the refused region.
     * @param why      it is refused.
     * @return the exception to throw, worded as every refusal of a region is.
     */
    public static BulkTransportException refuse(final PeerInfo peer, final long regionId, final String why)
    {
        return new BulkTransportException("refusing region " + regionId + " of " + peer + ": " + why);
    }

    /**
     * @return where the owner's transport listens.
     */
    public InetSocketAddress listener()
    {
        return listener;
    }

    /**
     * @return the address of the region's first byte in the owner's memory.
     */
    public long address()
    {
        return address;
    }

    /**
     * @return the key an RDMA READ of the region presents.
     */
    public int rkey()
    {
        return rkey;
    }

    public String toString()
    {
        return "RdmaLocator{listener=" + listener.getAddress().getHostAddress() + ":" + listener.getPort() +
            ", address=0x" + Long.toHexString(address) + ", rkey=0x" + Integer.toHexString(rkey) + "}";
    }
}
