package dev.ferry.bench.compare;

/**
 * A path for events of one size, from one producer thread to one consumer thread.
 * <p>
 * The harness keeps the producer at most a window of events ahead of the consumer, so a channel needs
 * room for that window only (see {@link CompareWorker#window(int)}); it must deliver every event
 * once, in the order offered, or fail.
 */
public interface Channel extends AutoCloseable
{
    /**
     * Send one event. Called from the producer thread only.
     * <p>
     * The channel lays the event out as {@link CompareEvent} says, with
     * {@link CompareEvent#stampHeader} and {@link CompareEvent#stampTail}; the other bytes of the
     * event are the channel's to fill once (they are not written per event).
     *
     * @param sequence of the event: 0, 1, 2, … in the order offered.
     * @param sentNs   the {@link System#nanoTime()} to stamp into the event: the time it was meant to be
     *                 sent, from which the consumer measures its latency.
     * @return true if the event was taken; false if the channel is back-pressured, in which case the
     * harness idles and offers the same event again. A channel whose peer API can only block may block
     * instead, briefly.
     */
    boolean offer(long sequence, long sentNs);

    /**
     * Push out what the channel buffers (a batch not yet sent). Called from the producer thread
     * whenever it is about to idle: no event may wait in a buffer while the producer waits.
     */
    default void flush()
    {
    }

    /**
     * Receive what has arrived, at most {@code limit} events. Called from the consumer thread only.
     * <p>
     * Each event is checked with {@link CompareEvent#deliver} (or its header and tail checks, for
     * channels whose events arrive in two parts) and so handed to the sink; once the sink returns,
     * the channel may reuse or release the event's memory.
     *
     * @param sink  to hand each event to.
     * @param limit most events to hand over in this call.
     * @return the number of events handed to the sink; 0 if none had arrived.
     */
    int poll(EventSink sink, int limit);

    /**
     * Release what the channel holds. The producer and the consumer have stopped.
     *
     * @throws Exception if something could not be released.
     */
    @Override
    void close() throws Exception;
}
