package dev.ferry.log;

/**
 * A partition log has reached its bound on segment bytes and cannot take more events. The message
 * names the bound and how to raise it. The log is unchanged: what it held before is still there.
 */
public class LogFullException extends LogException
{
    private static final long serialVersionUID = 1L;

    public LogFullException(final String message)
    {
        super(message);
    }
}
