package dev.ferry.client;

import java.util.concurrent.CompletableFuture;

/**
 * The outcome of {@link Producer#tryPush}: a {@link PushStatus}, and for an event that was taken
 * the future of its event ID. The outcomes of events not taken are shared constants, so a producer
 * offering into a full pipeline allocates nothing.
 */
public final class PushResult
{
    static final PushResult BACK_PRESSURED = new PushResult(PushStatus.BACK_PRESSURED, null);
    static final PushResult NOT_CONNECTED = new PushResult(PushStatus.NOT_CONNECTED, null);
    static final PushResult CLOSED = new PushResult(PushStatus.CLOSED, null);

    private final PushStatus status;
    private final CompletableFuture<Long> eventId;

    private PushResult(final PushStatus status, final CompletableFuture<Long> eventId)
    {
        this.status = status;
        this.eventId = eventId;
    }

    static PushResult pushed(final CompletableFuture<Long> eventId)
    {
        return new PushResult(PushStatus.PUSHED, eventId);
    }

    /**
     * @return what became of the event.
     */
    public PushStatus status()
    {
        return status;
    }

    /**
     * @return true if the event was taken.
     */
    public boolean isPushed()
    {
        return PushStatus.PUSHED == status;
    }

    /**
     * @return the future event ID of an event that was taken.
     * @throws IllegalStateException if the event was not taken: there is no event ID to wait for.
     */
    public CompletableFuture<Long> eventId()
    {
        if (null == eventId)
        {
            throw new IllegalStateException("the event was not pushed (" + status + "), so it has no event ID");
        }
        return eventId;
    }

    public String toString()
    {
        return "PushResult{" + status + "}";
    }
}
