package dev.ferry.server;

import dev.ferry.log.PartitionLog;

/**
 * A named consumer reading some partitions of a topic: where it is in each and how many more events
 * it can take (its credit).
 */
final class Subscription
{
    /**
     * A start position that means the consumer's cursor: its first unacknowledged event.
     */
    static final long FROM_CURSOR = -1;

    final ServerSession session;
    final long consumerId;
    final String consumerName;
    final ServerTopic topic;
    final int[] partitions;
    final long[] nextEventIds;
    final int[] credits;
    final int batchSize;

    Subscription(
        final ServerSession session,
        final long consumerId,
        final String consumerName,
        final ServerTopic topic,
        final int[] partitions,
        final long[] startEventIds,
        final int initialCredit,
        final int batchSize)
    {
        this.batchSize = batchSize;
        this.session = session;
        this.consumerId = consumerId;
        this.consumerName = consumerName;
        this.topic = topic;
        this.partitions = partitions;
        this.nextEventIds = new long[partitions.length];
        this.credits = new int[partitions.length];
        for (int i = 0; i < partitions.length; i++)
        {
            final PartitionLog log = topic.partitions[partitions[i]].log;
            log.track(consumerName);
            nextEventIds[i] = FROM_CURSOR == startEventIds[i] ?
                log.cursor(consumerName) : Math.max(log.firstEventId(), startEventIds[i]);
            credits[i] = initialCredit;
        }
    }

    int indexOf(final int partition)
    {
        for (int i = 0; i < partitions.length; i++)
        {
            if (partitions[i] == partition)
            {
                return i;
            }
        }
        return -1;
    }
}
