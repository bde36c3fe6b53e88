package dev.ferry.test;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Waiting, bounded, for something another thread makes true.
 */
public final class Conditions
{
    private static final long TIMEOUT_S = 30;

    private Conditions()
    {
    }

    /**
     * Poll a condition every millisecond until it holds; fail the test if it does not within 30 s.
     *
     * @param what      the condition in words, for the failure.
     * @param condition to wait for.
     * @throws InterruptedException if the test thread is interrupted.
     */
    public static void await(final String what, final BooleanSupplier condition) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail("not within " + TIMEOUT_S + " s: " + what);
            }
            Thread.sleep(1);
        }
    }
}
