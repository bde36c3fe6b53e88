package dev.ferry.cli;

import picocli.CommandLine;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an endpoint option such as {@code --server 127.0.0.1:7420}: a host name, an IPv4 address or
 * a bracketed IPv6 address, a colon, and a UDP port from 1 to 65535.
 */
public class EndpointConverter implements CommandLine.ITypeConverter<String>
{
    private static final Pattern HOST_PORT =
        Pattern.compile("([A-Za-z0-9][A-Za-z0-9._-]*|\\[[0-9A-Fa-f:.]+]):(\\d{1,5})");

    private final int lowestPort;

    /**
     * For endpoints to connect to: port 1 to 65535.
     */
    public EndpointConverter()
    {
        this(1);
    }

    EndpointConverter(final int lowestPort)
    {
        this.lowestPort = lowestPort;
    }

    /**
     * @param value as typed.
     * @return the endpoint, as typed.
     * @throws CommandLine.TypeConversionException naming the value and the accepted form.
     */
    public String convert(final String value)
    {
        final Matcher matcher = HOST_PORT.matcher(value);
        if (!matcher.matches())
        {
            throw new CommandLine.TypeConversionException(
                "'" + value + "' is not an endpoint; write HOST:PORT, e.g. 127.0.0.1:7420");
        }
        final int port = Integer.parseInt(matcher.group(2));
        if (port < lowestPort || port > 65_535)
        {
            throw new CommandLine.TypeConversionException(
                "'" + value + "' has no valid port; use " + lowestPort + " to 65535");
        }

        return value;
    }

    /**
     * For endpoints to listen on: port 0 (any free port) to 65535.
     */
    public static final class Listen extends EndpointConverter
    {
        /**
         * Accepts port 0.
         */
        public Listen()
        {
            super(0);
        }
    }
}
