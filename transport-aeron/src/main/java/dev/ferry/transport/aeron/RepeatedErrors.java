package dev.ferry.transport.aeron;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a log readable while an error repeats: the media driver reports a send that fails, for
 * instance to a peer whose network is down, every time it tries, about a thousand times a second per
 * stream. The first report of a message is let through; the same message again within the interval
 * is counted instead, and the next one let through after it says how many were held back.
 * <p>
 * Thread-safe: the driver's threads report concurrently. Remembers at most {@value #MAX_MESSAGES}
 * distinct messages, forgetting them all when more come, so an endless variety cannot grow it.
 */
final class RepeatedErrors
{
    static final int MAX_MESSAGES = 256;

    private final long intervalNs;
    private final Map<String, long[]> lastAndHeldBack = new HashMap<>();

    /**
     * @param intervalNs how long the same message is held back after it was let through.
     */
    RepeatedErrors(final long intervalNs)
    {
        this.intervalNs = intervalNs;
    }

    /**
     * @param message of an error reported now.
     * @param nowNs   the time now, {@link System#nanoTime()}.
     * @return the line to log: the message, with how many like it were held back since the last one;
     * or null to hold this one back.
     */
    synchronized String admit(final String message, final long nowNs)
    {
        final long[] state = lastAndHeldBack.get(message);
        if (null != state && nowNs - state[0] < intervalNs)
        {
            state[1]++;
            return null;
        }

        if (null == state)
        {
            if (lastAndHeldBack.size() == MAX_MESSAGES)
            {
                lastAndHeldBack.clear();
            }
            lastAndHeldBack.put(message, new long[]{ nowNs, 0 });
            return message;
        }

        final long heldBack = state[1];
        state[0] = nowNs;
        state[1] = 0;
        return 0 == heldBack ? message : message + " (and " + heldBack + " more like it in the last " +
            TimeUnit.NANOSECONDS.toSeconds(intervalNs) + " s, not logged)";
    }
}
