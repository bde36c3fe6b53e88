package dev.ferry.channel;

import org.agrona.DirectBuffer;

/**
 * Given each whole inbound message. The buffer is valid only during the call.
 */
@FunctionalInterface
public interface MessageHandler
{
    /**
     * @param buffer    holding the message.
     * @param offset    of its first byte.
     * @param length    in bytes.
     * @param sessionId of the sender, stable for the life of its outbound channel.
     */
    void onMessage(DirectBuffer buffer, int offset, int length, int sessionId);
}
