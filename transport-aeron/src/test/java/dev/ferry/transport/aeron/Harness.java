package dev.ferry.transport.aeron;

import dev.ferry.channel.ConnectionListener;
import dev.ferry.channel.Inbound;
import dev.ferry.channel.MessageHandler;
import dev.ferry.channel.MessageTransport;
import dev.ferry.channel.Outbound;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Drives transports in tests: duty cycles, polling, offering, all with deadlines.
 */
final class Harness
{
    /**
     * Generous: a slow, shared machine must never fail a test by being slow.
     */
    static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(40);

    private final List<MessageTransport> transports = new ArrayList<>();
    private final List<Inbound> inbounds = new ArrayList<>();
    private final List<Receiver> receivers = new ArrayList<>();

    /**
     * @param root a temporary shared-memory root.
     * @return a new transport with an embedded driver, driven by this harness.
     */
    AeronMessageTransport embedded(final Path root)
    {
        return add(new AeronMessageTransport(new AeronMessageTransport.Context().shmRoot(root)));
    }

    /**
     * @param transport to run the duty cycle of.
     * @param <T>       its type.
     * @return the transport.
     */
    <T extends MessageTransport> T add(final T transport)
    {
        transports.add(transport);
        return transport;
    }

    /**
     * @param inbound  to poll on every {@link #pump()}.
     * @param receiver given what it delivers.
     */
    void poll(final Inbound inbound, final Receiver receiver)
    {
        inbounds.add(inbound);
        receivers.add(receiver);
    }

    /**
     * Close every transport, last added first.
     */
    void close()
    {
        for (int i = transports.size() - 1; i >= 0; i--)
        {
            transports.get(i).close();
        }
    }

    /**
     * One round of every transport's duty cycle and every inbound's poll.
     *
     * @return work done.
     */
    int pump()
    {
        int work = 0;
        for (final MessageTransport transport : transports)
        {
            work += transport.doWork();
        }
        for (int i = 0; i < inbounds.size(); i++)
        {
            work += inbounds.get(i).poll(receivers.get(i), 16);
        }
        return work;
    }

    /**
     * Pump until a condition holds.
     *
     * @param what      the condition, for the failure message.
     * @param condition to wait for.
     */
    void await(final String what, final BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail("timed out waiting until " + what);
            }
            if (0 == pump())
            {
                LockSupport.parkNanos(100_000);
            }
        }
    }

    /**
     * @param outbound to wait for.
     * @return the outbound, connected.
     */
    Outbound awaitConnected(final Outbound outbound)
    {
        await(outbound.address() + " is connected", outbound::isConnected);
        return outbound;
    }

    /**
     * Offer until sent, pumping while back-pressured.
     *
     * @param outbound to send on.
     * @param message  to send.
     */
    void send(final Outbound outbound, final byte[] message)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(message);
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (true)
        {
            final long result = outbound.offer(buffer, 0, message.length);
            if (result > 0)
            {
                return;
            }
            // The receiver may see a new sender before the sender hears back that it is connected.
            if (Outbound.BACK_PRESSURED != result && Outbound.ADMIN_ACTION != result && Outbound.NOT_CONNECTED != result)
            {
                fail("offer of " + message.length + " bytes to " + outbound.address() + " returned " + result);
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail("offer to " + outbound.address() + " still returns " + result + " at the deadline");
            }
            if (0 == pump())
            {
                LockSupport.parkNanos(100_000);
            }
        }
    }

    /**
     * @param sequence written into the first 4 bytes (if it has them); the rest is a pattern of it.
     * @param length   of the message.
     * @return the message.
     */
    static byte[] message(final int sequence, final int length)
    {
        final byte[] message = new byte[length];
        for (int i = 0; i < length; i++)
        {
            message[i] = (byte)(sequence * 31 + i * 7);
        }
        if (length >= 4)
        {
            new UnsafeBuffer(message).putInt(0, sequence);
        }
        return message;
    }

    /**
     * @param message as {@link #message(int, int)} made it.
     * @return its sequence.
     */
    static int sequence(final byte[] message)
    {
        return new UnsafeBuffer(message).getInt(0);
    }

    /**
     * @return a UDP socket bound to a free loopback port, so that no one else can take the port.
     * @throws SocketException if none can be bound.
     */
    static DatagramSocket occupiedPort() throws SocketException
    {
        return new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    /**
     * @return a loopback UDP port that was free a moment ago.
     * @throws SocketException if none can be bound.
     */
    static int freePort() throws SocketException
    {
        try (DatagramSocket socket = occupiedPort())
        {
            return socket.getLocalPort();
        }
    }

    /**
     * One message as received.
     */
    static final class Received
    {
        final int sessionId;
        final byte[] bytes;

        Received(final int sessionId, final byte[] bytes)
        {
            this.sessionId = sessionId;
            this.bytes = bytes;
        }
    }

    /**
     * Copies every message it is given.
     */
    static final class Receiver implements MessageHandler
    {
        final List<Received> messages = new ArrayList<>();
        final List<Integer> left = new ArrayList<>();
        /**
         * Sequence numbers of messages to leave, once each, the first time they are delivered.
         */
        final Set<Integer> toLeave = new HashSet<>();

        public boolean onMessage(final DirectBuffer buffer, final int offset, final int length, final int sessionId)
        {
            if (length >= 4 && toLeave.remove(buffer.getInt(offset)))
            {
                left.add(buffer.getInt(offset));
                return false;
            }
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            messages.add(new Received(sessionId, bytes));
            return true;
        }

        int count(final int sessionId)
        {
            int count = 0;
            for (final Received received : messages)
            {
                count += received.sessionId == sessionId ? 1 : 0;
            }
            return count;
        }
    }

    /**
     * Records connections and disconnections, and how many messages a receiver had at each disconnection.
     */
    static final class Connections implements ConnectionListener
    {
        final List<Integer> connected = new ArrayList<>();
        final List<String> sources = new ArrayList<>();
        final List<Integer> disconnected = new ArrayList<>();
        final List<Integer> messagesAtDisconnect = new ArrayList<>();
        final Receiver receiver;

        Connections()
        {
            this(new Receiver());
        }

        Connections(final Receiver receiver)
        {
            this.receiver = receiver;
        }

        public void onConnected(final int sessionId, final String sourceAddress)
        {
            connected.add(sessionId);
            sources.add(sourceAddress);
        }

        public void onDisconnected(final int sessionId)
        {
            disconnected.add(sessionId);
            messagesAtDisconnect.add(receiver.messages.size());
        }
    }
}
