package dev.ferry.transport.aeron;

import dev.ferry.FerryException;
import dev.ferry.channel.ConnectionListener;
import dev.ferry.channel.Inbound;
import dev.ferry.channel.MessageHandler;
import dev.ferry.channel.MessageTransport;
import dev.ferry.channel.MessageTransportProvider;
import dev.ferry.channel.Outbound;
import dev.ferry.transport.aeron.Harness.Connections;
import dev.ferry.transport.aeron.Harness.Received;
import dev.ferry.transport.aeron.Harness.Receiver;
import io.aeron.Publication;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.net.DatagramSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import static dev.ferry.transport.aeron.Harness.message;
import static dev.ferry.transport.aeron.Harness.sequence;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AeronMessageTransportTest
{
    private static final int ONE_MIB = 1 << 20;
    private static final int[] SIZES = { 0, 1, 4, 100, 1_400, 1_500, 4_096, 65_536, 300_000, ONE_MIB };

    @TempDir
    Path tempDir;

    private final Harness harness = new Harness();

    @AfterEach
    void close()
    {
        harness.close();
    }

    @Test
    @Timeout(120)
    void udpRoundTripBetweenTransportsWithTheirOwnDrivers() throws Exception
    {
        final AeronMessageTransport server = harness.embedded(tempDir.resolve("server"));
        final AeronMessageTransport client = harness.embedded(tempDir.resolve("client"));

        final String endpoint = "127.0.0.1:" + Harness.freePort();
        final Connections serverConnections = new Connections();
        final Inbound serverInbound = server.listen(endpoint, serverConnections);
        assertEquals(endpoint, serverInbound.address());
        harness.poll(serverInbound, serverConnections.receiver);

        final Connections clientConnections = new Connections();
        final Inbound replies = client.listenForReplies("127.0.0.1", clientConnections);
        assertTrue(replies.address().matches("127\\.0\\.0\\.1:[1-9][0-9]*"), replies.address());
        harness.poll(replies, clientConnections.receiver);

        final Outbound toServer = client.connect(endpoint);
        assertEquals(endpoint, toServer.address());
        assertTrue(toServer.maxMessageLength() >= ONE_MIB, "max message length " + toServer.maxMessageLength());
        harness.await("the client is connected to the server", toServer::isConnected);
        harness.await("the server sees the client", () -> 1 == serverConnections.connected.size());
        final int clientSessionId = serverConnections.connected.get(0);
        assertTrue(serverConnections.sources.get(0).startsWith("127.0.0.1:"), serverConnections.sources.get(0));

        // As a Ferry client would: the first message tells the server where to reply.
        harness.send(toServer, replies.address().getBytes(StandardCharsets.US_ASCII));
        final List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 100; i++)
        {
            final byte[] message = message(i, SIZES[i % SIZES.length]);
            sent.add(message);
            harness.send(toServer, message);
        }

        final List<Received> atServer = serverConnections.receiver.messages;
        harness.await("the server has every message", () -> atServer.size() == 1 + sent.size());
        for (final Received received : atServer)
        {
            assertEquals(clientSessionId, received.sessionId);
        }
        for (int i = 0; i < sent.size(); i++)
        {
            assertArrayEquals(sent.get(i), atServer.get(1 + i).bytes, "message " + i + " at the server");
        }

        final String replyAddress = new String(atServer.get(0).bytes, StandardCharsets.US_ASCII);
        final Outbound toClient = server.connect(replyAddress);
        harness.await("the server is connected to the client's reply channel", toClient::isConnected);
        final List<byte[]> repliesSent = new ArrayList<>();
        for (int i = 0; i < 30; i++)
        {
            final byte[] message = message(1_000 + i, SIZES[(i + 3) % SIZES.length]);
            repliesSent.add(message);
            harness.send(toClient, message);
        }

        final List<Received> atClient = clientConnections.receiver.messages;
        harness.await("the client has every reply", () -> atClient.size() == repliesSent.size());
        for (int i = 0; i < repliesSent.size(); i++)
        {
            assertArrayEquals(repliesSent.get(i), atClient.get(i).bytes, "reply " + i + " at the client");
        }
        assertEquals(List.of(atClient.get(0).sessionId), clientConnections.connected);
        assertTrue(serverConnections.disconnected.isEmpty());
    }

    @Test
    @Timeout(60)
    void ipcRoundTripOnOneTransport()
    {
        final AeronMessageTransport transport = harness.embedded(tempDir);
        final Connections serverConnections = new Connections();
        final Inbound serverInbound = transport.listen("ipc", serverConnections);
        assertEquals("ipc", serverInbound.address());
        harness.poll(serverInbound, serverConnections.receiver);

        final Connections clientConnections = new Connections();
        final Inbound replies = transport.listenForReplies("ipc", clientConnections);
        assertTrue(replies.address().matches("ipc:[1-9][0-9]*"), replies.address());
        harness.poll(replies, clientConnections.receiver);

        final Outbound toServer = transport.connect("ipc");
        final Outbound toClient = transport.connect(replies.address());
        harness.await(
            "both ends see their sender",
            () -> 1 == serverConnections.connected.size() && 1 == clientConnections.connected.size());
        assertTrue(serverConnections.sources.get(0).contains("ipc"), serverConnections.sources.get(0));

        final List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 40; i++)
        {
            final byte[] message = message(i, SIZES[i % SIZES.length]);
            sent.add(message);
            harness.send(toServer, message);
            harness.send(toClient, message);
        }

        harness.await(
            "both ends have every message",
            () -> serverConnections.receiver.messages.size() == sent.size() &&
                clientConnections.receiver.messages.size() == sent.size());
        for (int i = 0; i < sent.size(); i++)
        {
            assertArrayEquals(sent.get(i), serverConnections.receiver.messages.get(i).bytes, "message " + i);
            assertArrayEquals(sent.get(i), clientConnections.receiver.messages.get(i).bytes, "reply " + i);
        }
    }

    @Test
    @Timeout(120)
    void pauseHoldsOneSenderUntilResumedAndTheOthersFlow()
    {
        final AeronMessageTransport server = harness.embedded(tempDir.resolve("server"));
        final AeronMessageTransport client = harness.embedded(tempDir.resolve("client"));
        final Connections connections = new Connections();
        final Inbound inbound = server.listen("127.0.0.1:0", connections);
        harness.poll(inbound, connections.receiver);

        final Outbound held = client.connect(inbound.address());
        final Outbound free = client.connect(inbound.address());
        harness.await("both senders are connected", () -> 2 == connections.connected.size());

        // Two channels to one address are two senders: learn which session is which.
        harness.send(held, message(-1, 8));
        harness.send(free, message(-2, 8));
        final List<Received> messages = connections.receiver.messages;
        harness.await("both first messages arrived", () -> 2 == messages.size());
        final int heldSessionId = sessionOf(messages, -1);
        final int freeSessionId = sessionOf(messages, -2);
        assertNotEquals(heldSessionId, freeSessionId);

        inbound.pause(heldSessionId, true);

        // Fill the held sender's window until Aeron pushes back on it, while the other keeps flowing.
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
        int heldSent = 0;
        int freeSent = 0;
        final long deadlineNs = System.nanoTime() + Harness.DEADLINE_NS;
        long result;
        while (Outbound.BACK_PRESSURED != (result = held.offer(buffer, 0, offerable(buffer, heldSent))))
        {
            assertTrue(result > 0 || Outbound.ADMIN_ACTION == result, "offer returned " + result);
            assertTrue(System.nanoTime() - deadlineNs < 0, "the paused sender was never back-pressured");
            heldSent += result > 0 ? 1 : 0;
            if (0 == heldSent % 64)
            {
                harness.send(free, message(freeSent++, 100));
            }
            harness.pump();
        }

        final int freeSentWhilePaused = freeSent;
        harness.await(
            "the free sender's messages arrived",
            () -> 1 + freeSentWhilePaused == connections.receiver.count(freeSessionId));
        for (int i = 0; i < 100; i++)
        {
            harness.pump();
        }
        assertTrue(heldSent > 0);
        assertEquals(1, connections.receiver.count(heldSessionId), "a paused sender's messages were delivered");

        inbound.pause(heldSessionId, false);
        final int heldTotal = heldSent;
        harness.await("the held messages arrived", () -> 1 + heldTotal == connections.receiver.count(heldSessionId));
        int expected = 0;
        for (final Received received : messages)
        {
            if (received.sessionId == heldSessionId && sequence(received.bytes) >= 0)
            {
                assertEquals(expected++, sequence(received.bytes), "held messages out of order");
            }
        }
        assertEquals(heldTotal, expected);

        harness.send(held, message(heldTotal, 8));
        harness.await(
            "a resumed sender flows again", () -> 2 + heldTotal == connections.receiver.count(heldSessionId));
    }

    @Test
    @Timeout(60)
    void aPausedSendersMessageWaitsUntilResumed()
    {
        final AeronMessageTransport transport = harness.embedded(tempDir);
        final Connections connections = new Connections();
        final Inbound inbound = transport.listen("ipc", connections);
        harness.poll(inbound, connections.receiver);

        final Outbound first = transport.connect("ipc");
        harness.await("the first sender is connected", () -> 1 == connections.connected.size());
        final int sessionId = connections.connected.get(0);
        inbound.pause(sessionId, true);
        harness.send(first, message(7, 64));
        for (int i = 0; i < 100; i++)
        {
            harness.pump();
        }
        assertTrue(connections.receiver.messages.isEmpty(), "a paused sender's message was delivered");

        inbound.pause(sessionId, false);
        harness.await("the message arrived once resumed", () -> 1 == connections.receiver.messages.size());
        assertEquals(7, sequence(connections.receiver.messages.get(0).bytes));
    }

    @Test
    @Timeout(60)
    void aMessageLeftByTheHandlerIsDeliveredAgainFirstAndWholeEvenWhenFragmented()
    {
        final AeronMessageTransport transport = harness.embedded(tempDir);
        final Connections connections = new Connections();
        final Inbound inbound = transport.listen("ipc", connections);
        harness.poll(inbound, connections.receiver);
        final Outbound outbound = transport.connect("ipc");
        harness.await("the sender is connected", () -> 1 == connections.connected.size());

        final Receiver receiver = connections.receiver;
        receiver.toLeave.add(3);
        receiver.toLeave.add(5); // fragmented: larger than the MTU
        final List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 10; i++)
        {
            sent.add(message(i, 5 == i ? 200_000 : 100));
            harness.send(outbound, sent.get(i));
        }

        harness.await("every message arrived", () -> sent.size() == receiver.messages.size());
        assertEquals(List.of(3, 5), receiver.left, "messages left once each");
        for (int i = 0; i < sent.size(); i++)
        {
            assertArrayEquals(sent.get(i), receiver.messages.get(i).bytes, "message " + i + ", in order and whole");
        }
    }

    @Test
    @Timeout(60)
    void senderClosingIsSeenAfterItsLastMessages()
    {
        final AeronMessageTransport server = harness.embedded(tempDir.resolve("server"));
        final AeronMessageTransport client = harness.embedded(tempDir.resolve("client"));
        final Connections connections = new Connections();
        final Inbound inbound = server.listen("127.0.0.1:0", connections);
        harness.poll(inbound, connections.receiver);

        final Outbound outbound = client.connect(inbound.address());
        harness.await("the sender is connected", () -> 1 == connections.connected.size());
        for (int i = 0; i < 3; i++)
        {
            harness.send(outbound, message(i, 200_000));
        }
        outbound.close();

        harness.await("the server sees the sender disconnect", () -> 1 == connections.disconnected.size());
        assertEquals(connections.connected, connections.disconnected);
        assertEquals(List.of(3), connections.messagesAtDisconnect, "messages delivered before the disconnection");

        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[8]);
        assertEquals(Outbound.CLOSED, outbound.offer(buffer, 0, 8));
        assertFalse(outbound.isConnected());
    }

    @Test
    @Timeout(60)
    void listenersMayOpenAndCloseChannels()
    {
        final AeronMessageTransport transport = harness.embedded(tempDir);
        final Connections atClient = new Connections();
        final Inbound replies = transport.listenForReplies("ipc", atClient);
        harness.poll(replies, atClient.receiver);

        // A server that answers each sender on connection and hangs up on it on disconnection.
        final List<Outbound> answers = new ArrayList<>();
        final Inbound serverInbound = transport.listen("ipc", new ConnectionListener()
        {
            public void onConnected(final int sessionId, final String sourceAddress)
            {
                answers.add(transport.connect(replies.address()));
            }

            public void onDisconnected(final int sessionId)
            {
                answers.remove(0).close();
            }
        });
        harness.poll(serverInbound, new Receiver());

        final Outbound toServer = transport.connect("ipc");
        harness.await("the server answered", () -> 1 == atClient.connected.size());
        toServer.close();
        harness.await("the server hung up", () -> 1 == atClient.disconnected.size());
        assertTrue(answers.isEmpty());
    }

    @Test
    @Timeout(60)
    void offerWithNoListenerIsNotConnected() throws Exception
    {
        final AeronMessageTransport transport = harness.embedded(tempDir);
        try (DatagramSocket silentPeer = Harness.occupiedPort())
        {
            final Outbound udp = transport.connect("127.0.0.1:" + silentPeer.getLocalPort());
            final Outbound ipc = transport.connect("ipc:12345");
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
            for (int i = 0; i < 50; i++)
            {
                assertEquals(Outbound.NOT_CONNECTED, udp.offer(buffer, 0, 64));
                assertEquals(Outbound.NOT_CONNECTED, ipc.offer(buffer, 0, 64));
                harness.pump();
                LockSupport.parkNanos(2_000_000);
            }
            assertFalse(udp.isConnected());
            assertFalse(ipc.isConnected());
        }
    }

    @Test
    @Timeout(60)
    void aMessageLongerThanTheMaximumIsRefusedWithTheLimit()
    {
        final AeronMessageTransport transport = harness.embedded(tempDir);
        final Outbound outbound = transport.connect("ipc");
        final int tooLong = outbound.maxMessageLength() + 1;
        final IllegalArgumentException ex = assertThrows(
            IllegalArgumentException.class, () -> outbound.offer(new UnsafeBuffer(new byte[tooLong]), 0, tooLong));
        assertTrue(ex.getMessage().contains(String.valueOf(outbound.maxMessageLength())), ex.getMessage());
        assertTrue(
            ex.getMessage().contains(AeronMessageTransport.Context.TERM_BUFFER_LENGTH_PROP_NAME), ex.getMessage());
    }

    @Test
    void offerResultsMapOneForOne()
    {
        assertEquals(Outbound.NOT_CONNECTED, AeronOutbound.outcome(Publication.NOT_CONNECTED));
        assertEquals(Outbound.BACK_PRESSURED, AeronOutbound.outcome(Publication.BACK_PRESSURED));
        assertEquals(Outbound.ADMIN_ACTION, AeronOutbound.outcome(Publication.ADMIN_ACTION));
        assertEquals(Outbound.CLOSED, AeronOutbound.outcome(Publication.CLOSED));
        assertEquals(Outbound.MAX_POSITION_EXCEEDED, AeronOutbound.outcome(Publication.MAX_POSITION_EXCEEDED));
    }

    @Test
    @Timeout(60)
    void aPortInUseIsAClearError() throws Exception
    {
        final AeronMessageTransport transport = harness.embedded(tempDir);
        try (DatagramSocket other = Harness.occupiedPort())
        {
            final String endpoint = "127.0.0.1:" + other.getLocalPort();
            final FerryException ex = assertThrows(
                FerryException.class, () -> transport.listen(endpoint, new Connections()));
            assertTrue(ex.getMessage().contains("cannot listen on " + endpoint), ex.getMessage());
            assertTrue(ex.getMessage().contains("no other process uses port " + other.getLocalPort()), ex.getMessage());
        }

        final Inbound inbound = transport.listen("127.0.0.1:0", new Connections());
        final FerryException twice = assertThrows(
            FerryException.class, () -> transport.listen(inbound.address(), new Connections()));
        assertTrue(twice.getMessage().contains("already listens on " + inbound.address()), twice.getMessage());
    }

    @Test
    @Timeout(60)
    void badAddressesAreClearErrors()
    {
        final AeronMessageTransport transport = harness.embedded(tempDir);
        assertAddressError("'foo' is not an address", () -> transport.connect("foo"));
        assertAddressError("'foo' is not an address", () -> transport.listen("foo", new Connections()));
        assertAddressError("port 'http' is not a number", () -> transport.connect("localhost:http"));
        assertAddressError("port '70000' is not a number from 0 to 65535", () -> transport.connect("localhost:70000"));
        assertAddressError("IPv6 address goes in brackets", () -> transport.connect("::1:40123"));
        assertAddressError("stream id 'x' is not a number", () -> transport.connect("ipc:x"));
        assertAddressError("host 'a b' is not a host name", () -> transport.listenForReplies("a b", new Connections()));
        assertAddressError("port 0 means any free port", () -> transport.connect("127.0.0.1:0"));
    }

    @Test
    @Timeout(60)
    void closeRemovesTheEmbeddedDriversDirectory() throws Exception
    {
        final AeronMessageTransport transport = new AeronMessageTransport(
            new AeronMessageTransport.Context().shmRoot(tempDir));
        final Path aeronDirectory = transport.driverDirectory();
        assertTrue(aeronDirectory.startsWith(tempDir), aeronDirectory.toString());
        assertTrue(Files.exists(aeronDirectory.resolve("cnc.dat")));
        transport.listen("ipc", new Connections());
        transport.connect("ipc");

        transport.close();
        transport.close();

        try (Stream<Path> left = Files.list(tempDir))
        {
            assertEquals(List.of(), left.toList(), "left in the shared-memory root");
        }
        final FerryException ex = assertThrows(FerryException.class, () -> transport.connect("ipc"));
        assertTrue(ex.getMessage().contains("is closed"), ex.getMessage());
        assertEquals(0, transport.doWork());
    }

    @Test
    @Timeout(60)
    void theProviderIsFoundByServiceLoader()
    {
        final List<MessageTransportProvider> providers = new ArrayList<>();
        ServiceLoader.load(MessageTransportProvider.class).forEach(providers::add);
        assertEquals(1, providers.size());

        final MessageTransport transport = harness.add(providers.get(0).newTransport(tempDir, null));
        assertInstanceOf(AeronMessageTransport.class, transport);
        final Connections connections = new Connections();
        harness.poll(transport.listen("ipc", connections), connections.receiver);
        harness.send(transport.connect("ipc"), message(1, 10));
        harness.await("the message arrived", () -> 1 == connections.receiver.messages.size());
    }

    @Test
    @Timeout(60)
    void offerAndPollAllocateNothingInSteadyState()
    {
        final AeronMessageTransport transport = harness.embedded(tempDir);
        final Inbound inbound = transport.listen("ipc", new Connections());
        final Outbound outbound = transport.connect("ipc");
        harness.await("connected", outbound::isConnected);

        final UnsafeBuffer small = new UnsafeBuffer(new byte[64]);
        final UnsafeBuffer large = new UnsafeBuffer(new byte[100_000]);
        final long[] delivered = new long[1];
        final MessageHandler counter = (buffer, offset, length, sessionId) -> ++delivered[0] > 0;

        // Until the JIT has compiled the path, the interpreter allocates what compiled code does not:
        // a path that allocates per message allocates in every round, so one clean round is the proof.
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long threadId = Thread.currentThread().getId();
        final int rounds = 50;
        final int messages = 10_000;
        long allocated = -1;
        for (int round = 0; round < rounds && 0 != allocated; round++)
        {
            final long before = threads.getThreadAllocatedBytes(threadId);
            roundTrips(transport, inbound, outbound, small, large, counter, delivered, messages);
            allocated = threads.getThreadAllocatedBytes(threadId) - before;
        }

        assertEquals(0, allocated, "bytes allocated by the last of " + rounds + " rounds of " + messages + " messages");
    }

    private static void roundTrips(
        final AeronMessageTransport transport,
        final Inbound inbound,
        final Outbound outbound,
        final UnsafeBuffer small,
        final UnsafeBuffer large,
        final MessageHandler counter,
        final long[] delivered,
        final int messages)
    {
        final long target = delivered[0] + messages;
        final long deadlineNs = System.nanoTime() + Harness.DEADLINE_NS;
        int sent = 0;
        while (delivered[0] < target)
        {
            if (sent < messages)
            {
                final UnsafeBuffer buffer = 0 == sent % 100 ? large : small;
                if (outbound.offer(buffer, 0, buffer.capacity()) > 0)
                {
                    sent++;
                }
            }
            transport.doWork();
            inbound.poll(counter, 10);
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("timed out after " + (delivered[0] - target + messages) + " messages");
            }
        }
    }

    private static int offerable(final UnsafeBuffer buffer, final int sequence)
    {
        buffer.putInt(0, sequence);
        return buffer.capacity();
    }

    private static int sessionOf(final List<Received> messages, final int sequence)
    {
        for (final Received received : messages)
        {
            if (sequence(received.bytes) == sequence)
            {
                return received.sessionId;
            }
        }
        throw new AssertionError("no message " + sequence);
    }

    private static void assertAddressError(final String expected, final Runnable action)
    {
        final FerryException ex = assertThrows(FerryException.class, action::run);
        assertTrue(ex.getMessage().contains(expected), ex.getMessage());
    }
}
