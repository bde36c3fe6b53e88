package dev.ferry.bench.compare;

import dev.ferry.bench.AppThreads;
import dev.ferry.buffer.Segment;
import dev.ferry.buffer.Sizes;
import dev.ferry.client.Consumer;
import dev.ferry.client.ConsumerOptions;
import dev.ferry.client.EventHandler;
import dev.ferry.client.Ferry;
import dev.ferry.client.Producer;
import dev.ferry.client.PushResult;
import dev.ferry.client.PushStatus;
import dev.ferry.event.DataView;
import dev.ferry.event.Event;
import dev.ferry.event.Metadata;
import dev.ferry.log.PartitionLog;
import dev.ferry.server.FerryServer;
import dev.ferry.shm.ShmDirectory;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * Ferry on one host as it is best deployed there: a {@link FerryServer} and a {@link Ferry} client in
 * the worker's JVM, the client using the server's media driver so that the control plane runs over
 * Aeron IPC (as {@code ferry server --endpoint ipc} and a client given its driver directory do across
 * processes), data over shared memory; one topic of one partition per event size.
 * <p>
 * Each event's first {@value CompareEvent#METADATA_BYTES} bytes are its metadata and the rest its
 * data, in a segment of the producer's pool ({@link Producer#allocate}), offered with
 * {@link Producer#tryPush(Metadata, Segment)}: zero copy on the producer's side. The server pulls the
 * data into its partition log (one copy). Then, by name:
 * <ul>
 *   <li>{@value #COPY}: the consumer pulls each event's data into its own pool (a second copy), as a
 *   consumer on another host must;</li>
 *   <li>{@value #IN_PLACE}: the consumer reads the data where the server's log keeps it
 *   ({@link ConsumerOptions#readInPlace(boolean)}), no second copy.</li>
 * </ul>
 * The consumer takes the events that are ready with {@link Consumer#poll(EventHandler, int)}, the
 * API for small events at full rate (as raw Aeron's consumer polls its subscription), checks each
 * event's stamps and {@link Event#acknowledge() acknowledges} it. The server retains
 * {@value #RETAINED_SEGMENTS} log segments per partition ({@code ferry server --retain}) and then
 * reuses the oldest once the consumer has acknowledged its events. Each size gets a fresh server, so
 * the memory a size's log took is returned before the next. The producer's push futures are checked when
 * their slot in a ring of {@value #ACK_RING} is reused and at the end: an event the server refused
 * fails the run.
 */
final class FerryContender implements Contender
{
    static final String COPY = "ferry-copy";
    static final String IN_PLACE = "ferry-inplace";

    /**
     * Push futures the producer keeps, a power of two.
     */
    static final int ACK_RING = 1024;

    /**
     * Log segment size below which the server's default holds: 64 MiB, and twice the event above.
     */
    static final int MIN_LOG_SEGMENT_BYTES = 64 << 20;

    /**
     * Log segments each partition keeps before it reuses the oldest (acknowledged) one: the server runs
     * as a transport, in the memory it has written already, rather than as a store growing into new
     * pages, which on a virtual machine cost more than the copy into them.
     */
    static final int RETAINED_SEGMENTS = 4;

    private final boolean inPlace;
    private Path shmRoot;

    FerryContender(final boolean inPlace)
    {
        this.inPlace = inPlace;
    }

    @Override
    public String name()
    {
        return inPlace ? IN_PLACE : COPY;
    }

    @Override
    public void start(final Path workDir)
    {
        shmRoot = ShmDirectory.defaultRoot();
    }

    @Override
    public Channel open(final int size) throws ContenderUnsupportedException
    {
        final int dataBytes = size - CompareEvent.METADATA_BYTES;
        if (dataBytes > 0 && dataBytes < Long.BYTES)
        {
            throw new ContenderUnsupportedException(
                size + "-byte events would split their 8-byte tail between metadata and data; use 64 B or at least " +
                (CompareEvent.METADATA_BYTES + Long.BYTES));
        }
        if (2L * size > PartitionLog.Context.SEGMENT_BYTES_MAX)
        {
            throw new ContenderUnsupportedException(
                size + "-byte events need log segments of twice that, more than a log's largest segment (" +
                Sizes.format(PartitionLog.Context.SEGMENT_BYTES_MAX) + ")");
        }
        return new Pipeline(size, dataBytes);
    }

    @Override
    public void close()
    {
    }

    /**
     * One size's server, client, producer and consumer.
     */
    private final class Pipeline implements Channel
    {
        private final int size;
        private final int dataBytes;
        private final UnsafeBuffer metadataBuffer = new UnsafeBuffer(new byte[CompareEvent.METADATA_BYTES]);
        private final Metadata metadata = Metadata.wrap(metadataBuffer, 0, CompareEvent.METADATA_BYTES);
        private final UnsafeBuffer dataFlyweight = new UnsafeBuffer(0L, 0);
        private final EventHandler handler = this::onEvent;
        @SuppressWarnings({ "unchecked", "rawtypes" })
        private final CompletableFuture<Long>[] acks = new CompletableFuture[ACK_RING];
        private FerryServer server;
        private Ferry ferry;
        private Producer producer;
        private Consumer consumer;
        private Segment data;
        private EventSink sink;
        private long pushed;

        Pipeline(final int size, final int dataBytes)
        {
            this.size = size;
            this.dataBytes = dataBytes;
            try
            {
                final int segmentBytes = Math.max(MIN_LOG_SEGMENT_BYTES, 2 * size);
                server = FerryServer.launch(new FerryServer.Context()
                    .endpoint("ipc")
                    .shmRoot(shmRoot)
                    .logSegmentBytes(segmentBytes)
                    .logRetainBytes(RETAINED_SEGMENTS * (long)segmentBytes));
                ferry = Ferry.connect(new Ferry.Context()
                    .server("ipc")
                    .externalDriverDirectory(server.driverDirectory())
                    .shmRoot(shmRoot)
                    .name(name()));
                final var topic = ferry.createTopic("compare-" + size, 1);
                producer = topic.producer();
                consumer = topic.consumer(new ConsumerOptions(name()).readInPlace(inPlace));
            }
            catch (final RuntimeException | Error ex)
            {
                close();
                throw ex;
            }
        }

        @Override
        public boolean offer(final long sequence, final long sentNs)
        {
            CompareEvent.stampHeader(metadataBuffer, 0, sequence, sentNs);
            final PushResult result;
            if (0 == dataBytes)
            {
                CompareEvent.stampTail(metadataBuffer, CompareEvent.METADATA_BYTES, sequence);
                result = producer.tryPush(metadata, DataView.EMPTY);
            }
            else
            {
                if (null == data)
                {
                    data = producer.allocate(dataBytes); // kept for the next offer if this one is refused
                }
                CompareEvent.stampTail(data.buffer(), dataBytes, sequence);
                result = producer.tryPush(metadata, data);
            }
            if (!result.isPushed())
            {
                if (PushStatus.BACK_PRESSURED != result.status())
                {
                    throw new IllegalStateException(name() + " could not push event " + sequence + ": " + result.status());
                }
                return false;
            }
            data = null;
            checkAck(pushed - ACK_RING, false);
            acks[(int)pushed & (ACK_RING - 1)] = result.eventId();
            pushed++;
            return true;
        }

        @Override
        public void flush()
        {
            // Adaptive batching sends what has accumulated as soon as a batch slot is free: no event
            // waits for a flush, and a flush per idle turn would only queue commands.
        }

        @Override
        public int poll(final EventSink sink, final int limit)
        {
            this.sink = sink;
            return consumer.poll(handler, limit);
        }

        private void onEvent(final Event event)
        {
            final Metadata received = event.metadata();
            final DataView view = event.data();
            CompareEvent.checkLength(name(), received.length() + view.length(), size);
            final long seq = received.buffer().getLong(received.offset() + CompareEvent.SEQUENCE_OFFSET);
            if (0 == dataBytes)
            {
                CompareEvent.checkTail(name(), received.buffer(), received.offset() + received.length(), seq);
            }
            else
            {
                view.wrapSegment(view.segmentCount() - 1, dataFlyweight);
                CompareEvent.checkTail(name(), dataFlyweight, dataFlyweight.capacity(), seq);
            }
            sink.onEvent(seq, received.buffer().getLong(received.offset() + CompareEvent.SENT_NS_OFFSET));
            event.acknowledge();
        }

        private void checkAck(final long seq, final boolean wait)
        {
            final CompletableFuture<Long> ack = seq < 0 ? null : acks[(int)seq & (ACK_RING - 1)];
            if (null == ack || (!wait && !ack.isDone()))
            {
                return;
            }
            final long eventId = wait ? AppThreads.await(ack, name() + ": the acknowledgement of event " + seq) : ack.join();
            if (eventId != seq)
            {
                throw new IllegalStateException(name() + ": event " + seq + " was acknowledged as event " + eventId);
            }
        }

        @Override
        public void close()
        {
            try
            {
                for (long seq = Math.max(0, pushed - ACK_RING); seq < pushed && null != producer; seq++)
                {
                    checkAck(seq, true);
                }
            }
            finally
            {
                if (null != data)
                {
                    data.release(); // allocated for an event that was never taken
                    data = null;
                }
                CloseHelper.closeAll(consumer, producer, ferry, server);
            }
        }
    }
}
