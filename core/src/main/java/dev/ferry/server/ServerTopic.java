package dev.ferry.server;

/**
 * A topic the server hosts: a name, an id used on the wire, and its partitions.
 */
final class ServerTopic
{
    final int topicId;
    final String name;
    final ServerPartition[] partitions;

    ServerTopic(final int topicId, final String name, final ServerPartition[] partitions)
    {
        this.topicId = topicId;
        this.name = name;
        this.partitions = partitions;
    }

    long events()
    {
        long events = 0;
        for (final ServerPartition partition : partitions)
        {
            events += partition.log.committedEnd();
        }
        return events;
    }
}
