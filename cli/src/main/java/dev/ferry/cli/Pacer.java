package dev.ferry.cli;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Keeps a loop at a fixed rate, as a detector's trigger would: the n-th turn comes no sooner than n
 * intervals after the start, so a slow turn is made up by the next ones instead of lowering the rate.
 */
final class Pacer
{
    /**
     * Highest rate a command accepts, in turns per second.
     */
    static final long MAX_RATE = 1_000_000_000;

    private final long intervalNs;
    private long startNs;
    private long turns;

    /**
     * @param rate turns per second; 0 for no pacing.
     */
    Pacer(final long rate)
    {
        this.intervalNs = 0 == rate ? 0 : TimeUnit.SECONDS.toNanos(1) / rate;
    }

    /**
     * Wait until the next turn is due; the first is due at once.
     */
    void awaitTurn()
    {
        if (0 == intervalNs)
        {
            return;
        }
        if (0 == turns)
        {
            startNs = System.nanoTime();
        }
        final long dueNs = startNs + turns++ * intervalNs;
        for (long waitNs = dueNs - System.nanoTime(); waitNs > 0; waitNs = dueNs - System.nanoTime())
        {
            LockSupport.parkNanos(waitNs);
        }
    }
}
