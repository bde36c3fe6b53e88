package dev.ferry.topic;

import dev.ferry.FerryException;

/**
 * An event its topic's {@link Validator} or {@link PartitionSelector} refused: it was not pushed, and
 * nothing of it was sent. The message names what is wrong.
 */
public class InvalidEventException extends FerryException
{
    private static final long serialVersionUID = 1L;

    public InvalidEventException(final String message)
    {
        super(message);
    }

    public InvalidEventException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
