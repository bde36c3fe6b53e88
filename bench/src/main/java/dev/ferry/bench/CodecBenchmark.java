package dev.ferry.bench;

import dev.ferry.protocol.InboundFrame;
import dev.ferry.protocol.codecs.EventBatchDecoder;
import dev.ferry.protocol.codecs.EventBatchEncoder;
import dev.ferry.protocol.codecs.MessageHeaderEncoder;
import dev.ferry.protocol.codecs.MetadataBatchDecoder;
import dev.ferry.protocol.codecs.MetadataBatchEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * What the protocol's two batch messages cost to write and to read, per batch: the producer's
 * {@code MetadataBatch} (one per batch pushed) and the server's {@code EventBatch} (one per batch
 * delivered), each of {@code events} events of {@value #METADATA_BYTES} bytes of metadata, written
 * into and read from an off-heap buffer as the I/O agents do (SBE flyweights over an
 * {@link UnsafeBuffer}). Reading goes through {@link InboundFrame#decode}, the same validation every
 * received frame gets, and touches every field and every metadata byte (copied out, as the server
 * copies it into its log). Divide by {@code events} for the cost per event; {@code -prof gc} must show
 * 0 B/op.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
@State(Scope.Benchmark)
public class CodecBenchmark
{
    /**
     * Metadata of every event.
     */
    static final int METADATA_BYTES = 64;

    @Param({ "1", "64" })
    int events;

    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final MetadataBatchEncoder metadataBatchEncoder = new MetadataBatchEncoder();
    private final EventBatchEncoder eventBatchEncoder = new EventBatchEncoder();
    private final InboundFrame frame = new InboundFrame();
    private final UnsafeBuffer metadata = new UnsafeBuffer(ByteBuffer.allocateDirect(METADATA_BYTES));
    private final UnsafeBuffer copiedMetadata = new UnsafeBuffer(ByteBuffer.allocateDirect(METADATA_BYTES));
    private UnsafeBuffer metadataBatchFrame;
    private UnsafeBuffer eventBatchFrame;
    private int metadataBatchLength;
    private int eventBatchLength;

    /**
     * Fill the metadata and encode one frame of each message to decode.
     */
    @Setup
    public void setUp()
    {
        RandomBytes.fill(metadata, 0, METADATA_BYTES, 1);
        final int capacity = 256 + events * (64 + METADATA_BYTES);
        metadataBatchFrame = new UnsafeBuffer(ByteBuffer.allocateDirect(capacity));
        eventBatchFrame = new UnsafeBuffer(ByteBuffer.allocateDirect(capacity));
        metadataBatchLength = encodeMetadataBatch();
        eventBatchLength = encodeEventBatch();
    }

    /**
     * @return the frame's length.
     */
    @Benchmark
    public int encodeMetadataBatch()
    {
        final MetadataBatchEncoder.EventsEncoder entries = metadataBatchEncoder
            .wrapAndApplyHeader(metadataBatchFrame, 0, header)
            .producerId(7)
            .batchSeq(42)
            .topicId(3)
            .partition(1)
            .eventsCount(events);
        for (int i = 0; i < events; i++)
        {
            entries.next()
                .regionId(11)
                .offset(4096L * i)
                .length(1 << 20)
                .putMetadata(metadata, 0, METADATA_BYTES);
        }
        return metadataBatchEncoder.encodedLength() + MessageHeaderEncoder.ENCODED_LENGTH;
    }

    /**
     * @return a sum of every field read, so that nothing can be optimised away.
     */
    @Benchmark
    public long decodeMetadataBatch()
    {
        frame.decode(metadataBatchFrame, 0, metadataBatchLength);
        final MetadataBatchDecoder batch = frame.metadataBatch();
        long sum = batch.producerId() + batch.batchSeq() + batch.topicId() + batch.partition();
        for (final MetadataBatchDecoder.EventsDecoder entry : batch.events())
        {
            sum += entry.regionId() + entry.offset() + entry.length();
            sum += entry.getMetadata(copiedMetadata, 0, METADATA_BYTES);
        }
        return sum;
    }

    /**
     * @return the frame's length.
     */
    @Benchmark
    public int encodeEventBatch()
    {
        final EventBatchEncoder.EventsEncoder entries = eventBatchEncoder
            .wrapAndApplyHeader(eventBatchFrame, 0, header)
            .consumerId(5)
            .topicId(3)
            .partition(1)
            .eventsCount(events);
        for (int i = 0; i < events; i++)
        {
            entries.next()
                .eventId(1000 + i)
                .regionId(11)
                .offset(4096L * i)
                .length(1 << 20)
                .putMetadata(metadata, 0, METADATA_BYTES);
        }
        return eventBatchEncoder.encodedLength() + MessageHeaderEncoder.ENCODED_LENGTH;
    }

    /**
     * @return a sum of every field read, so that nothing can be optimised away.
     */
    @Benchmark
    public long decodeEventBatch()
    {
        frame.decode(eventBatchFrame, 0, eventBatchLength);
        final EventBatchDecoder batch = frame.eventBatch();
        long sum = batch.consumerId() + batch.topicId() + batch.partition();
        for (final EventBatchDecoder.EventsDecoder entry : batch.events())
        {
            sum += entry.eventId() + entry.regionId() + entry.offset() + entry.length();
            sum += entry.getMetadata(copiedMetadata, 0, METADATA_BYTES);
        }
        return sum;
    }
}
