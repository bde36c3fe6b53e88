package dev.ferry.bench;

import dev.ferry.event.DataView;
import dev.ferry.shm.OwnedDirectory;
import dev.ferry.shm.ShmDirectory;
import io.aeron.Aeron;
import io.aeron.ChannelUriStringBuilder;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.RethrowingErrorHandler;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import org.agrona.BufferUtil;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The baseline of {@link EventPathBenchmark}: raw Aeron IPC moving the same bytes per event, with
 * the same shape. One operation is one message consumed.
 * <p>
 * An embedded media driver ({@link ThreadingMode#SHARED}, backing off to 1 ms sleeps when idle, as
 * Ferry's own embedded driver does) and one Aeron client in the benchmark JVM; a publisher thread
 * offers messages of {@value EventStamp#METADATA_BYTES} + {@code size} bytes without pause
 * on an exclusive IPC publication, held back only by Aeron's flow control (the publication may run
 * half a term, {@value #TERM_LENGTH} / 2 bytes, ahead of the subscriber); the benchmark thread
 * polls the subscription through a {@link FragmentAssembler}. Term buffers are
 * {@value #TERM_LENGTH} bytes so that a 4 MiB message fits (Aeron's longest message is an eighth
 * of a term); the MTU is Aeron's default, so a message of more than 1376 bytes travels as several
 * fragments, which the assembler copies into one buffer.
 * <p>
 * Each message is the event's metadata followed by its data, stamped with its sequence number as
 * {@link EventStamp} draws (the data at offset {@value EventStamp#METADATA_BYTES}); the other bytes
 * are filled once, at setup. The setup first sends {@value EventPathBenchmark#SAMPLE_EVENTS} messages
 * of pseudo-random bytes and compares their CRC-32C after the trip; every message of the run is
 * checked for its stamps, and the teardown drains what is in flight and fails the run unless every
 * message published was consumed once.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
public class RawAeronBenchmark
{
    /**
     * Term buffer length of the publication: 4 MiB messages need at least 32 MiB.
     */
    static final int TERM_LENGTH = 64 << 20;

    /**
     * Most fragments one poll hands to the assembler.
     */
    static final int FRAGMENT_LIMIT = 64;

    private static final int STREAM_ID = 1001;
    private static final int PAGE_BYTES = 4096;

    /**
     * Consume the next message: poll until one more is assembled and checked.
     *
     * @param stream driver, publication and subscription.
     * @return the message's sequence number, so that nothing can be optimised away.
     */
    @Benchmark
    public long consume(final IpcStream stream)
    {
        return stream.consumeOne();
    }

    /**
     * One IPC stream: an embedded media driver, an exclusive publication fed by a thread of its own,
     * and a subscription polled by the benchmark thread.
     */
    @State(Scope.Benchmark)
    public static class IpcStream implements FragmentHandler
    {
        /**
         * Data bytes per message, on top of the metadata bytes: 0 is a metadata-only event.
         */
        @Param({ "0", "4096", "1048576", "4194304" })
        int size;

        private final AtomicLong published = new AtomicLong();
        private final IdleStrategy subscriberIdle = AppThreads.newIdleStrategy();
        private final FragmentAssembler assembler = new FragmentAssembler(this);
        private OwnedDirectory directory;
        private MediaDriver driver;
        private Aeron aeron;
        private ExclusivePublication publication;
        private Subscription subscription;
        private UnsafeBuffer message;
        private UnsafeBuffer received;
        private int messageLength;
        private Thread publisherThread;
        private volatile boolean publishing;
        private volatile Throwable publisherFailure;
        private long nextSeq;
        private long assembled;

        /**
         * Start the driver, the client, the publication and the subscription; send and check the
         * sample messages, then start the publisher.
         */
        @Setup(Level.Trial)
        public void setUp()
        {
            directory = ShmDirectory.open(ShmDirectory.defaultRoot()).createOwned("bench-aeron");
            final String aeronDirectory = directory.path().resolve("driver").toString();
            driver = MediaDriver.launch(new MediaDriver.Context()
                .aeronDirectoryName(aeronDirectory)
                .threadingMode(ThreadingMode.SHARED)
                .sharedIdleStrategy(new BackoffIdleStrategy(
                    10, 20, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1)))
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true));
            aeron = Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(aeronDirectory)
                .subscriberErrorHandler(RethrowingErrorHandler.INSTANCE));
            final String channel = new ChannelUriStringBuilder().media("ipc").termLength(TERM_LENGTH).build();
            subscription = aeron.addSubscription(channel, STREAM_ID);
            publication = aeron.addExclusivePublication(channel, STREAM_ID);
            awaitConnected();

            messageLength = EventStamp.METADATA_BYTES + size;
            message = new UnsafeBuffer(BufferUtil.allocateDirectAligned(messageLength, PAGE_BYTES));
            received = new UnsafeBuffer(BufferUtil.allocateDirectAligned(messageLength, PAGE_BYTES));
            sendSamples();

            nextSeq = EventPathBenchmark.SAMPLE_EVENTS;
            assembled = nextSeq;
            published.set(nextSeq);
            publishing = true;
            publisherThread = AppThreads.start("bench-publisher", this::publish);
        }

        /**
         * Stop the publisher, consume and check what is in flight, and fail the run unless every
         * message published was consumed once; then close everything, removing the driver's files.
         */
        @TearDown(Level.Trial)
        public void tearDown()
        {
            publishing = false;
            try
            {
                AppThreads.join(publisherThread);
                if (null != publisherFailure)
                {
                    throw new IllegalStateException("the publisher failed: " + publisherFailure, publisherFailure);
                }
                final long total = published.get();
                while (nextSeq < total)
                {
                    consumeOne();
                }
                final int extra = subscription.poll(assembler, FRAGMENT_LIMIT);
                if (0 != extra || assembled != total)
                {
                    throw new IllegalStateException(
                        total + " messages were published and " + assembled + " assembled, " + extra +
                        " fragments more after all were consumed; each message must arrive once");
                }
            }
            finally
            {
                CloseHelper.closeAll(subscription, publication, aeron, driver, directory);
            }
        }

        long consumeOne()
        {
            final long seq = nextSeq;
            if (assembled == seq)
            {
                final long deadlineNs = System.nanoTime() + AppThreads.TIMEOUT_NS;
                subscriberIdle.reset();
                while (assembled == seq)
                {
                    if (0 == subscription.poll(assembler, FRAGMENT_LIMIT))
                    {
                        if (System.nanoTime() - deadlineNs > 0)
                        {
                            throw new IllegalStateException(
                                "no message arrived within " + TimeUnit.NANOSECONDS.toSeconds(AppThreads.TIMEOUT_NS) +
                                " s: message " + seq + " is next, " + published.get() + " were published" +
                                (null == publisherFailure ? "" : "; the publisher failed: " + publisherFailure));
                        }
                        subscriberIdle.idle();
                    }
                }
            }
            nextSeq = seq + 1;

            return seq;
        }

        /**
         * A whole message, from the assembler: check its stamps.
         */
        public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            EventStamp.check(
                "Aeron IPC", assembled, buffer, offset, EventStamp.METADATA_BYTES,
                buffer, offset + EventStamp.METADATA_BYTES, length - EventStamp.METADATA_BYTES, size);
            assembled++;
        }

        private void publish()
        {
            final IdleStrategy idle = AppThreads.newIdleStrategy();
            long seq = published.get();
            try
            {
                while (publishing)
                {
                    EventStamp.stampMetadata(message, 0, seq);
                    EventStamp.stampData(message, EventStamp.METADATA_BYTES, size, seq);
                    final long result = publication.offer(message, 0, messageLength);
                    if (result > 0)
                    {
                        idle.reset();
                        published.lazySet(++seq);
                    }
                    else if (Publication.BACK_PRESSURED == result || Publication.ADMIN_ACTION == result)
                    {
                        idle.idle();
                    }
                    else
                    {
                        throw new IllegalStateException(
                            "the publication refused message " + seq + ": " + Publication.errorString(result));
                    }
                }
            }
            catch (final RuntimeException | Error ex)
            {
                publisherFailure = ex;
            }
        }

        private void awaitConnected()
        {
            final long deadlineNs = System.nanoTime() + AppThreads.TIMEOUT_NS;
            while (!publication.isConnected() || !subscription.isConnected())
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw new IllegalStateException(
                        "the IPC publication and subscription did not connect within " +
                        TimeUnit.NANOSECONDS.toSeconds(AppThreads.TIMEOUT_NS) + " s");
                }
                subscriberIdle.idle();
            }
        }

        private void sendSamples()
        {
            final int[] crcs = new int[EventPathBenchmark.SAMPLE_EVENTS];
            for (int i = 0; i < crcs.length; i++)
            {
                RandomBytes.fill(message, 0, messageLength, i);
                EventStamp.stampMetadata(message, 0, i);
                crcs[i] = DataView.of(message, 0, messageLength).crc32c();
                final long deadlineNs = System.nanoTime() + AppThreads.TIMEOUT_NS;
                long result;
                while ((result = publication.offer(message, 0, messageLength)) < 0)
                {
                    if (System.nanoTime() - deadlineNs > 0)
                    {
                        throw new IllegalStateException(
                            "the publication did not take sample message " + i + ": " + Publication.errorString(result));
                    }
                    subscriberIdle.idle();
                }
            }

            final int[] sample = new int[1];
            final FragmentAssembler sampleAssembler = new FragmentAssembler((buffer, offset, length, header) ->
            {
                final int i = sample[0]++;
                received.putBytes(0, buffer, offset, length);
                final int crc = DataView.of(received, 0, length).crc32c();
                if (length != messageLength || crc != crcs[i])
                {
                    throw new IllegalStateException(
                        "sample message " + i + " of " + messageLength + " bytes arrived as " + length + " bytes " +
                        "with CRC-32C " + Integer.toHexString(crc) + " where " + Integer.toHexString(crcs[i]) +
                        " was published");
                }
            });
            final long deadlineNs = System.nanoTime() + AppThreads.TIMEOUT_NS;
            while (sample[0] < crcs.length)
            {
                if (0 == subscription.poll(sampleAssembler, FRAGMENT_LIMIT))
                {
                    if (System.nanoTime() - deadlineNs > 0)
                    {
                        throw new IllegalStateException(
                            "only " + sample[0] + " of " + crcs.length + " sample messages arrived within " +
                            TimeUnit.NANOSECONDS.toSeconds(AppThreads.TIMEOUT_NS) + " s");
                    }
                    subscriberIdle.idle();
                }
            }
        }
    }
}
