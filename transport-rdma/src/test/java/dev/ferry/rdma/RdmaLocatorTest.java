package dev.ferry.rdma;

import dev.ferry.bulk.BulkTransportException;
import dev.ferry.bulk.PeerInfo;
import dev.ferry.bulk.RegionDescriptor;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The locator's bytes, and every way a descriptor from a peer is refused before it is used.
 */
class RdmaLocatorTest
{
    private static final PeerInfo PEER = new PeerInfo(7, "boot", 4242);
    private static final long ADDRESS = 0x7f12_3456_7000L;

    @Test
    void encodesAndDecodesEveryField() throws UnknownHostException
    {
        final byte[] bytes = RdmaLocator.encode(ipv4("10.77.0.1"), 50_123, ADDRESS, 0xCAFE_BABE);

        assertEquals(RdmaLocator.LENGTH, bytes.length);
        assertEquals(RdmaLocator.VERSION, bytes[0]);
        assertEquals(10, bytes[1]);
        final RdmaLocator locator = RdmaLocator.decode(PEER, descriptor(4096, bytes));
        assertEquals("10.77.0.1", locator.listener().getAddress().getHostAddress());
        assertEquals(50_123, locator.listener().getPort());
        assertEquals(ADDRESS, locator.address());
        assertEquals(0xCAFE_BABE, locator.rkey());
    }

    @Test
    void refusesWhatCannotBeARegistration() throws UnknownHostException
    {
        final byte[] good = RdmaLocator.encode(ipv4("10.77.0.1"), 50_123, ADDRESS, 1);

        assertRefused(new RegionDescriptor("shm", 5, 4096, good), "it is a 'shm' descriptor, not an RDMA one");
        assertRefused(descriptor(0, good), "its length 0 is not from 1 byte to 2 GiB");
        assertRefused(descriptor(1L << 31, good), "its length 2147483648 is not from 1 byte to 2 GiB");
        assertRefused(descriptor(4096, Arrays.copyOf(good, 18)), "its locator has 18 bytes, not 19");
        final byte[] future = good.clone();
        future[0] = 2;
        assertRefused(descriptor(4096, future), "its locator has format version 2, this process reads version 1");
        assertRefused(descriptor(4096, RdmaLocator.encode(ipv4("127.0.0.1"), 50_123, ADDRESS, 1)),
            "its listener address 127.0.0.1 is not one an RDMA device listens on");
        assertRefused(descriptor(4096, RdmaLocator.encode(ipv4("0.0.0.0"), 50_123, ADDRESS, 1)),
            "its listener address 0.0.0.0 is not one");
        assertRefused(descriptor(4096, RdmaLocator.encode(ipv4("10.77.0.1"), 0, ADDRESS, 1)), "its listener port is 0");
        assertRefused(descriptor(4096, RdmaLocator.encode(ipv4("10.77.0.1"), 1, 0, 1)), "are no range of memory");
        assertRefused(descriptor(4096, RdmaLocator.encode(ipv4("10.77.0.1"), 1, -4095, 1)),
            "its address 0xfffffffffffff001 and length 4096 are no range of memory");
    }

    private static void assertRefused(final RegionDescriptor descriptor, final String expected)
    {
        final BulkTransportException ex =
            assertThrows(BulkTransportException.class, () -> RdmaLocator.decode(PEER, descriptor));
        final String prefix = "refusing region " + descriptor.regionId() + " of " + PEER + ": ";
        assertEquals(prefix, ex.getMessage().substring(0, Math.min(prefix.length(), ex.getMessage().length())));
        if (!ex.getMessage().contains(expected))
        {
            throw new AssertionError("expected '" + expected + "' in: " + ex.getMessage());
        }
    }

    private static RegionDescriptor descriptor(final long length, final byte[] locator)
    {
        return new RegionDescriptor("rdma", 5, length, locator);
    }

    private static Inet4Address ipv4(final String text) throws UnknownHostException
    {
        return (Inet4Address)InetAddress.getByName(text);
    }
}
