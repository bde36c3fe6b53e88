package dev.ferry.client;

/**
 * The state of a client's session with its server ({@link Ferry#health()}), as Mofka's and DESIGN's
 * session health names it. A session starts {@link #CONNECTING}, is {@link #HAPPY} once the server
 * has answered its hello, and ends {@link #LOST}.
 * <p>
 * DESIGN's {@code HUNGRY} (a link down, reconnecting) belongs to sessions that reconnect, which
 * Ferry does not do yet: today a lost connection ends the session, and the application learns it
 * here and through the futures of everything in flight, which fail with the same reason.
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
     * The session is over: the connection was lost, the server refused the hello, or the client was
     * closed. It stays lost.
     */
    LOST
}
