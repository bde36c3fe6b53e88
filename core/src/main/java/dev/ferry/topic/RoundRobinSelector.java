package dev.ferry.topic;

import dev.ferry.event.Metadata;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Each event to the next partition in turn: the default. Thread-safe; one per producer, so that each
 * producer spreads its own events evenly.
 */
public final class RoundRobinSelector implements PartitionSelector
{
    private final AtomicInteger next = new AtomicInteger();

    @Override
    public int select(final Metadata metadata, final int partitions)
    {
        return Math.floorMod(next.getAndIncrement(), partitions);
    }

    public String toString()
    {
        return "round robin";
    }
}
