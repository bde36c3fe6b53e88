package dev.ferry.client;

/**
 * What became of an event offered with {@link Producer#tryPush}, which never blocks.
 */
public enum PushStatus
{
    /**
     * Taken: the event will be sent, and its future completes once the server has stored it.
     */
    PUSHED,

    /**
     * Not taken, for now: the producer's pending batches are full (the server has not caught up), or
     * the client's pool has no segment free for the data. Offer it again later; an attached
     * {@link PushSource} is paused until the batches have room again.
     */
    BACK_PRESSURED,

    /**
     * Not taken: the client has no connection to the server. While it reconnects
     * ({@link Health#HUNGRY}) offer it again later; once the session is {@link Health#LOST} it never
     * will have one.
     */
    NOT_CONNECTED,

    /**
     * Not taken: the producer is closed.
     */
    CLOSED
}
