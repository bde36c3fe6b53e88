package dev.ferry.server;


import dev.ferry.FerryException;
import dev.ferry.buffer.Sizes;
import dev.ferry.bulk.BulkTransportSet;
import dev.ferry.bulk.PeerInfo;
import dev.ferry.channel.MessageTransport;
import dev.ferry.channel.MessageTransports;
import dev.ferry.log.FsyncPolicy;
import dev.ferry.shm.DurableDirectory;
import dev.ferry.shm.OwnedDirectory;
import dev.ferry.engine.EngineContext;
import dev.ferry.shm.ShmDirectory;
import org.agrona.BitUtil;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A Ferry server: hosts topics and their partitions, stores producers' events and serves them to
 * consumers. One I/O agent thread does all of it.
 * <p>
 * Partitions are kept in {@code memory} mode: append-only logs of mapped segment files in the
 * server's directory under Ferry's shared-memory root, removed when the server closes.
 * <pre>{@code
 * try (FerryServer server = FerryServer.launch(new FerryServer.Context().endpoint("127.0.0.1:7420")))
 * {
 *     ...
 * }
 * }</pre>
 */
public final class FerryServer implements AutoCloseable
{
    private static final Logger LOGGER = LoggerFactory.getLogger(FerryServer.class);

    private final AgentRunner runner;
    private final ServerConductor conductor;
    private final Path driverDirectory;

    private FerryServer(final AgentRunner runner, final ServerConductor conductor, final Path driverDirectory)
    {
        this.runner = runner;
        this.conductor = conductor;
        this.driverDirectory = driverDirectory;
    }

    /**
     * Start a server and bind its endpoint.
     *
     * @param context settings; concluded here.
     * @return the running server.
     * @throws FerryException naming the endpoint if it cannot be bound, the bulk transport that cannot
     *                        run here, or the setting at fault.
     */
    public static FerryServer launch(final Context context)
    {
        context.conclude();
        final OwnedDirectory directory = ShmDirectory.open(context.shmRoot()).createOwned("server");
        MessageTransport messages = null;
        BulkTransportSet bulk = null;
        DurableDirectory durable = null;
        try
        {
            if (null != context.dataDirectory())
            {
                durable = DurableDirectory.open(context.dataDirectory());
            }
            final long serverId = ThreadLocalRandom.current().nextLong();
            bulk = BulkTransportSet.open(context.transport(), "server", PeerInfo.local(serverId), context.shmRoot());
            messages = MessageTransports.provider().newTransport(context.shmRoot(), context.externalDriverDirectory());
            final ServerConductor conductor = new ServerConductor(context, messages, bulk, directory, durable, serverId);
            final AgentRunner runner = new AgentRunner(
                context.idleStrategy(),
                (error) -> LOGGER.error("server I/O agent error", error),
                null,
                conductor);
            AgentRunner.startOnThread(runner);
            LOGGER.info("Ferry server listening on {}, bulk transports [{}]", conductor.address(), bulk.advertisement());

            return new FerryServer(runner, conductor, messages.driverDirectory());
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(bulk, messages, durable, directory);
            throw ex;
        }
    }

    /**
     * @return the address clients connect to.
     */
    public String address()
    {
        return conductor.address();
    }

    /**
     * @return how many times a producer's client was paused because a partition had no room for its
     * batch (see {@link Context#maxQueuedBatchBytes(int)}); a measure of back-pressure. Any thread.
     */
    public long pausesForRoom()
    {
        return conductor.pausesForRoom();
    }

    /**
     * @return the directory of the server's media driver: clients in the same process can name it as
     * their external driver and connect over {@code ipc} (see {@link Context#endpoint(String)}).
     */
    public Path driverDirectory()
    {
        return driverDirectory;
    }

    /**
     * Stop the I/O agent and close every session; remove the partitions' files in {@code memory} mode,
     * keep them (forced to disk as the fsync policy says) and release the data directory in
     * {@code file} mode.
     */
    public void close()
    {
        runner.close((int)TimeUnit.SECONDS.toMillis(5), (thread) ->
            LOGGER.warn("the server's I/O agent did not stop within 5 s; interrupting {}", thread.getName()));
    }

