package dev.ferry.log;

import dev.ferry.FerryException;

/**
 * A partition log could not take an event. The message names the log, the sizes involved and the
 * setting to change.
 */
public class LogException extends FerryException
{
    private static final long serialVersionUID = 1L;

    public LogException(final String message)
    {
        super(message);
    }
}
