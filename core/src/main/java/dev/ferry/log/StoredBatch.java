package dev.ferry.log;

/**
 * A reusable flyweight filled by {@link PartitionLog#findBatch(long, long, long, StoredBatch)}: the
 * committed events one producer batch was stored as.
 */
public final class StoredBatch
{
    private long firstEventId = -1;
    private int count;

    void set(final long firstEventId, final int count)
    {
        this.firstEventId = firstEventId;
        this.count = count;
    }

    /**
     * @return the id of the batch's first event; -1 before the flyweight is first filled.
     */
    public long firstEventId()
    {
        return firstEventId;
    }

    /**
     * @return how many events the batch was stored as; they have consecutive ids from
     * {@link #firstEventId()}.
     */
    public int count()
    {
        return count;
    }

    public String toString()
    {
        return "StoredBatch{firstEventId=" + firstEventId + ", count=" + count + "}";
    }
}