    /**
     * A server's settings. Setters return this; {@link #conclude()} checks them once and fills defaults.
     */
    public static final class Context extends EngineContext<Context>
    {
        /**
         * Default endpoint.
         */
        public static final String ENDPOINT_DEFAULT = "127.0.0.1:7420";

        /**
         * Least bytes of batches a partition may queue: 64 KiB.
         */
        public static final int MIN_QUEUED_BATCH_BYTES = 64 << 10;

        /**
         * Most bytes of batches a partition may queue: 256 MiB.
         */
        public static final int MAX_QUEUED_BATCH_BYTES = 256 << 20;

        private String endpoint = ENDPOINT_DEFAULT;
        private int logSegmentBytes = 64 << 20;
        private long logMaxBytes = 8L << 30;
        private long logRetainBytes;
        private int maxMetadataBytes = 64 << 10;
        private int maxDataBytes;
        private int maxEventsPerBatch = 4096;
        private int maxQueuedBatchBytes = 64 << 20;
        private Path dataDirectory;
        private FsyncPolicy fsyncPolicy = FsyncPolicy.BATCH;
        private Duration fsyncInterval = Duration.ofMillis(100);
        private boolean concluded;

        /**
         * @return this, checked.
         * @throws IllegalArgumentException naming the setting at fault.
         */
        public Context conclude()
        {
            if (concluded)
            {
                return this;
            }
            concludeEngine();
            if (maxMetadataBytes < 1 || maxMetadataBytes > (1 << 20))
            {
                throw new IllegalArgumentException("max metadata size must be from 1 byte to 1 MiB, was " + maxMetadataBytes);
            }
            if (logSegmentBytes < maxMetadataBytes + (64 << 10))
            {
                throw new IllegalArgumentException(
                    "log segments of " + Sizes.format(logSegmentBytes) + " are too small; use at least " +
                    Sizes.format(maxMetadataBytes + (64 << 10)));
            }
            final int largestData = logSegmentBytes - maxMetadataBytes - 4096;
            if (0 == maxDataBytes)
            {
                maxDataBytes = largestData;
            }
            if (maxDataBytes < 0 || maxDataBytes > largestData)
            {
                throw new IllegalArgumentException(
                    "max data size " + maxDataBytes + " does not fit a log segment of " +
                    Sizes.format(logSegmentBytes) + "; use at most " + largestData + " or raise the segment size");
            }
            if (maxEventsPerBatch < 1 || maxEventsPerBatch > 65_535)
            {
                throw new IllegalArgumentException("max events per batch must be from 1 to 65535, was " + maxEventsPerBatch);
            }
            if (maxQueuedBatchBytes < MIN_QUEUED_BATCH_BYTES || maxQueuedBatchBytes > MAX_QUEUED_BATCH_BYTES ||
                !BitUtil.isPowerOfTwo(maxQueuedBatchBytes))
            {
                throw new IllegalArgumentException(
                    "max queued batch bytes must be a power of two from " + Sizes.format(MIN_QUEUED_BATCH_BYTES) +
                    " to " + Sizes.format(MAX_QUEUED_BATCH_BYTES) + ", was " + maxQueuedBatchBytes);
            }
            if (0 != logRetainBytes &&
                (null != dataDirectory || logRetainBytes < 2L * logSegmentBytes || logRetainBytes > logMaxBytes))
            {
                throw new IllegalArgumentException(
                    "a partition's retained bytes must be 0 (keep every event) or, without a data directory, from two " +
                    "log segments (" + Sizes.format(2L * logSegmentBytes) + ") to the log's bound (" +
                    Sizes.format(logMaxBytes) + "); was " + Sizes.format(logRetainBytes) +
                    (null != dataDirectory ? ": durable partitions keep every event" : ""));
            }
            if (fsyncInterval.isNegative() || fsyncInterval.isZero())
            {
                throw new IllegalArgumentException("the fsync interval must be positive, was " + fsyncInterval);
            }
            concluded = true;
            return this;
        }

        public String endpoint()
        {
            return endpoint;
        }

