package dev.ferry.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Which event IDs each partition of a topic gave or delivered, for {@code produce} and
 * {@code consume} to print: a count and the lowest and highest ID per partition.
 * <p>
 * Thread-safe: producers record from the client's I/O agent, consumers from their own thread.
 */
final class PartitionRanges
{
    private final long[] counts;
    private final long[] lowest;
    private final long[] highest;

    /**
     * @param partitions of the topic.
     */
    PartitionRanges(final int partitions)
    {
        counts = new long[partitions];
        lowest = new long[partitions];
        highest = new long[partitions];
        Arrays.fill(lowest, Long.MAX_VALUE);
        Arrays.fill(highest, Long.MIN_VALUE);
    }

    /**
     * @param partition of the event.
     * @param eventId   the partition gave it.
     */
    synchronized void record(final int partition, final long eventId)
    {
        counts[partition]++;
        lowest[partition] = Math.min(lowest[partition], eventId);
        highest[partition] = Math.max(highest[partition], eventId);
    }

    /**
     * @return events recorded over all partitions.
     */
    synchronized long total()
    {
        long total = 0;
        for (final long count : counts)
        {
            total += count;
        }
        return total;
    }

    /**
     * @return true if every partition that gave or delivered any event did so from event ID 0.
     */
    synchronized boolean fromStart()
    {
        for (int partition = 0; partition < counts.length; partition++)
        {
            if (counts[partition] > 0 && lowest[partition] != 0)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @return one line per partition, such as {@code partition 0: event IDs 0..499 (500 events)}.
     */
    synchronized List<String> lines()
    {
        final List<String> lines = new ArrayList<>(counts.length);
        for (int partition = 0; partition < counts.length; partition++)
        {
            lines.add("partition " + partition + ": " + (0 == counts[partition] ? "no events" :
                "event IDs " + lowest[partition] + ".." + highest[partition] + " (" + counts[partition] +
                (1 == counts[partition] ? " event)" : " events)")));
        }
        return lines;
    }
}
