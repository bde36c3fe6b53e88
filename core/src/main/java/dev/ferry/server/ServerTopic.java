package dev.ferry.server;

/**
 * A topic the server hosts: a name, an id used on the wire, and its partitions.
 */
final class ServerTopic
{
    final int topicId;
    final String name;
    final ServerPartition[] partitions;
    /**
     * The topic's {@link dev.ferry.topic.TopicConfig} as JSON, checked when it was created.
     */
    final String config;

    ServerTopic(final int topicId, final String name, final ServerPartition[] partitions, final String config)
    {
        this.topicId = topicId;
        this.name = name;
        this.partitions = partitions;
        this.config = config;
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
