package dev.ferry.agent;

/**
 * Marks the threads that run an I/O agent, so that blocking methods can refuse to run on them.
 * <p>
 * Every client and server runs one I/O agent that owns all transport state. If the agent thread
 * called a blocking method (say {@code BufferPool.allocate} with a deadline) it would stop the very
 * duty cycle that could release what it waits for. Blocking methods call {@link #checkMayBlock(String)}
 * first and throw {@link IllegalStateException} on an agent thread.
 * <p>
 * An agent marks its thread in its {@code onStart()} and clears it in {@code onClose()}.
 */
public final class IoAgentThreads
{
    private static final ThreadLocal<String> AGENT_NAME = new ThreadLocal<>();

    private IoAgentThreads()
    {
    }

    /**
     * Mark the calling thread as the thread of the named I/O agent.
     *
     * @param agentName the agent's role name, used in error messages.
     */
    public static void markCurrentThread(final String agentName)
    {
        AGENT_NAME.set(agentName);
    }

    /**
     * Clear the mark of the calling thread.
     */
    public static void clearCurrentThread()
    {
        AGENT_NAME.remove();
    }

    /**
     * @return true if the calling thread runs an I/O agent.
     */
    public static boolean isIoAgentThread()
    {
        return null != AGENT_NAME.get();
    }

    /**
     * Throw if the calling thread runs an I/O agent.
     *
     * @param operation the blocking operation about to run, named in the error.
     * @throws IllegalStateException on an I/O agent thread.
     */
    public static void checkMayBlock(final String operation)
    {
        final String agentName = AGENT_NAME.get();
        if (null != agentName)
        {
            throw new IllegalStateException(
                operation + " may block and was called on the I/O agent thread of '" + agentName +
                "', which would stall the agent's duty cycle; call it from an application thread, " +
                "or use the non-blocking variant on the agent");
        }
    }
}