        /**
         * @param endpoint {@code host:port} to listen on, or {@code ipc} to serve clients sharing a media driver.
         * @return this.
         */
        public Context endpoint(final String endpoint)
        {
            this.endpoint = endpoint;
            return this;
        }

        public int logSegmentBytes()
        {
            return logSegmentBytes;
        }

        /**
         * @param bytes size of each partition log segment file; bounds one event's size.
         * @return this.
         */
        public Context logSegmentBytes(final int bytes)
        {
            this.logSegmentBytes = bytes;
            return this;
        }

        public long logMaxBytes()
        {
            return logMaxBytes;
        }

        /**
         * @param bytes most bytes of segments per partition.
         * @return this.
         */
        public Context logMaxBytes(final long bytes)
        {
            this.logMaxBytes = bytes;
            return this;
        }

        public long logRetainBytes()
        {
            return logRetainBytes;
        }

        /**
         * @param bytes past which a memory-mode partition reuses its oldest log segment, dropping its
         *              events, once every consumer that subscribed to it has acknowledged them (see
         *              {@link dev.ferry.log.PartitionLog.Context#retainBytes(long)}); 0 (the default) keeps
         *              every event up to {@link #logMaxBytes()}.
         * @return this.
         */
        public Context logRetainBytes(final long bytes)
        {
            this.logRetainBytes = bytes;
            return this;
        }

        public int maxMetadataBytes()
        {
            return maxMetadataBytes;
        }

        /**
         * @param bytes largest metadata of one event the server accepts.
         * @return this.
         */
        public Context maxMetadataBytes(final int bytes)
        {
            this.maxMetadataBytes = bytes;
            return this;
        }

        public int maxDataBytes()
        {
            return maxDataBytes;
        }

        /**
         * @param bytes largest data of one event the server accepts; default what a log segment holds.
         * @return this.
         */
        public Context maxDataBytes(final int bytes)
        {
            this.maxDataBytes = bytes;
            return this;
        }

        public int maxEventsPerBatch()
        {
            return maxEventsPerBatch;
        }

        /**
         * @param events most events in one producer batch.
         * @return this.
         */
        public Context maxEventsPerBatch(final int events)
        {
            this.maxEventsPerBatch = events;
            return this;
        }

        public int maxQueuedBatchBytes()
        {
            return maxQueuedBatchBytes;
        }

        /**
         * @param bytes most bytes of batches waiting to be stored per partition, a power of two of at
         *              least {@link #MIN_QUEUED_BATCH_BYTES} and at most {@link #MAX_QUEUED_BATCH_BYTES};
         *              default 64 MiB (the queue's memory grows to twice this at most). When a producer's batch
         *              does not fit, the server stops reading from that producer until the queue has
         *              drained to half, which back-pressures the producer; nothing is refused.
         * @return this.
         */
        public Context maxQueuedBatchBytes(final int bytes)
        {
            this.maxQueuedBatchBytes = bytes;
            return this;
        }

        public Path dataDirectory()
        {
            return dataDirectory;
        }

        /**
         * @param directory where durable partitions live ({@code file} mode): topics and their logs,
         *                  cursors and producers' batch sequences are kept there across restarts and
         *                  recovered at launch. Null, the default, keeps partitions in the shared-memory
         *                  root ({@code memory} mode), gone when the server stops.
         * @return this.
         */
        public Context dataDirectory(final Path directory)
        {
            this.dataDirectory = directory;
            return this;
        }

        public FsyncPolicy fsyncPolicy()
        {
            return fsyncPolicy;
        }

        /**
         * @param policy when durable partitions are forced to disk; default {@link FsyncPolicy#BATCH}.
         *               Whatever the policy, stored events survive the server's process dying; the policy
         *               says what survives the machine losing power.
         * @return this.
         */
        public Context fsyncPolicy(final FsyncPolicy policy)
        {
            this.fsyncPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        public Duration fsyncInterval()
        {
            return fsyncInterval;
        }

        /**
         * @param interval how often {@link FsyncPolicy#INTERVAL} forces durable partitions; default 100 ms.
         * @return this.
         */
        public Context fsyncInterval(final Duration interval)
        {
            this.fsyncInterval = Objects.requireNonNull(interval, "interval");
            return this;
        }

    }
}
