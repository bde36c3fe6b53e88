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
     * @return true if the message is taken; false to leave it where it is: it is delivered again,
     * before anything the sender sent after it, the next time the sender is polled. A handler that
     * leaves a message because it has no room for it yet {@link Inbound#pause pauses} the sender
     * until it has, so that the sender's window fills and the transport back-pressures it.
     */
    boolean onMessage(DirectBuffer buffer, int offset, int length, int sessionId);
}
