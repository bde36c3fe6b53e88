package dev.ferry.transport.aeron;

import dev.ferry.channel.Outbound;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import org.agrona.DirectBuffer;

/**
 * An outbound channel: one {@link ExclusivePublication}, so one Aeron session of its own.
 * <p>
 * Exclusive rather than concurrent because only the I/O agent ever offers (no compare-and-swap on
 * the tail is needed), and because Aeron shares one concurrent publication among every
 * {@code addPublication} of the same channel and stream in a client: two channels to the same peer
 * would then be one sender to it, paused, back-pressured and closed together. Here every
 * {@link AeronMessageTransport#connect(String)} is a sender of its own.
 */
final class AeronOutbound implements Outbound
{
    private final AeronMessageTransport transport;
    private final ExclusivePublication publication;
    private final String address;
    private final int maxMessageLength;
    private boolean closed;

    AeronOutbound(final AeronMessageTransport transport, final ExclusivePublication publication, final String address)
    {
        this.transport = transport;
        this.publication = publication;
        this.address = address;
        this.maxMessageLength = publication.maxMessageLength();
    }

    /**
     * Allocation-free.
     * <p>
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if the message is longer than {@link #maxMessageLength()}.
     */
    public long offer(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length > maxMessageLength)
        {
            throw new IllegalArgumentException(
                "a message of " + length + " bytes to " + address + " exceeds the longest this channel takes (" +
                maxMessageLength + " bytes, 1/8 of the Aeron term buffer); split it, or raise the term buffer " +
                "length (" + AeronMessageTransport.Context.TERM_BUFFER_LENGTH_PROP_NAME + ")");
        }

        final long result = publication.offer(buffer, offset, length);

        return result >= 0 ? result : outcome(result);
    }

    /**
     * @param aeronResult a negative result of {@link Publication#offer}.
     * @return the {@link Outbound} constant of the same meaning.
     * @throws IllegalStateException if Aeron returned a result this class does not know.
     */
    static long outcome(final long aeronResult)
    {
        if (Publication.NOT_CONNECTED == aeronResult)
        {
            return NOT_CONNECTED;
        }
        if (Publication.BACK_PRESSURED == aeronResult)
        {
            return BACK_PRESSURED;
        }
        if (Publication.ADMIN_ACTION == aeronResult)
        {
            return ADMIN_ACTION;
        }
        if (Publication.CLOSED == aeronResult)
        {
            return CLOSED;
        }
        if (Publication.MAX_POSITION_EXCEEDED == aeronResult)
        {
            return MAX_POSITION_EXCEEDED;
        }

        throw new IllegalStateException(
            "Aeron returned the offer result " + aeronResult + ", which Ferry does not know; use the Aeron version " +
            "Ferry was built with");
    }

    public int maxMessageLength()
    {
        return maxMessageLength;
    }

    public boolean isConnected()
    {
        return publication.isConnected();
    }

    public String address()
    {
        return address;
    }

    /**
     * Idempotent. Receivers see the sender disconnect once they have taken what was sent before.
     */
    public void close()
    {
        if (!closed)
        {
            closed = true;
            publication.close();
            transport.onClosed(this);
        }
    }

    public String toString()
    {
        return "AeronOutbound{address=" + address + ", sessionId=" + publication.sessionId() + "}";
    }
}
