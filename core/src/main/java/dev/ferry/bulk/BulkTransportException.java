package dev.ferry.bulk;

import dev.ferry.FerryException;

/**
 * A bulk transport refused or failed an operation: a descriptor outside what the peer registered,
 * an unreachable peer, a broken link.
 */
public class BulkTransportException extends FerryException
{
    private static final long serialVersionUID = 1L;

    public BulkTransportException(final String message)
    {
        super(message);
    }

    public BulkTransportException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
