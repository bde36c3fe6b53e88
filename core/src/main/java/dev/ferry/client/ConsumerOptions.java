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
}
