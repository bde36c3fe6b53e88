package dev.ferry.channel;

/**
 * Told when a sender's stream appears at or vanishes from an inbound channel.
 */
public interface ConnectionListener
{
    /**
     * @param sessionId     of the sender.
     * @param sourceAddress where it sends from, for messages.
     */
    void onConnected(int sessionId, String sourceAddress);

    /**
     * The sender closed its channel, or went silent past the transport's liveness timeout.
     *
     * @param sessionId of the sender.
     */
    void onDisconnected(int sessionId);
}
