package dev.ferry;

/**
 * Base of every error Ferry reports to an application.
 * <p>
 * Messages follow one rule: they say what happened, to what, and what to do about it, so that the
 * message alone is enough to act on.
 */
public class FerryException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public FerryException(final String message)
    {
        super(message);
    }

    public FerryException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
