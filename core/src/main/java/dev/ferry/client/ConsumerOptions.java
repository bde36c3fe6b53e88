package dev.ferry.client;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Who a consumer is, how far ahead it reads, and which bytes of each event it fetches (Mofka's consumer
 * options).
 */
public final class ConsumerOptions
{
    private final String name;
    private int[] partitions;
    private int prefetch = 64;
    private int batchSize = 64;
    private boolean readInPlace;
    private DataSelector dataSelector;
    private final Map<Integer, Long> startAt = new TreeMap<>();

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

    /**
     * @return the selector of the bytes fetched of each event, or null for all of them.
     */
    public DataSelector dataSelector()
    {
        return dataSelector;
    }

    /**
     * @param dataSelector chooses which bytes of each event's data to fetch: only those cross the bulk
     *                     transport (or, reading in place, are viewed), and the event holds just them.
     *                     Null, the default, fetches all of them.
     * @return this.
     */
    public ConsumerOptions dataSelector(final DataSelector dataSelector)
    {
        this.dataSelector = dataSelector;
        return this;
    }

    /**
     * Seek: read a partition from a given event on, instead of from where this consumer's name left off
     * (its first unacknowledged event), for example to read again what it acknowledged, or to skip
     * ahead. Acknowledging then moves the name's cursor forward only, never back.
     *
     * @param partition to read from {@code eventId} on.
     * @param eventId   first event to receive: from 0 to the partition's next event ID (the subscription
     *                  fails, naming the events the partition holds, if it is beyond, or dropped by retention).
     * @return this.
     */
    public ConsumerOptions startAt(final int partition, final long eventId)
    {
        if (eventId < 0)
        {
            throw new IllegalArgumentException("event IDs start at 0; cannot start partition " + partition +
                " at " + eventId);
        }
        startAt.put(partition, eventId);
        return this;
    }

    /**
     * @param partition of the topic.
     * @return the event to start that partition at, or -1 for the consumer's cursor.
     */
    public long startAt(final int partition)
    {
        final Long eventId = startAt.get(partition);
        return null == eventId ? ClientConductor.FROM_CURSOR : eventId;
    }

    /**
     * @return the partitions given a start with {@link #startAt(int, long)}.
     */
    int[] partitionsStarted()
    {
        return startAt.keySet().stream().mapToInt(Integer::intValue).toArray();
    }
}
