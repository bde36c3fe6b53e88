package dev.ferry.buffer;

import dev.ferry.FerryException;

/**
 * A pool could not serve a request before its deadline. The message names the size asked, the
 * pool's bound and what of it is in use.
 */
public class PoolExhaustedException extends FerryException
{
    private static final long serialVersionUID = 1L;

    public PoolExhaustedException(final String message)
    {
        super(message);
    }
}
