package dev.ferry.bench.compare;

import dev.ferry.bench.AppThreads;
import org.agrona.BufferUtil;
import org.agrona.CloseHelper;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Plain Java NIO over loopback TCP: the transport an application would write itself, with no library
 * between it and the socket.
 * <p>
 * <b>What runs.</b> Each {@link #open(int)} connects a {@link SocketChannel} pair through a
 * {@link ServerSocketChannel} on 127.0.0.1, {@code TCP_NODELAY} on both ends, the kernel's socket
 * buffer sizes left to its autotuning (what an application that sets nothing gets). Nothing lasts
 * across sizes, so {@link #start} only checks that loopback TCP works.
 * <p>
 * <b>Non-blocking on both ends, no selector.</b> The consumer must come back from
 * {@link Channel#poll} with nothing when nothing has arrived, so that the harness can end an iteration
 * or declare a stall. The producer must not sit in a blocking write either: the harness stops it by
 * setting a flag and, until it has stopped, no longer reads, so a producer blocked on a full socket
 * would wait for a reader that waits for it. Each end is owned by one thread that has nothing else to
 * do, so the harness's idle strategy (spin, yield, then park up to 100 µs) does the waiting a selector
 * would, without a system call per wait; on 2 cores the parks leave the other thread its core.
 * <p>
 * <b>What is measured</b>: whole events from the harness's producer thread to its consumer thread.
 * Every event on a channel has the same size, so the stream needs no framing: event {@code n} is bytes
 * {@code n * size} to {@code (n + 1) * size}. The producer stamps the header and tail
 * ({@link CompareEvent#stamp}) into a direct send buffer whose other bytes were filled once at open,
 * and writes it with one {@code write} call per event. A write that the socket takes only in part
 * keeps the remainder, and {@link Channel#offer} returns false until a later offer of the same event
 * has written the rest: an event counts as sent once all its bytes are in the socket, so a producer
 * stopped in the middle of one leaves no sent event unfinished and no unsent one complete.
 * The consumer reads into a direct receive buffer of whole events (one event, or as many as fit in
 * {@value #RECEIVE_BUFFER_BYTES} bytes) and checks each complete event in place with
 * {@link CompareEvent#deliver}; a partial event stays where it is until the rest arrives.
 * <p>
 * <b>Copies of the payload per event</b>: two. {@code write} copies the send buffer into the kernel's
 * socket buffer; loopback hands the segments to the receiving socket without copying; {@code read}
 * copies them into the receive buffer, where the event is checked. Plus one system call per event on
 * the producer's side, and one per read on the consumer's.
 * <p>
 * Sizes up to 2 GiB work (the receive buffer, allocated at open, holds at least one event). The
 * channel allocates nothing per event.
 */
final class NioContender implements Contender
{
    /**
     * Name of the contender.
     */
    static final String NAME = "nio-tcp";

    /**
     * Bytes of the consumer's receive buffer, rounded down to whole events, for events smaller than
     * that: one read takes many small events.
     */
    static final int RECEIVE_BUFFER_BYTES = 1 << 20;

    private static final long CONNECT_TIMEOUT_NS = AppThreads.TIMEOUT_NS;


    /**
     * {@inheritDoc}
     */
    @Override
    public String name()
    {
        return NAME;
    }

    /**
     * Nothing lasts across sizes; check that a loopback TCP socket can listen here.
     *
     * @param workDir unused: the contender writes no files.
     * @throws ContenderUnsupportedException if no TCP socket can listen on 127.0.0.1.
     */
    @Override
    public void start(final Path workDir) throws Exception
    {
        try (ServerSocketChannel server = ServerSocketChannel.open())
        {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        }
        catch (final IOException ex)
        {
            throw new ContenderUnsupportedException("cannot listen on a loopback TCP port: " + ex, ex);
        }
    }

    /**
     * Connect a loopback TCP socket pair for events of one size and allocate both ends' buffers.
     *
     * @param size bytes of every event.
     * @return the channel.
     * @throws IOException           if the sockets cannot be opened or connected.
     * @throws IllegalStateException if they do not connect within the timeout.
     */
    @Override
    public Channel open(final int size) throws Exception
    {
        SocketChannel sender = null;
        SocketChannel receiver = null;
        try (ServerSocketChannel server = ServerSocketChannel.open())
        {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
            server.configureBlocking(false);
            sender = SocketChannel.open();
            sender.configureBlocking(false);
            sender.setOption(StandardSocketOptions.TCP_NODELAY, true);
            final boolean connected = sender.connect(server.getLocalAddress());
            final IdleStrategy idle = AppThreads.newIdleStrategy();
            final long deadlineNs = System.nanoTime() + CONNECT_TIMEOUT_NS;
            while (null == receiver || !(connected || sender.finishConnect()))
            {
                if (null == receiver)
                {
                    receiver = server.accept();
                }
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw new IllegalStateException(
                        "loopback TCP connection to " + server.getLocalAddress() + " not established within " +
                        TimeUnit.NANOSECONDS.toSeconds(CONNECT_TIMEOUT_NS) + " s (accepted: " + (null != receiver) +
                        ", connected: " + sender.isConnected() + ")");
                }
                idle.idle();
            }
            receiver.configureBlocking(false);
            receiver.setOption(StandardSocketOptions.TCP_NODELAY, true);

            return new NioChannel(size, sender, receiver);
        }
        catch (final IOException | RuntimeException | Error ex)
        {
            CloseHelper.quietCloseAll(sender, receiver);
            throw ex;
        }
    }

    /**
     * Nothing to release: every socket belongs to a channel, which the harness closes.
     */
    @Override
    public void close()
    {
    }

    /**
     * One connection: the producer writes to one end, the consumer reads from the other.
     */
    static final class NioChannel implements Channel
    {
        private final int size;
        private final SocketChannel sender;
        private final SocketChannel receiver;
        private final ByteBuffer sendBuffer;
        private final UnsafeBuffer sendView;
        private final ByteBuffer receiveBuffer;
        private final UnsafeBuffer receiveView;
        private final int receiveCapacity;
        private long pendingSequence = -1;
        private int readIndex;
        private int writeIndex;

        NioChannel(final int size, final SocketChannel sender, final SocketChannel receiver)
        {
            this.size = size;
            this.sender = sender;
            this.receiver = receiver;
            receiveCapacity = size * Math.max(1, RECEIVE_BUFFER_BYTES / size);
            sendBuffer = ByteBuffer.allocateDirect(size);
            sendView = new UnsafeBuffer(sendBuffer);
            for (int i = 0; i < size; i++)
            {
                sendView.putByte(i, (byte)(i * 31 + 7));
            }
            receiveBuffer = ByteBuffer.allocateDirect(receiveCapacity);
            receiveView = new UnsafeBuffer(receiveBuffer);
        }

        /**
         * {@inheritDoc}
         * <p>
         * Writes what the socket takes; the rest of a partly written event is written by the next
         * offers of the same event, and only the one that writes its last byte takes it. There is no
         * {@link #flush()}: an event not yet taken is the harness's to offer again, and finishing it
         * behind the harness's back would send an event it never counted.
         *
         * @throws IllegalStateException if another event is offered while one is partly written, or
         *                               the socket fails.
         */
        @Override
        public boolean offer(final long sequence, final long sentNs)
        {
            if (pendingSequence < 0)
            {
                CompareEvent.stamp(sendView, 0, size, sequence, sentNs);
                sendBuffer.clear();
                pendingSequence = sequence;
            }
            else if (pendingSequence != sequence)
            {
                throw new IllegalStateException(
                    NAME + " was offered event " + sequence + " while event " + pendingSequence +
                    " is partly written; the producer must offer it again until it is taken");
            }
            write();
            if (sendBuffer.hasRemaining())
            {
                return false;
            }
            pendingSequence = -1;

            return true;
        }

        /**
         * {@inheritDoc}
         * <p>
         * Hands over the complete events in the receive buffer, reading more when they run out: again
         * after a read that filled all the room it had (the socket may hold more) or that completed no
         * event (so that an event larger than a read keeps arriving within one call), and not after a
         * read that came back short or empty, which most likely emptied the socket.
         *
         * @throws IllegalStateException if the connection closed or failed, or an event is wrong.
         */
        @Override
        public int poll(final EventSink sink, final int limit)
        {
            int delivered = 0;
            boolean mayHaveMore = true;
            while (true)
            {
                while (delivered < limit && writeIndex - readIndex >= size)
                {
                    CompareEvent.deliver(NAME, receiveView, readIndex, size, size, sink);
                    readIndex += size;
                    delivered++;
                }
                if (delivered >= limit || !mayHaveMore)
                {
                    break;
                }
                if (readIndex == writeIndex)
                {
                    // Nothing partial is held: start again at the front. Otherwise the partial event at
                    // the back still fits before the end, as the capacity is whole events.
                    readIndex = 0;
                    writeIndex = 0;
                }
                final int room = receiveCapacity - writeIndex;
                final int read = read(writeIndex, room);
                if (0 == read)
                {
                    break;
                }
                writeIndex += read;
                // Read again only if the socket may hold more than there was room for, or no event has
                // completed yet; a read that came back short most likely emptied the socket.
                mayHaveMore = read == room || writeIndex - readIndex < size;
            }

            return delivered;
        }

        /**
         * Close both ends of the connection and free the buffers.
         */
        @Override
        public void close()
        {
            try
            {
                CloseHelper.closeAll(sender, receiver);
            }
            finally
            {
                BufferUtil.free(sendBuffer);
                BufferUtil.free(receiveBuffer);
            }
        }

        private void write()
        {
            try
            {
                sender.write(sendBuffer);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(
                    NAME + " could not write event " + pendingSequence + " to its loopback socket: " + ex, ex);
            }
        }

        private int read(final int offset, final int length)
        {
            receiveBuffer.limit(offset + length).position(offset);
            final int read;
            try
            {
                read = receiver.read(receiveBuffer);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(NAME + " could not read from its loopback socket: " + ex, ex);
            }
            if (read < 0)
            {
                throw new IllegalStateException(
                    NAME + "'s loopback connection was closed by the sending end with " + (writeIndex - readIndex) +
                    " bytes of an event received");
            }

            return read;
        }
    }
}
