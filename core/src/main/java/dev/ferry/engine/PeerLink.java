package dev.ferry.engine;

import dev.ferry.FerryException;
import dev.ferry.channel.Outbound;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableRingBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * An outbound channel to one peer with a queue for what the channel could not take yet: messages
 * offered while the peer is not yet connected or is back-pressured wait here, in order, and go out
 * from {@link #flush()} in the owning agent's duty cycle.
 * <p>
 * Results are handled as the control plane defines them: back-pressure and admin action are
 * retried; not-connected keeps messages queued (the session layer decides when a peer is gone);
 * closed and max-position make the link {@link #isBroken() broken}.
 * <p>
 * Single-threaded: owned by one I/O agent. No allocation once the queue has grown to its working size.
 */
public final class PeerLink implements AutoCloseable
{
    private final Outbound outbound;
    private final ExpandableRingBuffer queue;
    private final ExpandableRingBuffer.MessageConsumer sender = this::sendQueued;
    private boolean broken;

    /**
     * @param outbound      channel to the peer.
     * @param maxQueueBytes most bytes held for the peer; past that {@link #send} fails.
     */
    public PeerLink(final Outbound outbound, final int maxQueueBytes)
    {
        this.outbound = outbound;
        this.queue = new ExpandableRingBuffer(4096, maxQueueBytes, true);
    }

    /**
     * Send a message now if the channel takes it, else queue it behind what is already waiting.
     *
     * @param buffer holding the message.
     * @param offset of its first byte.
     * @param length in bytes.
     * @throws FerryException if the link is broken or its queue is full: the peer is not reading.
     */
    public void send(final DirectBuffer buffer, final int offset, final int length)
    {
        if (broken)
        {
            throw new FerryException("the link to " + outbound.address() + " is closed");
        }

        if (queue.isEmpty() && offer(buffer, offset, length))
        {
            return;
        }

        if (!queue.append(buffer, offset, length))
        {
            throw new FerryException(
                "the peer at " + outbound.address() + " has not taken " + queue.size() + " bytes of messages; it is " +
                "not reading, or is unreachable");
        }
    }

    /**
     * Offer queued messages, oldest first, until the channel stops taking them.
     *
     * @return messages sent.
     */
    public int flush()
    {
        return queue.isEmpty() || broken ? 0 : queue.consume(sender, 64);
    }

    /**
     * @return true once the peer's inbound channel sees this link.
     */
    public boolean isConnected()
    {
        return outbound.isConnected();
    }

    /**
     * @return true if the channel was closed or ran out of stream positions; nothing more can be sent.
     */
    public boolean isBroken()
    {
        return broken;
    }

    /**
     * @return bytes of messages waiting.
     */
    public int queuedBytes()
    {
        return queue.size();
    }

    /**
     * @return the longest message the channel takes.
     */
    public int maxMessageLength()
    {
        return outbound.maxMessageLength();
    }

    /**
     * @return the peer's address.
     */
    public String address()
    {
        return outbound.address();
    }

    public void close()
    {
        outbound.close();
    }

    private boolean sendQueued(
        final MutableDirectBuffer buffer, final int offset, final int length, final int headOffset)
    {
        return offer(buffer, offset, length);
    }

    private boolean offer(final DirectBuffer buffer, final int offset, final int length)
    {
        for (int attempt = 0; attempt < 3; attempt++)
        {
            final long result = outbound.offer(buffer, offset, length);
            if (result > 0)
            {
                return true;
            }
            if (Outbound.CLOSED == result || Outbound.MAX_POSITION_EXCEEDED == result)
            {
                broken = true;
                return false;
            }
            if (Outbound.ADMIN_ACTION != result)
            {
                return false; // not connected or back-pressured: stays queued for the next duty cycle
            }
        }
        return false;
    }
}
