package dev.ferry.client;

import java.util.Objects;

/**
 * Who a consumer is and how far ahead it reads (Mofka's consumer options).
 */
public final class ConsumerOptions
{
    private final String name;
    private int[] partitions;
    private int prefetch = 64;
    private int batchSize = 64;
    private boolean readInPlace;

    /**
     * @param name mandatory: a new name starts at event 0; the same name resumes after its last acknowledgement.
     */
    public ConsumerOptions(final String name)
    {
        this.name = Objects.requireNonNull(name, "name");
        if (name.isBlank())
        {
            throw new IllegalArgumentException("a consumer needs a name: the server keeps its position under it");
        }
    }

    public String name()
    {
        return name;
    }

    public int[] partitions()
    {
        return partitions;
    }

    /**
     * @param partitions to read; default all of the topic's.
     * @return this.
     */
    public ConsumerOptions partitions(final int... partitions)
    {
        this.partitions = partitions.clone();
        return this;
    }

    public int batchSize()
    {
        return batchSize;
    }

    /**
     * @param batchSize most events the server sends in one batch; default 64.
     * @return this.
     */
    public ConsumerOptions batchSize(final int batchSize)
    {
        if (batchSize < 1 || batchSize > 65_535)
        {
            throw new IllegalArgumentException("batch size must be from 1 to 65535, was " + batchSize);
        }
        this.batchSize = batchSize;
        return this;
    }

    public int prefetch()
    {
        return prefetch;
    }

    /**
     * @param prefetch events per partition the server may send ahead of {@code pull}; default 64.
     * @return this.
     */
    public ConsumerOptions prefetch(final int prefetch)
    {
        if (prefetch < 1)
        {
            throw new IllegalArgumentException("prefetch must be at least 1, was " + prefetch);
        }
        this.prefetch = prefetch;
        return this;
    }

    public boolean readInPlace()
    {
        return readInPlace;
    }

    /**
     * Read each event's data where the server keeps it instead of pulling a copy, when the session's
     * bulk transport can show the server's memory in place: shared memory, with the server on this
     * host. The event's {@link dev.ferry.event.Event#data() data} is then a read-only view of the
     * server's partition log; it takes no memory of the consumer's pool and costs no copy, and it is
     * valid until the event is acknowledged, after which the server may reuse the memory. Over a
     * transport that cannot (RDMA), data is pulled into the pool as without this option.
     *
     * @param readInPlace true to read in place where possible; default false.
     * @return this.
     */
    public ConsumerOptions readInPlace(final boolean readInPlace)
    {
        this.readInPlace = readInPlace;
        return this;
    }
}
