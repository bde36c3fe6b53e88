package dev.ferry.bench.compare;

import dev.ferry.bench.AppThreads;
import io.aeron.Aeron;
import io.aeron.ChannelUriStringBuilder;
import io.aeron.ControlledFragmentAssembler;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.RethrowingErrorHandler;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.FrameDescriptor;
import io.aeron.logbuffer.Header;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Raw Aeron, the baseline under Ferry's control plane: each event is one Aeron message, its whole
 * payload carried through the publication's log, over IPC ({@value #IPC}) or UDP loopback
 * ({@value #UDP}).
 * <p>
 * <b>What runs.</b> One embedded media driver ({@link ThreadingMode#SHARED}: conductor, sender and
 * receiver on one thread, backing off to 1 ms sleeps when idle, as Ferry's own embedded driver does on
 * this 2-core machine) with its directory under the work directory, and one Aeron client with its own
 * conductor thread. Each {@link #open(int)} adds an {@link ExclusivePublication} and a
 * {@link Subscription} on a stream id of their own and waits until they are connected.
 * <p>
 * <b>What is measured</b>: whole events from the harness's producer thread to its consumer thread.
 * The producer stamps the event's header and tail ({@link CompareEvent#stamp}) into a send buffer whose
 * other bytes were filled once at open, and offers it; back pressure (the publication's window of half
 * a term, or the receiver's window over UDP) makes {@link Channel#offer} return false. The consumer
 * polls the subscription through a {@link ControlledFragmentAssembler} and checks each whole message
 * with {@link CompareEvent#deliver}, stopping after the poll's limit of messages.
 * <p>
 * <b>Copies of the payload per event.</b> IPC: the offer copies the send buffer into the term (in
 * fragments of at most {@code mtu} bytes, each behind a 32-byte frame header); a message that fits one
 * fragment is checked in place in the term, a longer one is copied once more by the assembler into
 * one contiguous buffer. So 1 copy up to {@code mtu - 32} bytes, 2 above. UDP adds three: the driver's
 * sender sends each datagram straight from the term (the kernel copies it into the socket buffer),
 * the receiver reads it out of the kernel into its receive buffer, and copies the frames from there
 * into the image's term, which the subscription reads as over IPC. So 4 copies, 5 above {@code mtu - 32}.
 * <p>
 * <b>Term length</b>: Aeron's default for the medium (64 MiB for IPC, 16 MiB for UDP), grown to the
 * next power of two of 8 times the event where that is larger, since Aeron's longest message is an
 * eighth of a term; a 16 MiB event needs 128 MiB terms, a log of 384 MiB (twice over UDP: the
 * publication's and the image's). Aeron carries no message over
 * {@link FrameDescriptor#MAX_MESSAGE_LENGTH} (16 MiB): larger sizes are reported as unsupported.
 * <p>
 * <b>MTU and socket buffers.</b> IPC keeps Aeron's default MTU (1408): the fragment size of a log
 * that never leaves memory, which the assembler has to join above it anyway. UDP uses the largest
 * datagram Aeron sends, {@value #UDP_MTU} bytes, which loopback (MTU 65536) carries unfragmented: one
 * system call moves 46 times the bytes of the default. Its receiver window and both socket buffers
 * are {@value #UDP_SOCKET_BUFFER_BYTES} bytes (Aeron's defaults are 128 KiB), or what the kernel
 * grants if it allows less ({@code net.core.rmem_max}, {@code wmem_max}), so that a whole window of
 * datagrams fits in the receiving socket and none is dropped: a larger window than the socket holds
 * only turns into loss and retransmission.
 * <p>
 * <b>Between sizes.</b> Closing a channel waits until its logs are unmapped (the client lingers
 * nothing: the harness has stopped both threads before it closes a channel) and deleted by the driver,
 * so that releasing up to 768 MiB of them, which holds up every thread of the JVM that touches new
 * memory meanwhile, is not charged to the next size or to the latency run.
 * <p>
 * The channel allocates nothing per event once warm; the assembler's buffer is sized at open.
 */
final class AeronContender implements Contender
{
    /**
     * Name of the IPC contender.
     */
    static final String IPC = "aeron-ipc";

    /**
     * Name of the UDP loopback contender.
     */
    static final String UDP = "aeron-udp";

    /**
     * Term length for IPC when the event does not ask for more: Aeron's default for IPC.
     */
    static final int IPC_TERM_LENGTH = 64 << 20;

    /**
     * Term length for UDP when the event does not ask for more: Aeron's default for UDP.
     */
    static final int UDP_TERM_LENGTH = 16 << 20;

    /**
     * Longest term Aeron allows.
     */
    static final int MAX_TERM_LENGTH = 1 << 30;

    /**
     * MTU of the UDP channels: Aeron's largest, a multiple of 32 that fits a loopback datagram.
     */
    static final int UDP_MTU = 65504;

    /**
     * Receiver window and socket buffer lengths asked for on UDP channels.
     */
    static final int UDP_SOCKET_BUFFER_BYTES = 2 << 20;

    /**
     * Stream id of the first channel; each channel takes the next.
     */
    static final int FIRST_STREAM_ID = 1001;

    /**
     * Longest a closing channel waits for its logs to be unmapped and deleted.
     */
    static final long RELEASE_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    private static final long CONNECT_TIMEOUT_NS = AppThreads.TIMEOUT_NS;
    private static final Path PROCESS_MAPS = Paths.get("/proc/self/maps");

    private final String name;
    private final boolean ipc;
    private MediaDriver driver;
    private Aeron aeron;
    private Path directory;
    private int udpSocketBufferLength;
    private int udpMtu;
    private int nextStreamId = FIRST_STREAM_ID;

    /**
     * @param ipc true for IPC, false for UDP loopback.
     */
    AeronContender(final boolean ipc)
    {
        this.ipc = ipc;
        this.name = ipc ? IPC : UDP;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String name()
    {
        return name;
    }

    /**
     * Launch the embedded media driver in {@code workDir/aeron} and connect a client to it.
     *
     * @param workDir the contender's directory.
     * @throws IllegalStateException if the driver or the client cannot start, with the reason.
     */
    @Override
    public void start(final Path workDir) throws Exception
    {
        if (!ipc)
        {
            udpSocketBufferLength = Math.min(
                grantedBufferLength(StandardSocketOptions.SO_RCVBUF),
                grantedBufferLength(StandardSocketOptions.SO_SNDBUF));
            udpMtu = Math.min(UDP_MTU, udpSocketBufferLength & -FrameDescriptor.FRAME_ALIGNMENT);
        }
        directory = workDir.toAbsolutePath().resolve("aeron");
        try
        {
            driver = MediaDriver.launch(new MediaDriver.Context()
                .aeronDirectoryName(directory.toString())
                .threadingMode(ThreadingMode.SHARED)
                .sharedIdleStrategy(new BackoffIdleStrategy(
                    10, 20, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1)))
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true)
                .warnIfDirectoryExists(false));
            aeron = Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(directory.toString())
                .subscriberErrorHandler(RethrowingErrorHandler.INSTANCE)
                .resourceLingerDurationNs(0)
                .clientName("compare-" + name));
        }
        catch (final RuntimeException ex)
        {
            throw new IllegalStateException(
                "cannot start Aeron's media driver and client in " + directory + ": " + ex +
                "; check free space and permissions there", ex);
        }
    }

    /**
     * Add an exclusive publication and a subscription on a stream of their own, with terms long
     * enough for the size, and wait until they are connected.
     *
     * @param size bytes of every event.
     * @return the channel.
     * @throws ContenderUnsupportedException if the size is longer than Aeron's longest message.
     * @throws IllegalStateException         if they do not connect within the timeout.
     */
    @Override
    public Channel open(final int size) throws Exception
    {
        if (null == aeron)
        {
            throw new IllegalStateException(name + " is not started: call start before open");
        }
        if (size > FrameDescriptor.MAX_MESSAGE_LENGTH)
        {
            throw new ContenderUnsupportedException(
                "Aeron's longest message is " + (FrameDescriptor.MAX_MESSAGE_LENGTH >> 20) + " MiB (" +
                FrameDescriptor.MAX_MESSAGE_LENGTH + " bytes); a larger event must be split by the application");
        }
        final int termLength = termLength(size, ipc ? IPC_TERM_LENGTH : UDP_TERM_LENGTH);
        final int streamId = nextStreamId++;
        final AeronChannel channel = ipc ? openIpc(size, termLength, streamId) : openUdp(size, termLength, streamId);
        try
        {
            channel.awaitConnected();
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(channel);
            throw ex;
        }

        return channel;
    }

    /**
     * Close the client, then the driver, which deletes its directory with the term buffers' files.
     */
    @Override
    public void close()
    {
        CloseHelper.closeAll(aeron, driver);
        aeron = null;
        driver = null;
    }

    /**
     * @param size        of the longest message.
     * @param mediaLength term length of the medium when the size asks for no more.
     * @return the shortest power-of-two term, at least {@code mediaLength}, whose eighth holds the size.
     */
    static int termLength(final int size, final int mediaLength)
    {
        final long needed = BitUtil.findNextPositivePowerOfTwo((long)size * 8);
        return (int)Math.min(MAX_TERM_LENGTH, Math.max(mediaLength, needed));
    }

    private AeronChannel openIpc(final int size, final int termLength, final int streamId)
    {
        final String uri = new ChannelUriStringBuilder()
            .media("ipc")
            .termLength(termLength)
            .linger(0L)
            .build();
        Subscription subscription = null;
        ExclusivePublication publication = null;
        try
        {
            subscription = aeron.addSubscription(uri, streamId);
            publication = aeron.addExclusivePublication(uri, streamId);
            return new AeronChannel(name, size, publication, subscription, directory);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(publication, subscription);
            throw new IllegalStateException(
                "cannot add an IPC publication and subscription of " + size + "-byte events on " + uri + ": " + ex, ex);
        }
    }

    private AeronChannel openUdp(final int size, final int termLength, final int streamId)
    {
        final String subscriptionUri = new ChannelUriStringBuilder()
            .media("udp")
            .endpoint("127.0.0.1:0")
            .socketRcvbufLength(udpSocketBufferLength)
            .socketSndbufLength(udpSocketBufferLength)
            .receiverWindowLength(udpSocketBufferLength)
            .build();
        Subscription subscription = null;
        ExclusivePublication publication = null;
        try
        {
            subscription = aeron.addSubscription(subscriptionUri, streamId);
            final String endpoint = awaitEndpoint(subscription);
            final String publicationUri = new ChannelUriStringBuilder()
                .media("udp")
                .endpoint(endpoint)
                .termLength(termLength)
                .mtu(udpMtu)
                .socketRcvbufLength(udpSocketBufferLength)
                .socketSndbufLength(udpSocketBufferLength)
                .linger(0L)
                .build();
            publication = aeron.addExclusivePublication(publicationUri, streamId);
            return new AeronChannel(name, size, publication, subscription, directory);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(publication, subscription);
            throw new IllegalStateException(
                "cannot add a UDP loopback publication and subscription of " + size + "-byte events: " + ex, ex);
        }
    }

    /**
     * The subscription binds port 0; the publication is sent to the port the kernel picked.
     */
    private static String awaitEndpoint(final Subscription subscription)
    {
        final IdleStrategy idle = AppThreads.newIdleStrategy();
        final long deadlineNs = System.nanoTime() + CONNECT_TIMEOUT_NS;
        String endpoint;
        while (null == (endpoint = subscription.resolvedEndpoint()))
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IllegalStateException(
                    "the media driver did not bind the subscription's UDP port within " +
                    TimeUnit.NANOSECONDS.toSeconds(CONNECT_TIMEOUT_NS) + " s");
            }
            idle.idle();
        }

        return endpoint;
    }

    /**
     * @param option a socket buffer option.
     * @return the length of that buffer, at most {@link #UDP_SOCKET_BUFFER_BYTES}, that the kernel grants
     * a UDP socket: Linux caps a request at {@code net.core.rmem_max}/{@code wmem_max} without an error
     * (the JDK reports the length asked for or the cap, not the doubled length the kernel books).
     * @throws ContenderUnsupportedException if no UDP socket can be opened.
     */
    private static int grantedBufferLength(final SocketOption<Integer> option) throws ContenderUnsupportedException
    {
        try (DatagramChannel probe = DatagramChannel.open())
        {
            probe.setOption(option, UDP_SOCKET_BUFFER_BYTES);
            return Math.min(UDP_SOCKET_BUFFER_BYTES, probe.getOption(option));
        }
        catch (final IOException ex)
        {
            throw new ContenderUnsupportedException("cannot open a UDP socket to size Aeron's buffers: " + ex, ex);
        }
    }

    /**
     * One stream: an exclusive publication the producer offers to and a subscription the consumer polls.
     */
    static final class AeronChannel implements Channel, ControlledFragmentHandler
    {
        private final String name;
        private final int size;
        private final ExclusivePublication publication;
        private final Subscription subscription;
        private final ControlledFragmentAssembler assembler;
        private final UnsafeBuffer sendBuffer;
        private final int fragmentsPerMessage;
        private final Path directory;
        private EventSink sink;
        private int pollLimit;
        private int polled;

        /**
         * @param name         of the contender, for errors.
         * @param size         of every event.
         * @param publication  the producer offers to.
         * @param subscription the consumer polls.
         * @param directory    of the media driver, where the channel's logs are.
         */
        AeronChannel(
            final String name,
            final int size,
            final ExclusivePublication publication,
            final Subscription subscription,
            final Path directory)
        {
            this.name = name;
            this.size = size;
            this.publication = publication;
            this.subscription = subscription;
            this.directory = directory;
            final int maxPayload = publication.maxPayloadLength();
            fragmentsPerMessage = (size + maxPayload - 1) / maxPayload;
            // Sized at open, so that joining fragments never grows the buffer during the run.
            assembler = new ControlledFragmentAssembler(this, Math.max(size, maxPayload), true);
            sendBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(size));
            for (int i = 0; i < size; i++)
            {
                sendBuffer.putByte(i, (byte)(i * 31 + 7));
            }
        }

        /**
         * Wait until the publication sees its subscriber and the subscription has the image.
         *
         * @throws IllegalStateException if they do not within the timeout.
         */
        void awaitConnected()
        {
            final IdleStrategy idle = AppThreads.newIdleStrategy();
            final long deadlineNs = System.nanoTime() + CONNECT_TIMEOUT_NS;
            while (!publication.isConnected() || !subscription.isConnected())
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw new IllegalStateException(
                        name + "'s publication " + publication.channel() + " (stream " + publication.streamId() +
                        ") did not connect to its subscription within " +
                        TimeUnit.NANOSECONDS.toSeconds(CONNECT_TIMEOUT_NS) + " s (publication connected: " +
                        publication.isConnected() + ", subscription: " + subscription.isConnected() + ")");
                }
                idle.idle();
            }
        }

        /**
         * {@inheritDoc}
         *
         * @throws IllegalStateException if the publication is closed or at its longest position.
         */
        @Override
        public boolean offer(final long sequence, final long sentNs)
        {
            CompareEvent.stamp(sendBuffer, 0, size, sequence, sentNs);
            final long result = publication.offer(sendBuffer, 0, size);
            if (result > 0)
            {
                return true;
            }
            if (Publication.BACK_PRESSURED == result || Publication.NOT_CONNECTED == result ||
                Publication.ADMIN_ACTION == result)
            {
                return false;
            }
            throw new IllegalStateException(
                name + "'s publication refused event " + sequence + ": " + Publication.errorString(result) +
                (Publication.CLOSED == result ? " (the channel was closed while the producer ran)" :
                " (the stream reached the longest position its term length allows; open a new channel)"));
        }

        /**
         * {@inheritDoc}
         */
        @Override
        public int poll(final EventSink sink, final int limit)
        {
            this.sink = sink;
            pollLimit = limit;
            polled = 0;
            // Enough fragments for the limit of whole messages, the first of which may have begun before.
            final long fragmentLimit = (limit + 1L) * fragmentsPerMessage;
            subscription.controlledPoll(assembler, (int)Math.min(Integer.MAX_VALUE, fragmentLimit));

            return polled;
        }

        /**
         * A whole message, from the assembler: hand it over unless the poll's limit is reached, in which
         * case it is left in the log for the next poll.
         */
        @Override
        public Action onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            if (polled >= pollLimit)
            {
                return Action.ABORT;
            }
            CompareEvent.deliver(name, buffer, offset, length, size, sink);
            polled++;

            return Action.CONTINUE;
        }

        /**
         * Close the publication and the subscription, and wait until their logs are unmapped and
         * deleted (by the client at once, by the driver at its next timer check, within about 2 s): up
         * to 768 MiB of them, whose release would otherwise stall the next size's measurement. A log
         * still there after {@link #RELEASE_TIMEOUT_NS} is reported on standard error, not failed: it
         * costs time, not correctness.
         */
        @Override
        public void close()
        {
            try
            {
                CloseHelper.closeAll(publication, subscription);
            }
            finally
            {
                BufferUtil.free(sendBuffer.byteBuffer());
            }
            final long deadlineNs = System.nanoTime() + RELEASE_TIMEOUT_NS;
            String held;
            while (null != (held = heldLog()))
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    System.err.println(
                        name + ": the log " + held + " of a closed channel is still held after " +
                        TimeUnit.NANOSECONDS.toSeconds(RELEASE_TIMEOUT_NS) + " s; its release may slow the next " +
                        "measurement");
                    return;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
        }

        /**
         * The contender has one channel open at a time, so any log in the driver's directory, or mapped
         * from there into this process, is the closed channel's.
         *
         * @return a log file still there or still mapped, or null if none is.
         */
        private String heldLog()
        {
            for (final String kind : new String[]{ "publications", "images" })
            {
                final String[] files = directory.resolve(kind).toFile().list();
                if (null != files && files.length > 0)
                {
                    return directory.resolve(kind).resolve(files[0]).toString();
                }
            }
            if (Files.isReadable(PROCESS_MAPS))
            {
                try (Stream<String> lines = Files.lines(PROCESS_MAPS))
                {
                    return lines.filter(line -> line.contains(directory.toString()) && line.contains(".logbuffer"))
                        .findFirst().map(line -> line.substring(line.indexOf('/'))).orElse(null);
                }
                catch (final IOException | UncheckedIOException ex)
                {
                    return null;
                }
            }

            return null;
        }
    }
}
