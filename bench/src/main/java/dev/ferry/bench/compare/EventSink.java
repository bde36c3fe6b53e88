package dev.ferry.bench.compare;

/**
 * Where a {@link Channel} hands each event it delivers: the harness, which checks the order and
 * counts events or records their latency.
 */
@FunctionalInterface
public interface EventSink
{
    /**
     * @param sequence the event's sequence number, read from its header and checked against its tail.
     * @param sentNs   the time stamped into its header by the producer.
     */
    void onEvent(long sequence, long sentNs);
}
