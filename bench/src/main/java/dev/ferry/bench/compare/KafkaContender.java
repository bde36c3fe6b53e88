package dev.ferry.bench.compare;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Kafka as many users would pick it to move events from one thread to another: one embedded node in
 * KRaft mode, broker and controller combined, on loopback inside the worker's JVM ({@link KafkaBroker}),
 * and per event size a fresh topic of one partition between a producer and a consumer
 * ({@link KafkaChannel}). Every event crosses the loopback twice (producer to broker, broker to
 * consumer) and is written to the broker's log in the page cache, without fsync, as Kafka does by
 * default.
 * <p>
 * Events larger than 64 MiB are not carried: the broker is set up for records up to
 * {@link KafkaBroker#MAX_BATCH_BYTES} bytes ({@code message.max.bytes}; Kafka's default is 1 MiB), and a
 * record must fit in one produce request, which the broker caps at 100 MiB
 * ({@code socket.request.max.bytes}).
 */
final class KafkaContender implements Contender
{
    /**
     * The contender's label.
     */
    static final String NAME = "kafka";

    private KafkaBroker broker;
    private int topics;

    /**
     * Turns Kafka's logging down to warnings before any Kafka class logs (see
     * {@link KafkaBroker#quietLogging()}).
     */
    KafkaContender()
    {
        KafkaBroker.quietLogging();
    }

    @Override
    public String name()
    {
        return NAME;
    }

    /**
     * Format a log directory under {@code workDir} and start the Kafka node, waiting until it answers.
     *
     * @param workDir an empty directory this contender may fill; the harness deletes it afterwards.
     * @throws Exception if the node cannot be formatted or started, or does not answer in time.
     */
    @Override
    public void start(final Path workDir) throws Exception
    {
        final long startNs = System.nanoTime();
        broker = new KafkaBroker();
        broker.start(workDir);
        System.err.printf(Locale.ROOT, "%s: embedded KRaft node at %s answered %d ms after start%n",
            NAME, broker.bootstrapServers(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs));
    }

    /**
     * Create a fresh topic for events of {@code size} bytes and a producer and consumer on it.
     *
     * @param size bytes of every event on the channel.
     * @return the channel, which deletes its topic when closed.
     * @throws ContenderUnsupportedException if an event of {@code size} bytes and its record overhead do not
     *                                       fit in the largest record batch the broker takes.
     * @throws Exception                     if the topic or the clients cannot be set up.
     */
    @Override
    public Channel open(final int size) throws Exception
    {
        if (null == broker)
        {
            throw new IllegalStateException(NAME + " is not started: call start(workDir) before open(size)");
        }
        if ((long)size + KafkaChannel.RECORD_OVERHEAD_BYTES > KafkaBroker.MAX_BATCH_BYTES)
        {
            throw new ContenderUnsupportedException(
                "the Kafka broker here takes record batches of at most " + KafkaBroker.MAX_BATCH_BYTES +
                " bytes (message.max.bytes, set for 64 MiB events; Kafka's default is 1 MiB) and produce requests " +
                "of at most 100 MiB (socket.request.max.bytes): a " + size + "-byte event does not fit in one record");
        }
        final String topic = "ferry-compare-" + size + "-" + (++topics);
        broker.createTopic(topic);
        try
        {
            return new KafkaChannel(broker, topic, size, CompareWorker.window(size));
        }
        catch (final RuntimeException ex)
        {
            try
            {
                broker.deleteTopic(topic);
            }
            catch (final Exception deleteEx)
            {
                ex.addSuppressed(deleteEx);
            }
            throw ex;
        }
    }

    /**
     * Shut the Kafka node down, within {@link KafkaBroker#SHUTDOWN_TIMEOUT}; the work directory is the
     * harness's to delete.
     */
    @Override
    public void close()
    {
        final KafkaBroker started = broker;
        broker = null;
        if (null != started)
        {
            started.close();
        }
    }
}
