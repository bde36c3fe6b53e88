package dev.ferry.transport.aeron;

import dev.ferry.channel.ConnectionListener;
import dev.ferry.channel.Inbound;
import dev.ferry.channel.MessageHandler;
import io.aeron.Image;
import io.aeron.ImageControlledFragmentAssembler;
import io.aeron.Subscription;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.collections.ArrayUtil;
import org.agrona.collections.IntHashSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An inbound channel: one {@link Subscription}, whose images (one per sender) are polled one by one
 * so that a paused sender's image is simply not polled. Its messages stay in the image, the image's
 * position stops, and once the sender's window is full Aeron back-pressures that sender alone.
 * <p>
 * The images are kept in an array of {@link Sender}s, replaced (copy on write) as the subscription's
 * available and unavailable image handlers report senders coming and going. Those handlers run
 * inside the Aeron client's duty cycle, where Aeron forbids opening or closing channels, so they only
 * queue the change; {@link AeronMessageTransport#doWork()} applies it and tells the listener, which
 * may therefore open and close channels. A sender is polled only once the listener has heard of it.
 * All of this happens on the I/O agent, so no lock is needed; copying on write lets a
 * {@link MessageHandler} open or close channels while {@link #poll} walks the array.
 * <p>
 * <b>Pauses belong to session ids</b>, not to connections: a pause holds until resumed, may be set
 * before the sender connects, and holds across the sender reconnecting.
 * <p>
 * <b>Messages left.</b> A message the handler does not take aborts the poll of its sender's image:
 * the image stays at the message (its earlier fragments stay reassembled), so the next poll of that
 * sender delivers it again, first; the handler pauses the sender meanwhile.
 * <p>
 * <b>Errors.</b> An exception thrown by the {@link MessageHandler} propagates out of {@link #poll}
 * (the Aeron client is set to rethrow); the message that caused it is consumed, not delivered again.
 * <p>
 * After {@link #close()} the listener is told nothing more, not even of the senders it cut off.
 */
final class AeronInbound implements Inbound
{
    private static final Logger LOGGER = LoggerFactory.getLogger(AeronInbound.class);
    private static final Sender[] NO_SENDERS = new Sender[0];

    private final AeronMessageTransport transport;
    private final ConnectionListener listener;
    private final IntHashSet pausedSessionIds = new IntHashSet();
    private Sender[] senders = NO_SENDERS;
    private Subscription subscription;
    private String address;
    private MessageHandler handler;
    private int remaining;
    private int roundRobinIndex;
    private boolean closed;

    AeronInbound(final AeronMessageTransport transport, final ConnectionListener listener)
    {
        this.transport = transport;
        this.listener = listener;
    }

    /**
     * Complete the channel once its subscription exists (Aeron may report senders before this).
     *
     * @param subscription the channel's subscription.
     * @param address      the resolved address peers send to.
     */
    void open(final Subscription subscription, final String address)
    {
        this.subscription = subscription;
        this.address = address;
    }

    public String address()
    {
        return address;
    }

    /**
     * Allocation-free. Senders take turns at going first, so a busy one cannot starve the others.
     * <p>
     * {@inheritDoc}
     */
    public int poll(final MessageHandler handler, final int messageLimit)
    {
        final Sender[] senders = this.senders;
        final int length = senders.length;
        if (closed || 0 == length || messageLimit <= 0)
        {
            return 0;
        }

        int index = roundRobinIndex < length ? roundRobinIndex : 0;
        roundRobinIndex = index + 1 < length ? index + 1 : 0;

        this.handler = handler;
        remaining = messageLimit;
        try
        {
            for (int i = 0; i < length && remaining > 0 && !closed; i++)
            {
                final Sender sender = senders[index];
                if (!sender.paused)
                {
                    sender.image.controlledPoll(sender.assembler, Integer.MAX_VALUE);
                }

                if (++index == length)
                {
                    index = 0;
                }
            }
        }
        finally
        {
            this.handler = null;
        }

        return messageLimit - remaining;
    }

    /**
     * Allocation-free once the set of paused session ids has grown to its working size.
     * <p>
     * {@inheritDoc}
     */
    public void pause(final int sessionId, final boolean paused)
    {
        if (paused)
        {
            pausedSessionIds.add(sessionId);
        }
        else
        {
            pausedSessionIds.remove(sessionId);
        }

        for (final Sender sender : senders)
        {
            if (sender.sessionId == sessionId)
            {
                sender.paused = paused;
            }
        }
    }

    /**
     * Idempotent.
     */
    public void close()
    {
        if (!closed)
        {
            closed = true;
            senders = NO_SENDERS;
            pausedSessionIds.clear();
            subscription.close();
            transport.onClosed(this);
        }
    }

    /**
     * Aeron's available image handler: runs inside the Aeron client's duty cycle, where Aeron forbids
     * opening or closing anything, so the sender joins (and the listener hears of it) from
     * {@link AeronMessageTransport#doWork()} instead.
     *
     * @param image of a new sender.
     */
    void onAvailableImage(final Image image)
    {
        transport.defer(() -> connect(image));
    }

    /**
     * Aeron's unavailable image handler; like {@link #onAvailableImage(Image)}, acted on from
     * {@link AeronMessageTransport#doWork()}.
     *
     * @param image of a sender that left.
     */
    void onUnavailableImage(final Image image)
    {
        transport.defer(() -> disconnect(image));
    }

    private void connect(final Image image)
    {
        if (closed || image.isClosed())
        {
            return; // gone before it was announced: neither connection nor disconnection is reported
        }

        final int sessionId = image.sessionId();
        for (final Sender sender : senders)
        {
            if (sender.sessionId == sessionId)
            {
                LOGGER.warn(
                    "two senders with session id {} are connected to {} at once ({} and {}): their messages " +
                    "cannot be told apart; this happens only if two media drivers picked the same id, and ends when " +
                    "either sender reconnects",
                    sessionId, address, sender.image.sourceIdentity(), image.sourceIdentity());
            }
        }

        senders = ArrayUtil.add(senders, new Sender(this, image, pausedSessionIds.contains(sessionId)));
        listener.onConnected(sessionId, image.sourceIdentity());
    }

    private void disconnect(final Image image)
    {
        if (closed)
        {
            return;
        }

        final Sender[] senders = this.senders;
        for (int i = 0; i < senders.length; i++)
        {
            if (senders[i].image == image)
            {
                this.senders = ArrayUtil.remove(senders, i);
                listener.onDisconnected(image.sessionId());
                return;
            }
        }
    }

    private ControlledFragmentHandler.Action onMessage(
        final Sender sender, final DirectBuffer buffer, final int offset, final int length)
    {
        if (!handler.onMessage(buffer, offset, length, sender.sessionId))
        {
            return ControlledFragmentHandler.Action.ABORT; // the image stays at this message, to deliver it again
        }

        return --remaining > 0 && !sender.paused && !closed ?
            ControlledFragmentHandler.Action.CONTINUE : ControlledFragmentHandler.Action.BREAK;
    }

    public String toString()
    {
        return "AeronInbound{address=" + address + ", senders=" + senders.length + ", closed=" + closed + "}";
    }

    /**
     * One sender's image, its reassembly buffer and whether it is paused.
     */
    private static final class Sender implements ControlledFragmentHandler
    {
        private final AeronInbound inbound;
        private final Image image;
        private final int sessionId;
        private final ImageControlledFragmentAssembler assembler;
        private boolean paused;

        Sender(final AeronInbound inbound, final Image image, final boolean paused)
        {
            this.inbound = inbound;
            this.image = image;
            this.sessionId = image.sessionId();
            this.assembler = new ImageControlledFragmentAssembler(this);
            this.paused = paused;
        }

        public Action onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            return inbound.onMessage(this, buffer, offset, length);
        }
    }
}
