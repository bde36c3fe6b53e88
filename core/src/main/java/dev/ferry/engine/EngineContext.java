package dev.ferry.engine;

import dev.ferry.bulk.BulkTransportSet;
import dev.ferry.shm.ShmDirectory;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Settings every engine (server or client) has: where its files go, which media driver and bulk
 * transports it uses, and how its I/O agent idles.
 *
 * @param <C> the concrete settings class, so that setters chain.
 */
public abstract class EngineContext<C extends EngineContext<C>>
{
    private Path shmRoot;
    private Path externalDriverDirectory;
    private IdleStrategy idleStrategy;
    private String transport = BulkTransportSet.AUTO;

    /**
     * Fill the defaults of the shared settings; subclasses call it from their {@code conclude()}.
     */
    protected void concludeEngine()
    {
        if (null == transport || transport.isBlank())
        {
            throw new IllegalArgumentException(
                "the bulk transport must be '" + BulkTransportSet.AUTO + "' or a transport's name (" +
                BulkTransportSet.SHM + ", " + BulkTransportSet.RDMA + "), was " +
                (null == transport ? "null" : "'" + transport + "'"));
        }
        if (null == shmRoot)
        {
            shmRoot = ShmDirectory.defaultRoot();
        }
        if (null == idleStrategy)
        {
            idleStrategy = new BackoffIdleStrategy(
                100, 10, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    @SuppressWarnings("unchecked")
    private C self()
    {
        return (C)this;
    }

    public Path shmRoot()
    {
        return shmRoot;
    }

    /**
     * @param shmRoot Ferry's shared-memory root; default {@link ShmDirectory#defaultRoot()}.
     * @return this.
     */
    public C shmRoot(final Path shmRoot)
    {
        this.shmRoot = shmRoot;
        return self();
    }

    public Path externalDriverDirectory()
    {
        return externalDriverDirectory;
    }

    /**
     * @param directory of a running Aeron media driver to use instead of embedding one.
     * @return this.
     */
    public C externalDriverDirectory(final Path directory)
    {
        this.externalDriverDirectory = directory;
        return self();
    }

    public String transport()
    {
        return transport;
    }

    /**
     * @param transport the bulk transports to open: {@link BulkTransportSet#AUTO} (the default) opens
     *                  every one that can run here and lets each session choose (RDMA if both sides
     *                  have it, else shared memory on one host); a name ({@code shm}, {@code rdma})
     *                  opens that one alone, and the engine fails to start if it cannot run here.
     * @return this.
     */
    public C transport(final String transport)
    {
        this.transport = transport;
        return self();
    }

    public IdleStrategy idleStrategy()
    {
        return idleStrategy;
    }

    /**
     * @param idleStrategy for the I/O agent; default backs off to 1 ms sleeps, so an idle engine
     *                     costs no core.
     * @return this.
     */
    public C idleStrategy(final IdleStrategy idleStrategy)
    {
        this.idleStrategy = idleStrategy;
        return self();
    }
}
