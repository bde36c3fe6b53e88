package dev.ferry.client;

/**
 * A topic as a server lists it.
 *
 * @param name       of the topic.
 * @param partitions it has.
 * @param events     stored in all its partitions.
 */
public record TopicDescription(String name, int partitions, long events)
{
}
