package dev.ferry.topic;

import dev.ferry.event.Metadata;

/**
 * Picks the partition of an event a producer pushes without naming one (Mofka's partition selector);
 * {@code push(metadata, data, partition)} bypasses it.
 * <p>
 * A topic's selector is set when the topic is created ({@link TopicConfig}); each producer gets an
 * instance of its own, which may keep state (round robin does), and may replace it with its own
 * ({@code ProducerOptions.partitionSelector}). Called on the pushing threads, by many at once: an
 * implementation must be thread-safe.
 */
@FunctionalInterface
public interface PartitionSelector
{
    /**
     * @param metadata   of the event.
     * @param partitions the topic has.
     * @return the event's partition, from 0 to {@code partitions - 1}.
     * @throws InvalidEventException if the event lacks what the selector needs (a key, say).
     */
    int select(Metadata metadata, int partitions);
}
