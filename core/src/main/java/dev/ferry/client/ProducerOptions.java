package dev.ferry.client;

import dev.ferry.log.PartitionLog;
import dev.ferry.topic.PartitionSelector;
import dev.ferry.topic.Validator;

import java.time.Duration;

/**
 * How a producer batches, how much it keeps in flight, and, if not its topic's, which validator and
 * partition selector it applies (Mofka's producer options).
 */
public final class ProducerOptions
{
    /**
     * Batch size meaning adaptive: send what has accumulated as soon as a batch slot is free.
     */
    public static final int ADAPTIVE = 0;

    /**
     * Most events in one adaptive batch.
     */
    public static final int ADAPTIVE_MAX_EVENTS = 1024;

    private String name = "producer";
    private int batchSize = ADAPTIVE;
    private int maxPendingBatches = 2;
    private Duration pushTimeout = Duration.ofSeconds(30);
    private Validator validator;
    private PartitionSelector partitionSelector;

    public String name()
    {
        return name;
    }

    /**
     * @param name of the producer, in messages.
     * @return this.
     */
    public ProducerOptions name(final String name)
    {
        this.name = name;
        return this;
    }

    public int batchSize()
    {
        return batchSize;
    }

    /**
     * @param batchSize events per batch; {@link #ADAPTIVE} (the default) sends what has accumulated
     *                  whenever fewer than {@link #maxPendingBatches()} batches are unacknowledged.
     * @return this.
     */
    public ProducerOptions batchSize(final int batchSize)
    {
        if (batchSize < 0 || batchSize > 65_535)
        {
            throw new IllegalArgumentException("batch size must be from 1 to 65535, or 0 for adaptive; was " + batchSize);
        }
        this.batchSize = batchSize;
        return this;
    }

    public int maxPendingBatches()
    {
        return maxPendingBatches;
    }

    /**
     * @param maxPendingBatches batches per partition sent and not yet acknowledged; {@code push} blocks
     *                          when they and the batch being filled are full. Default 2; at most
     *                          {@link PartitionLog#REMEMBERED_BATCHES_PER_PRODUCER}, how many batches of a
     *                          producer the server remembers to store a batch sent again only once.
     * @return this.
     */
    public ProducerOptions maxPendingBatches(final int maxPendingBatches)
    {
        if (maxPendingBatches < 1 || maxPendingBatches > PartitionLog.REMEMBERED_BATCHES_PER_PRODUCER)
        {
            throw new IllegalArgumentException("max pending batches must be from 1 to " +
                PartitionLog.REMEMBERED_BATCHES_PER_PRODUCER + " (what a server remembers of a producer to store " +
                "re-sent batches once), was " + maxPendingBatches);
        }
        this.maxPendingBatches = maxPendingBatches;
        return this;
    }

    public Duration pushTimeout()
    {
        return pushTimeout;
    }

    /**
     * @param pushTimeout longest a {@code push} waits for room before it fails. Default 30 s.
     * @return this.
     */
    public ProducerOptions pushTimeout(final Duration pushTimeout)
    {
        this.pushTimeout = pushTimeout;
        return this;
    }

    /**
     * @return the validator the producer applies instead of its topic's, or null for the topic's.
     */
    public Validator validator()
    {
        return validator;
    }

    /**
     * @param validator to apply to every event instead of the topic's ({@link Validator#ACCEPT_ALL} for
     *                  none); null for the topic's, the default. Called on the pushing threads.
     * @return this.
     */
    public ProducerOptions validator(final Validator validator)
    {
        this.validator = validator;
        return this;
    }

    /**
     * @return the partition selector the producer applies instead of its topic's, or null for the topic's.
     */
    public PartitionSelector partitionSelector()
    {
        return partitionSelector;
    }

    /**
     * @param partitionSelector to place events pushed without a partition, instead of the topic's;
     *                          null for the topic's, the default. Called on the pushing threads.
     * @return this.
     */
    public ProducerOptions partitionSelector(final PartitionSelector partitionSelector)
    {
        this.partitionSelector = partitionSelector;
        return this;
    }

    int eventsPerBatch()
    {
        return ADAPTIVE == batchSize ? ADAPTIVE_MAX_EVENTS : batchSize;
    }
}
