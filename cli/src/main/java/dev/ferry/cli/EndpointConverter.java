package dev.ferry.cli;

import picocli.CommandLine;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an endpoint option such as {@code --server 127.0.0.1:7420}: a host name or IPv4 address, a
 * colon, and a UDP port from 1 to 65535.
 */
public final class EndpointConverter implements CommandLine.ITypeConverter<String>
{
    private static final Pattern HOST_PORT = Pattern.compile("([A-Za-z0-9][A-Za-z0-9.-]*):(\\d{1,5})");

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
        if (port < 1 || port > 65_535)
        {
            throw new CommandLine.TypeConversionException(
                "'" + value + "' has no valid port; ports go from 1 to 65535");
        }

        return value;
    }
}
