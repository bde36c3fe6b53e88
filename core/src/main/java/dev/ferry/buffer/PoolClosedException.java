package dev.ferry.buffer;

import dev.ferry.FerryException;

/**
 * A pool was closed while a request waited on it, or a request came after it was closed.
 */
public class PoolClosedException extends FerryException
{
    private static final long serialVersionUID = 1L;

    public PoolClosedException(final String message)
    {
        super(message);
    }
}
