package dev.ferry.client;

/**
 * The state of a client's session with its server ({@link Ferry#health()}), as Mofka's and DESIGN's
 * session health names it: {@link #CONNECTING}, then {@link #HAPPY} once the server has answered its
 * hello, {@link #HUNGRY} while a lost connection is being made again (then {@code HAPPY} again), and
 * {@link #LOST} at the end.
 */
public enum Health
{
    /**
     * The hello is sent; the server has not answered yet.
     */
    CONNECTING,

    /**
     * The server answered: producers, consumers and requests work.
     */
    HAPPY,

    /**
     * The connection was lost and the client is reconnecting, with exponential backoff and jitter.
     * Nothing is lost meanwhile: pushes wait in the pending batches (and {@code tryPush} says
     * {@link PushStatus#NOT_CONNECTED}), unacknowledged batches are sent again on reconnection and
     * stored once, consumers resume after the last event they took in, and requests wait to be sent.
     */
    HUNGRY,

    /**
     * The session is over: the client was closed, the server refused the hello, or reconnecting
     * passed the client's {@link Ferry.Context#reconnectTimeout(java.time.Duration) give-up deadline}.
     * It stays lost.
     */
    LOST
}
