package dev.ferry.client;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * A source attached to a producer ({@link Producer#attach(PushSource)},
 * {@link Producer#attach(PullSource)}); closing it detaches the source. A pull source runs on a
 * thread of its own, {@code ferry-source-<producer>}, which asks it for events whenever the producer
 * has room and a connection, and otherwise backs off (spinning, then yielding, then parking up to a
 * millisecond). If the source throws, the attachment ends, the exception is logged and kept as
 * {@link #failure()}, and nothing the source had pushed before is affected.
 */
public final class Attachment implements AutoCloseable
{
    private static final Logger LOGGER = LoggerFactory.getLogger(Attachment.class);
    private static final long STOP_TIMEOUT_MS = TimeUnit.SECONDS.toMillis(10);

    private final Producer producer;
    private final PushSource pushSource;
    private final PullSource pullSource;
    private final Thread thread;
    private volatile boolean detached;
    private volatile Throwable failure;

    private Attachment(final Producer producer, final PushSource pushSource, final PullSource pullSource)
    {
        this.producer = producer;
        this.pushSource = pushSource;
        this.pullSource = pullSource;
        this.thread = null == pullSource ? null : new Thread(this::run, "ferry-source-" + producer.options().name());
    }

    static Attachment of(final Producer producer, final PushSource source)
    {
        return new Attachment(producer, source, null);
    }

    static Attachment of(final Producer producer, final PullSource source)
    {
        return new Attachment(producer, null, source);
    }

    /**
     * Start asking a pull source for events; nothing for a push source.
     */
    void start()
    {
        if (null != thread)
        {
            thread.start();
        }
    }

    /**
     * @return the push source, or null for a pull source.
     */
    PushSource pushSource()
    {
        return pushSource;
    }

    /**
     * @return true until closed, or until a pull source threw.
     */
    public boolean isAttached()
    {
        return !detached;
    }

    /**
     * @return what the pull source threw, which ended the attachment; null if it did not.
     */
    public Throwable failure()
    {
        return failure;
    }

    /**
     * Detach the source. For a pull source, wait until a {@code produce} call under way returns, at
     * most 10 s (a warning is logged if it does not). Idempotent.
     */
    public void close()
    {
        detached = true;
        producer.detach(this);
        if (null != thread && Thread.currentThread() != thread)
        {
            try
            {
                thread.join(STOP_TIMEOUT_MS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive())
            {
                LOGGER.warn("the pull source of producer '{}' did not return from produce() within {} ms of being " +
                    "detached; it keeps running until it does", producer.options().name(), STOP_TIMEOUT_MS);
            }
        }
    }

    private void run()
    {
        final IdleStrategy idle = new BackoffIdleStrategy(100, 10, TimeUnit.MICROSECONDS.toNanos(1),
            TimeUnit.MILLISECONDS.toNanos(1));
        while (!detached)
        {
            int work = 0;
            if (producer.canTake())
            {
                try
                {
                    work = pullSource.produce(producer);
                }
                catch (final Throwable ex)
                {
                    failure = ex;
                    detached = true;
                    producer.detach(this);
                    LOGGER.error("the pull source of producer '{}' threw, so it is detached: {}",
                        producer.options().name(), ex.toString(), ex);
                    return;
                }
            }
            idle.idle(work);
        }
    }

    public String toString()
    {
        return "Attachment{" + (null == thread ? "push" : "pull") + " source of producer '" +
            producer.options().name() + "'" + (detached ? ", detached" : "") + "}";
    }
}
