package dev.ferry.bench.compare;

import org.agrona.CloseHelper;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.ByteBufferDeserializer;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Properties;

/**
 * A Kafka topic of one partition between a {@link KafkaProducer} and a {@link KafkaConsumer}, as a user
 * would set them up for throughput, with Kafka 4's defaults where they are not about event size.
 * <p>
 * <b>Producer</b>: {@code acks=all} and {@code enable.idempotence=true}, Kafka 4's defaults (the broker
 * acknowledges once its one replica has the batch in its log, which is not fsynced); no compression;
 * {@code linger.ms=0} (Kafka 4's default is 5), so the sender thread takes a batch as soon as it can and
 * no event waits for others to join it while the producer idles; batches still form while requests are
 * in flight, up to {@code batch.size} of {@value #BATCH_BYTES} bytes (Kafka's default of 16 KiB held
 * 4 KiB events to about 30 MiB/s here); {@code max.request.size} of {@link KafkaBroker#MAX_BATCH_BYTES};
 * {@code buffer.memory} of the harness's window of events and one more, at least Kafka's default of
 * 32 MiB, so that the harness holds the producer back rather than Kafka; {@code max.block.ms} of
 * {@value #MAX_BLOCK_MS} ms, so that a send never blocks without end; socket buffers left to the
 * operating system (see {@link KafkaBroker}). As {@code linger.ms} is 0, {@link #flush()} has nothing to
 * push ({@code producer.flush()} would wait for every acknowledgement): it only reports a failed send.
 * <p>
 * Each event is a {@code byte[]}, Kafka's unit of a value. The arrays are pooled: Kafka copies a value
 * into its batch inside {@code send}, and certainly reads it no more once the send's callback has fired,
 * which is when the array goes back to the pool; the bytes between the stamps are written once per array.
 * A send that fails is stored by its callback and fails the next {@link #offer} or {@link #flush()}.
 * <p>
 * <b>Consumer</b>: the partition is assigned (no group, no rebalance, no offset commits) and read from
 * the beginning; fetches of up to {@link KafkaBroker#MAX_BATCH_BYTES} bytes; values come through
 * {@link ByteBufferDeserializer}, which hands out a view of the fetched bytes without copying them.
 * {@link #poll} calls {@code poll} with a timeout of {@link #POLL_TIMEOUT} when it holds no records:
 * this consumer does its network reads inside {@code poll}, so a longer call reads a large fetch
 * without pause and returns as soon as records are there, where {@code poll(Duration.ZERO)} read
 * only what the socket held at that moment. Records beyond the limit are kept for the next call.
 */
final class KafkaChannel implements Channel
{
    /**
     * Bytes of a producer batch of small events ({@code batch.size}); Kafka's default is 16 KiB.
     */
    static final int BATCH_BYTES = 1 << 20;

    /**
     * Longest {@link #poll} waits in the consumer's {@code poll} for records to arrive.
     */
    static final Duration POLL_TIMEOUT = Duration.ofMillis(1);

    /**
     * Longest {@code send} may block for metadata or buffer space, in milliseconds.
     */
    static final int MAX_BLOCK_MS = 30_000;

    /**
     * Longest the producer and the consumer may each take to close.
     */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    /**
     * Bytes a record adds to its value in a batch, at most (batch header, record header, varints).
     */
    static final int RECORD_OVERHEAD_BYTES = 1024;

