package dev.ferry.client;

/**
 * A source the producer asks for events whenever it has room for them:
 * {@link Producer#attach(PullSource)}.
 */
@FunctionalInterface
public interface PullSource
{
    /**
     * Push events into the producer, with {@link Producer#tryPush}, for as long as it takes them
     * ({@link PushStatus#PUSHED}) and the source has events ready. Called on the attachment's own
     * thread, again and again while the producer has room and is connected; never while it has none.
     * An event the producer did not take is the source's to offer again on the next call.
     *
     * @param sink the producer to push into.
     * @return how many events were pushed; 0 when none was ready, and the attachment then backs off
     * briefly (at most a millisecond) before asking again.
     */
    int produce(Producer sink);
}
