package dev.ferry.transport.aeron;

import dev.ferry.FerryException;

import java.util.regex.Pattern;

/**
 * A control-plane address, parsed strictly, and the Aeron channel and stream it names.
 * <pre>
 *   address          Aeron channel                        stream
 *   host:port        aeron:udp?endpoint=host:port         {@link AeronMessageTransport#STREAM_ID}
 *   [v6addr]:port    aeron:udp?endpoint=[v6addr]:port     {@link AeronMessageTransport#STREAM_ID}
 *   ipc              aeron:ipc                            {@link AeronMessageTransport#STREAM_ID}
 *   ipc:stream       aeron:ipc                            stream (a reply address)
 * </pre>
 * Port 0 means any free port and is accepted only where something is bound (listening). Nothing
 * else is accepted: no whitespace, no Aeron URI syntax, so a user's string can never smuggle
 * parameters into a channel.
 */
final class AeronAddress
{
    /**
     * The address, and the host for reply channels, of inter-process communication through one media driver.
     */
    static final String IPC = "ipc";

    private static final String IPC_PREFIX = IPC + ":";
    private static final String FORMS = "use host:port (UDP), ipc, or ipc:<stream id> (a reply address)";
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?");
    private static final Pattern BRACKETED_IPV6 =
        Pattern.compile("\\[[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[A-Za-z0-9._-]+)?]");
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,10}");

    private final String host;
    private final int port;
    private final int streamId;
    private final String text;
    private final String channel;

    private AeronAddress(final String host, final int port, final int streamId)
    {
        this.host = host;
        this.port = port;
        this.streamId = streamId;
        if (null == host)
        {
            text = AeronMessageTransport.STREAM_ID == streamId ? IPC : IPC_PREFIX + streamId;
            channel = "aeron:ipc";
        }
        else
        {
            text = host + ":" + port;
            channel = "aeron:udp?endpoint=" + text;
        }
    }

    /**
     * @param address {@code host:port}, {@code ipc} or {@code ipc:<stream id>}.
     * @return the parsed address.
     * @throws FerryException saying what is wrong with it and which forms are accepted.
     */
    static AeronAddress parse(final String address)
    {
        if (null == address)
        {
            throw new FerryException("no address given: " + FORMS);
        }

        if (IPC.equals(address))
        {
            return ipc(AeronMessageTransport.STREAM_ID);
        }

        if (address.startsWith(IPC_PREFIX))
        {
            final String stream = address.substring(IPC_PREFIX.length());
            final long streamId = DIGITS.matcher(stream).matches() ? Long.parseLong(stream) : -1;
            if (streamId < 1 || streamId > Integer.MAX_VALUE)
            {
                throw new FerryException(
                    "'" + address + "' is not an address: stream id '" + stream + "' is not a number from 1 to " +
                    Integer.MAX_VALUE + "; " + FORMS);
            }
            return ipc((int)streamId);
        }

        final int colon = address.lastIndexOf(':');
        if (colon < 0)
        {
            throw new FerryException("'" + address + "' is not an address: " + FORMS);
        }

        final String host = address.substring(0, colon);
        final String port = address.substring(colon + 1);
        final long portNumber = DIGITS.matcher(port).matches() ? Long.parseLong(port) : -1;
        if (portNumber < 0 || portNumber > 65535)
        {
            throw new FerryException(
                "'" + address + "' is not an address: port '" + port + "' is not a number from 0 to 65535; " + FORMS);
        }

        return udp(host, (int)portNumber, address);
    }

    /**
     * @param host a host name, an IPv4 address or a bracketed IPv6 address.
     * @param port 0 for any free port.
     * @return the UDP address.
     * @throws FerryException if the host is not a host name or an address.
     */
    static AeronAddress udp(final String host, final int port)
    {
        return udp(host, port, host);
    }

    /**
     * @param streamId of the IPC stream.
     * @return the IPC address.
     */
    static AeronAddress ipc(final int streamId)
    {
        return new AeronAddress(null, 0, streamId);
    }

    private static AeronAddress udp(final String host, final int port, final String given)
    {
        if (null == host || !(HOST_NAME.matcher(host).matches() || BRACKETED_IPV6.matcher(host).matches()))
        {
            final String hint = null != host && host.indexOf(':') >= 0 && !host.startsWith("[") ?
                " (an IPv6 address goes in brackets, e.g. [::1]:40123)" : "";
            throw new FerryException(
                "'" + given + "' is not an address: host '" + host + "' is not a host name or an IP address" + hint +
                "; " + FORMS);
        }

        return new AeronAddress(host, port, AeronMessageTransport.STREAM_ID);
    }

    /**
     * @param port the port actually bound.
     * @return this address with its port replaced.
     */
    AeronAddress withPort(final int port)
    {
        return new AeronAddress(host, port, streamId);
    }

    /**
     * @return true for UDP, false for IPC.
     */
    boolean isUdp()
    {
        return null != host;
    }

    /**
     * @return the UDP port, 0 for any free port or for IPC.
     */
    int port()
    {
        return port;
    }

    /**
     * @return the Aeron channel URI.
     */
    String channel()
    {
        return channel;
    }

    /**
     * @return the Aeron stream id.
     */
    int streamId()
    {
        return streamId;
    }

    /**
     * @return the address in the form {@link #parse(String)} accepts.
     */
    public String toString()
    {
        return text;
    }
}
