package dev.ferry.channel;

import org.agrona.DirectBuffer;

/**
 * Messages sent to one address. Offers never block: a result below zero says why nothing was sent.
 */
public interface Outbound extends AutoCloseable
{
    /**
     * The peer is not connected (yet, or any more).
     */
    long NOT_CONNECTED = -1;

    /**
     * The peer is not keeping up; retry later.
     */
    long BACK_PRESSURED = -2;

    /**
     * The transport was busy with its own bookkeeping; retry at once.
     */
    long ADMIN_ACTION = -3;

    /**
     * The channel is closed.
     */
    long CLOSED = -4;

    /**
     * The stream reached its maximum position and must be re-opened.
     */
    long MAX_POSITION_EXCEEDED = -5;

    /**
     * @param buffer holding the message.
     * @param offset of its first byte.
     * @param length in bytes, at most {@link #maxMessageLength()}.
     * @return a positive stream position if sent, else one of the constants above.
     */
    long offer(DirectBuffer buffer, int offset, int length);

    /**
     * @return the longest message {@link #offer} accepts.
     */
    int maxMessageLength();

    /**
     * @return true once a receiver is connected.
     */
    boolean isConnected();

    /**
     * @return the address this channel sends to.
     */
    String address();

    /**
     * Stop sending.
     */
    void close();
}
