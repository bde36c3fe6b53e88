package dev.ferry.transport.aeron;

import dev.ferry.FerryException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AeronAddressTest
{
    @Test
    void udpAddressesNameAnEndpointOnFerrysStream()
    {
        final AeronAddress address = AeronAddress.parse("node-7.cluster:40123");
        assertTrue(address.isUdp());
        assertEquals(40123, address.port());
        assertEquals("aeron:udp?endpoint=node-7.cluster:40123", address.channel());
        assertEquals(AeronMessageTransport.STREAM_ID, address.streamId());
        assertEquals("node-7.cluster:40123", address.toString());

        assertEquals("aeron:udp?endpoint=10.0.0.1:1", AeronAddress.parse("10.0.0.1:1").channel());
        assertEquals("aeron:udp?endpoint=[::1]:65535", AeronAddress.parse("[::1]:65535").channel());
        assertEquals("[fe80::1%eth0]:9", AeronAddress.parse("[fe80::1%eth0]:9").toString());
    }

    @Test
    void ipcAddressesNameAStream()
    {
        final AeronAddress ipc = AeronAddress.parse("ipc");
        assertFalse(ipc.isUdp());
        assertEquals("aeron:ipc", ipc.channel());
        assertEquals(AeronMessageTransport.STREAM_ID, ipc.streamId());
        assertEquals("ipc", ipc.toString());

        final AeronAddress reply = AeronAddress.parse("ipc:2147483647");
        assertEquals("aeron:ipc", reply.channel());
        assertEquals(Integer.MAX_VALUE, reply.streamId());
        assertEquals("ipc:2147483647", reply.toString());
        assertEquals("ipc", AeronAddress.parse("ipc:" + AeronMessageTransport.STREAM_ID).toString());
    }

    @Test
    void aBoundPortReplacesPortZero()
    {
        final AeronAddress any = AeronAddress.udp("127.0.0.1", 0);
        assertEquals(0, any.port());
        assertEquals("127.0.0.1:45678", any.withPort(45678).toString());
    }

    @Test
    void anythingElseIsRefusedSayingWhatIsWrongAndWhatIsAccepted()
    {
        assertRefused(null, "no address given");
        assertRefused("", "'' is not an address");
        assertRefused("foo", "'foo' is not an address");
        assertRefused("aeron:udp?endpoint=h:1", "is not an address");
        assertRefused("host:", "port '' is not a number");
        assertRefused("host:-1", "port '-1' is not a number");
        assertRefused("host:65536", "port '65536' is not a number from 0 to 65535");
        assertRefused("host:99999999999", "port '99999999999' is not a number");
        assertRefused(":80", "host '' is not a host name");
        assertRefused(" host:80", "host ' host' is not a host name");
        assertRefused("h|mtu=9000:80", "host 'h|mtu=9000' is not a host name");
        assertRefused("::1:80", "an IPv6 address goes in brackets");
        assertRefused("ipc:", "stream id '' is not a number");
        assertRefused("ipc:0", "stream id '0' is not a number from 1");
        assertRefused("ipc:2147483648", "stream id '2147483648' is not a number");
        assertRefused("IPC", "'IPC' is not an address");

        final FerryException ex = assertThrows(FerryException.class, () -> AeronAddress.udp("a b", 0));
        assertTrue(ex.getMessage().contains("host 'a b' is not a host name"), ex.getMessage());
    }

    private static void assertRefused(final String address, final String expected)
    {
        final FerryException ex = assertThrows(FerryException.class, () -> AeronAddress.parse(address));
        assertTrue(ex.getMessage().contains(expected), ex.getMessage());
        assertTrue(ex.getMessage().contains("use host:port (UDP), ipc, or ipc:<stream id>"), ex.getMessage());
    }
}
