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
