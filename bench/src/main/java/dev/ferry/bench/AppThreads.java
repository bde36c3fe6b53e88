package dev.ferry.bench;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What the event-path benchmarks' own producer and consumer threads share, so that Ferry and the raw
 * Aeron baseline are driven alike.
 */
public final class AppThreads
{
    /**
     * Longest a producer or consumer thread waits for the other side before the run fails.
     */
    public static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    private AppThreads()
    {
    }

    /**
     * How an application thread waits for the pipeline: a few spins and yields, then parks of 1 µs
     * doubling up to 100 µs. The machine these run on has 2 cores for up to 6 busy threads, so a
     * waiting thread must give its core away soon; 100 µs bounds the delay a parked thread adds.
     *
     * @return a new idle strategy.
     */
    public static IdleStrategy newIdleStrategy()
    {
        return new BackoffIdleStrategy(10, 20, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(100));
    }

    /**
     * Wait for a future, at most {@link #TIMEOUT_NS}.
     *
     * @param future to wait for.
     * @param what   it is, for the error: "the acknowledgement of event 7".
     * @param <T>    of its value.
     * @return its value.
     * @throws IllegalStateException if it failed, did not complete in time, or the wait was interrupted.
     */
    public static <T> T await(final CompletableFuture<T> future, final String what)
    {
        try
        {
            return future.get(TIMEOUT_NS, TimeUnit.NANOSECONDS);
        }
        catch (final ExecutionException ex)
        {
            throw new IllegalStateException(what + " failed: " + ex.getCause(), ex.getCause());
        }
        catch (final TimeoutException ex)
        {
            throw new IllegalStateException(
                what + " did not arrive within " + TimeUnit.NANOSECONDS.toSeconds(TIMEOUT_NS) + " s");
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + what, ex);
        }
    }

    /**
     * Start a thread that runs a producer loop; it dies with the benchmark JVM.
     *
     * @param name of the thread.
     * @param body the loop.
     * @return the started thread.
     */
    public static Thread start(final String name, final Runnable body)
    {
        final Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /**
     * Wait for a thread to end, at most {@link #TIMEOUT_NS}.
     *
     * @param thread to wait for.
     * @throws IllegalStateException if it is still running then, or the wait is interrupted.
     */
    public static void join(final Thread thread)
    {
        try
        {
            thread.join(TimeUnit.NANOSECONDS.toMillis(TIMEOUT_NS));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for thread " + thread.getName() + " to stop", ex);
        }
        if (thread.isAlive())
        {
            throw new IllegalStateException(
                "thread " + thread.getName() + " did not stop within " + TimeUnit.NANOSECONDS.toSeconds(TIMEOUT_NS) +
                " s of being told to; it is stuck in: " + Arrays.toString(thread.getStackTrace()));
        }
    }
}
