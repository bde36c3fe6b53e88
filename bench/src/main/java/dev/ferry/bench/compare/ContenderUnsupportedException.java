package dev.ferry.bench.compare;

/**
 * A contender cannot run here at all (thrown by {@link Contender#start}), or cannot carry events of
 * one size (thrown by {@link Contender#open}): not a failure, a fact the report states with its reason,
 * such as "Aeron's longest message is 16 MiB".
 */
public final class ContenderUnsupportedException extends Exception
{
    private static final long serialVersionUID = 1L;

    /**
     * @param reason what is missing or too small, and why; shown in the report as it is.
     */
    public ContenderUnsupportedException(final String reason)
    {
        super(reason);
    }

    /**
     * @param reason what is missing or too small, and why; shown in the report as it is.
     * @param cause  the error that showed it.
     */
    public ContenderUnsupportedException(final String reason, final Throwable cause)
    {
        super(reason, cause);
    }
}