    private final KafkaBroker broker;
    private final String topic;
    private final int size;
    private final TopicPartition partition;
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], ByteBuffer> consumer;
    private final ManyToOneConcurrentArrayQueue<PooledEvent> freeEvents;
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private Iterator<ConsumerRecord<byte[], ByteBuffer>> pending;
    private volatile String sendFailure;
    private Exception sendFailureCause;

    /**
     * @param broker to connect to, which deletes the topic when the channel closes.
     * @param topic  an existing topic of one partition, not used by any other channel.
     * @param size   of every event.
     * @param window events the harness lets the producer be ahead of the consumer.
     */
    KafkaChannel(final KafkaBroker broker, final String topic, final int size, final int window)
    {
        final String bootstrapServers = broker.bootstrapServers();
        this.broker = broker;
        this.topic = topic;
        this.size = size;
        this.partition = new TopicPartition(topic, 0);
        this.freeEvents = new ManyToOneConcurrentArrayQueue<>(window + 2);

        final long eventBytes = (long)size + RECORD_OVERHEAD_BYTES;
        final long bufferMemory = Math.max(32L << 20, (window + 1) * eventBytes);
        final Properties producerProps = new Properties();
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        producerProps.put(ProducerConfig.CLIENT_ID_CONFIG, "ferry-compare-producer-" + topic);
        producerProps.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        producerProps.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerProps.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        producerProps.put(ProducerConfig.BATCH_SIZE_CONFIG, BATCH_BYTES);
        producerProps.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, KafkaBroker.MAX_BATCH_BYTES);
        producerProps.put(ProducerConfig.BUFFER_MEMORY_CONFIG, bufferMemory);
        producerProps.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, MAX_BLOCK_MS);
        producerProps.put(ProducerConfig.SEND_BUFFER_CONFIG, KafkaBroker.OS_SOCKET_BUFFER);
        producerProps.put(ProducerConfig.RECEIVE_BUFFER_CONFIG, KafkaBroker.OS_SOCKET_BUFFER);

        final Properties consumerProps = new Properties();
        consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        consumerProps.put(ConsumerConfig.CLIENT_ID_CONFIG, "ferry-compare-consumer-" + topic);
        consumerProps.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        consumerProps.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteBufferDeserializer.class.getName());
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerProps.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, KafkaBroker.MAX_BATCH_BYTES);
        consumerProps.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, KafkaBroker.MAX_BATCH_BYTES);
        consumerProps.put(ConsumerConfig.SEND_BUFFER_CONFIG, KafkaBroker.OS_SOCKET_BUFFER);
        consumerProps.put(ConsumerConfig.RECEIVE_BUFFER_CONFIG, KafkaBroker.OS_SOCKET_BUFFER);

        KafkaProducer<byte[], byte[]> newProducer = null;
        KafkaConsumer<byte[], ByteBuffer> newConsumer = null;
        try
        {
            newProducer = new KafkaProducer<>(producerProps);
            newConsumer = new KafkaConsumer<>(consumerProps);
            newConsumer.assign(List.of(partition));
            newConsumer.seekToBeginning(List.of(partition));
            // Look the topic up now, not on the first event: the producer's metadata and the consumer's
            // start offset, each within its own bound.
            newProducer.partitionsFor(topic);
            newConsumer.position(partition, Duration.ofMillis(MAX_BLOCK_MS));
        }
        catch (final RuntimeException ex)
        {
            try
            {
                closeBoth(newProducer, newConsumer);
            }
            catch (final RuntimeException closeEx)
            {
                ex.addSuppressed(closeEx);
            }
            throw new IllegalStateException(
                "could not set up a Kafka producer and consumer on topic " + topic + " at " + bootstrapServers + ": " + ex,
                ex);
        }
        this.producer = newProducer;
        this.consumer = newConsumer;
    }

    /**
     * {@inheritDoc}
     * <p>
     * Blocks at most {@value #MAX_BLOCK_MS} ms inside Kafka's {@code send} if its buffer is full, which the
     * harness's window should prevent.
     *
     * @throws IllegalStateException if an earlier send failed.
     */
    @Override
    public boolean offer(final long sequence, final long sentNs)
    {
        checkSends();
        PooledEvent event = freeEvents.poll();
        if (null == event)
        {
            event = new PooledEvent(size);
        }
        event.sequence = sequence;
        CompareEvent.stamp(event.buffer, 0, size, sequence, sentNs);
        producer.send(new ProducerRecord<>(topic, 0, null, event.bytes), event);
        return true;
    }

    /**
     * With {@code linger.ms=0} the producer's sender thread takes every batch as soon as it can, so no
     * event waits here; {@code producer.flush()} would block until every batch is acknowledged. This only
     * fails the producer if a send failed.
     *
     * @throws IllegalStateException if a send failed.
     */
    @Override
    public void flush()
    {
        checkSends();
    }

    /**
     * {@inheritDoc}
     * <p>
     * Hands over the records the last {@code poll} of the consumer returned and the harness has not taken
     * yet; only when there are none does it poll the consumer, which waits at most {@link #POLL_TIMEOUT}.
     */
    @Override
    public int poll(final EventSink sink, final int limit)
    {
        int delivered = 0;
        while (delivered < limit)
        {
            if (null == pending || !pending.hasNext())
            {
                if (delivered > 0)
                {
                    break;
                }
                pending = consumer.poll(POLL_TIMEOUT).iterator();
                if (!pending.hasNext())
                {
                    break;
                }
            }
            final ConsumerRecord<byte[], ByteBuffer> record = pending.next();
            final ByteBuffer value = record.value();
            if (null == value)
            {
                throw new IllegalStateException(
                    KafkaContender.NAME + " delivered a record without a value at offset " + record.offset() + " of " +
                    topic);
            }
            view.wrap(value, value.position(), value.remaining());
            CompareEvent.deliver(KafkaContender.NAME, view, 0, value.remaining(), size, sink);
            delivered++;
        }
        return delivered;
    }

    /**
     * Close the producer and the consumer, each within {@link #CLOSE_TIMEOUT}, and delete the topic so
     * that its log leaves the disk.
     *
     * @throws Exception if a client did not close or the broker did not delete the topic in time.
     */
    @Override
    public void close() throws Exception
    {
        pending = null;
        try
        {
            closeBoth(producer, consumer);
        }
        finally
        {
            broker.deleteTopic(topic);
        }
    }

    private void checkSends()
    {
        final String failure = sendFailure;
        if (null != failure)
        {
            throw new IllegalStateException(failure, sendFailureCause);
        }
    }

    private void onSendFailed(final long sequence, final Exception ex)
    {
        if (null == sendFailure)
        {
            sendFailureCause = ex;
            sendFailure = "Kafka failed to send event " + sequence + " to topic " + topic + ": " + ex;
        }
    }

    private static void closeBoth(final KafkaProducer<?, ?> producer, final KafkaConsumer<?, ?> consumer)
    {
        CloseHelper.closeAll(
            () ->
            {
                if (null != producer)
                {
                    producer.close(CLOSE_TIMEOUT);
                }
            },
            () ->
            {
                if (null != consumer)
                {
                    consumer.close(CloseOptions.timeout(CLOSE_TIMEOUT));
                }
            });
    }

    /**
     * One event's {@code byte[]}, filled once, and the callback of its send, which returns it to the pool.
     */
    private final class PooledEvent implements Callback
    {
        private final byte[] bytes;
        private final UnsafeBuffer buffer;
        private long sequence;

        private PooledEvent(final int size)
        {
            bytes = new byte[size];
            for (int i = 0; i < size; i++)
            {
                bytes[i] = (byte)i;
            }
            buffer = new UnsafeBuffer(bytes);
        }

        @Override
        public void onCompletion(final RecordMetadata metadata, final Exception exception)
        {
            if (null != exception)
            {
                onSendFailed(sequence, exception);
            }
            freeEvents.offer(this);
        }
    }
}
