package dev.ferry.bench.compare;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.utils.Time;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * One Kafka node inside this JVM, as a user who wants "a Kafka" would run it: KRaft mode, broker and
 * controller combined in one process ({@code process.roles=broker,controller}), one node, plaintext on
 * loopback. It is formatted and started the way {@code kafka-storage.sh format --standalone} and
 * {@code kafka-server-start.sh} do it: {@link StorageTool} writes {@code meta.properties} and the
 * bootstrap snapshot of the metadata log, then a {@link KafkaRaftServer} (what {@code kafka.Kafka}
 * builds for a KRaft node) runs both roles.
 * <p>
 * Broker settings that differ from Kafka's defaults, and why:
 * <ul>
 *     <li>{@code message.max.bytes} and {@code replica.fetch.max.bytes} of {@value #MAX_BATCH_BYTES}
 *     bytes: one record of a 64 MiB event plus its batch's overhead (Kafka's default is 1 MiB);</li>
 *     <li>replication factor 1 for every internal topic, one partition per topic: there is one node;</li>
 *     <li>{@code socket.send.buffer.bytes} and {@code socket.receive.buffer.bytes} of -1, the operating
 *     system's default with its auto-tuning (Kafka's defaults are 100 KiB). Kafka hands heap buffers to
 *     sockets, and the JDK copies all that remains of a heap buffer into a temporary direct buffer on
 *     every write, however little the socket then takes: with 100 KiB socket buffers a 64 MiB request
 *     takes some 500 writes and is copied hundreds of times over. Auto-tuned buffers of up to 4 MiB made
 *     16 MiB and 64 MiB events two to five times faster here; the clients do the same;</li>
 *     <li>retention by size, so that a run of many GiB does not fill the disk: {@code log.retention.bytes}
 *     {@value #RETENTION_BYTES} per partition, which is more than the consumer can ever be behind (the
 *     harness holds the producer at most 4 × 64 MiB ahead), segments of {@value #SEGMENT_BYTES} bytes,
 *     a retention check every second from one second after start, and deleted segments removed after a
 *     second instead of a minute. A topic therefore holds at most about 640 MiB plus what arrives in
 *     two seconds, and each channel deletes its topic when it closes;</li>
 *     <li>{@code server.max.startup.time.ms} of {@link #STARTUP_TIMEOUT}, so that a start that cannot
 *     finish fails instead of waiting for ever (Kafka's default is no limit).</li>
 * </ul>
 * The flush policy is Kafka's default: {@code log.flush.interval.messages} and
 * {@code log.flush.interval.ms} unset, i.e. no fsync per message or batch; the broker writes to the page
 * cache and leaves flushing to the operating system (durability comes from replication, of which there
 * is none here). The log lives under the work directory the harness gives, so it is on whatever file
 * system that is: on a disk, writing back the dirty pages (and Kafka's own flush of each segment it rolls)
 * limits large events; on {@code /dev/shm} it stays in memory.
 */
final class KafkaBroker implements AutoCloseable
{
    /**
     * Largest record batch the broker accepts: a 64 MiB event plus 64 KiB for the batch and record
     * headers. Also the producer's {@code max.request.size} and the consumer's fetch sizes.
     */
    static final int MAX_BATCH_BYTES = (64 << 20) + (64 << 10);

    /**
     * Bytes a partition keeps before retention deletes its oldest segments.
     */
    static final long RETENTION_BYTES = 512L << 20;

    /**
     * Bytes of a log segment; retention deletes whole segments.
     */
    static final int SEGMENT_BYTES = 128 << 20;

    /**
     * Socket buffer size that leaves the size to the operating system and its auto-tuning.
     */
    static final int OS_SOCKET_BUFFER = -1;

    /**
     * Longest the node may take to start and answer.
     */
    static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

    /**
     * Longest an admin operation (create or delete a topic) may take.
     */
    static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    /**
     * Longest the node may take to shut down.
     */
    static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);

    private static final int NODE_ID = 1;
    private static final String BROKER_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final String[] QUIET_LOGGERS = { "kafka", "org.apache.kafka", "state.change.logger" };

    private KafkaRaftServer server;
    private Admin admin;
    private String bootstrapServers;

    /**
     * Turn Kafka's logging down to warnings, unless the user chose a level with
     * {@code -Dorg.slf4j.simpleLogger.log.kafka=...} (and likewise for {@code org.apache.kafka} and
     * {@code state.change.logger}). Kafka logs through SLF4J, bound to slf4j-simple here, which logs
     * INFO to standard error by default: a broker start alone would print thousands of lines. slf4j-simple
     * reads these properties when it makes a logger, so this must run before Kafka's classes make theirs.
     */
    static void quietLogging()
    {
        for (final String logger : QUIET_LOGGERS)
        {
            final String key = "org.slf4j.simpleLogger.log." + logger;
            if (null == System.getProperty(key))
            {
                System.setProperty(key, "warn");
            }
        }
    }

    /**
     * Format a log directory under {@code workDir} with a fresh cluster id and start the node, then wait
     * until the broker answers an admin client.
     *
     * @param workDir an empty directory for the node's configuration and log.
     * @throws Exception naming what failed: a port, the formatting, the start, or a node that did not
     *                   answer within {@link #STARTUP_TIMEOUT}.
     */
    void start(final Path workDir) throws Exception
    {
        final long deadlineNs = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        final int brokerPort = freePort();
        final int controllerPort = freePort();
        final Path logDir = workDir.resolve("kafka-logs").toAbsolutePath();
        Files.createDirectories(logDir);
        final Properties props = serverProperties(logDir, brokerPort, controllerPort);
        final Path propsFile = workDir.resolve("server.properties").toAbsolutePath();
        try (OutputStream out = Files.newOutputStream(propsFile))
        {
            props.store(out, "Ferry comparison: one Kafka node, broker and controller, on loopback");
        }

        format(propsFile, logDir);

        server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        try
        {
            server.startup();
        }
        catch (final RuntimeException ex)
        {
            throw new IllegalStateException(
                "the embedded Kafka node (broker 127.0.0.1:" + brokerPort + ", controller 127.0.0.1:" + controllerPort +
                ", log " + logDir + ") failed to start: " + ex, ex);
        }

        bootstrapServers = "127.0.0.1:" + brokerPort;
        final Properties adminProps = new Properties();
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        adminProps.put(AdminClientConfig.CLIENT_ID_CONFIG, "ferry-compare-admin");
        adminProps.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        adminProps.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int)ADMIN_TIMEOUT.toMillis());
        admin = Admin.create(adminProps);
        awaitBroker(deadlineNs);
    }

    /**
     * @return {@code host:port} of the broker's listener, for {@code bootstrap.servers}.
     */
    String bootstrapServers()
    {
        return bootstrapServers;
    }

    /**
     * Create a topic of one partition, replication factor 1, and wait until its partition has a leader.
     *
     * @param topic name of the new topic.
     * @throws Exception if the broker refused it or did not create it within {@link #ADMIN_TIMEOUT}.
     */
    void createTopic(final String topic) throws Exception
    {
        final long deadlineNs = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
        try
        {
            await(admin.createTopics(List.of(new NewTopic(topic, 1, (short)1))).all(), deadlineNs, "create topic " + topic);
        }
        catch (final ExecutionException ex)
        {
            throw new IllegalStateException("Kafka refused to create topic " + topic + ": " + ex.getCause(), ex.getCause());
        }
        while (true)
        {
            try
            {
                final Map<String, TopicDescription> topics =
                    await(admin.describeTopics(List.of(topic)).allTopicNames(), deadlineNs, "describe topic " + topic);
                final TopicDescription description = topics.get(topic);
                if (null != description && hasLeaders(description.partitions()))
                {
                    return;
                }
            }
            catch (final ExecutionException ex)
            {
                // The controller created the topic; the broker's metadata may not have it yet.
                if (!(ex.getCause() instanceof UnknownTopicOrPartitionException))
                {
                    throw new IllegalStateException(
                        "Kafka could not describe topic " + topic + " it had created: " + ex.getCause(), ex.getCause());
                }
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new TimeoutException(
                    "Kafka created topic " + topic + " but its partition had no leader within " +
                    ADMIN_TIMEOUT.toSeconds() + " s");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    /**
     * Delete a topic, so that its log leaves the disk (after the segment delete delay of a second).
     *
     * @param topic name of the topic.
     * @throws Exception if the broker refused or did not answer within {@link #ADMIN_TIMEOUT}.
     */
    void deleteTopic(final String topic) throws Exception
    {
        try
        {
            await(admin.deleteTopics(List.of(topic)).all(), System.nanoTime() + ADMIN_TIMEOUT.toNanos(),
                "delete topic " + topic);
        }
        catch (final ExecutionException ex)
        {
            throw new IllegalStateException("Kafka refused to delete topic " + topic + ": " + ex.getCause(), ex.getCause());
        }
    }

    /**
     * Close the admin client and shut the node down, waiting at most {@link #SHUTDOWN_TIMEOUT}; the log
     * directory stays for the harness to delete.
     *
     * @throws IllegalStateException if the node did not shut down in time, naming where it is stuck.
     */
    @Override
    public void close()
    {
        if (null != admin)
        {
            admin.close(Duration.ofSeconds(5));
            admin = null;
        }
        final KafkaRaftServer node = server;
        server = null;
        if (null == node)
        {
            return;
        }
        final Throwable[] failure = new Throwable[1];
        final Thread stopper = new Thread(() ->
        {
            try
            {
                node.shutdown();
                node.awaitShutdown();
            }
            catch (final RuntimeException | Error ex)
            {
                failure[0] = ex;
            }
        }, "kafka-shutdown");
        stopper.setDaemon(true);
        stopper.start();
        try
        {
            stopper.join(SHUTDOWN_TIMEOUT.toMillis());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the embedded Kafka node to shut down", ex);
        }
        if (stopper.isAlive())
        {
            throw new IllegalStateException(
                "the embedded Kafka node did not shut down within " + SHUTDOWN_TIMEOUT.toSeconds() +
                " s; it is stuck in: " + Arrays.toString(stopper.getStackTrace()));
        }
        if (null != failure[0])
        {
            throw new IllegalStateException("the embedded Kafka node failed to shut down: " + failure[0], failure[0]);
        }
    }

    private static Properties serverProperties(final Path logDir, final int brokerPort, final int controllerPort)
    {
        final Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", Integer.toString(NODE_ID));
        props.put("listeners",
            BROKER_LISTENER + "://127.0.0.1:" + brokerPort + "," + CONTROLLER_LISTENER + "://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", BROKER_LISTENER + "://127.0.0.1:" + brokerPort);
        props.put("listener.security.protocol.map", BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        props.put("inter.broker.listener.name", BROKER_LISTENER);
        props.put("controller.listener.names", CONTROLLER_LISTENER);
        props.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
        props.put("log.dirs", logDir.toString());
        props.put("server.max.startup.time.ms", Long.toString(STARTUP_TIMEOUT.toMillis()));

        props.put("num.partitions", "1");
        props.put("default.replication.factor", "1");
        props.put("min.insync.replicas", "1");
        props.put("offsets.topic.replication.factor", "1");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("auto.create.topics.enable", "false");

        props.put("message.max.bytes", Integer.toString(MAX_BATCH_BYTES));
        props.put("replica.fetch.max.bytes", Integer.toString(MAX_BATCH_BYTES));

        props.put("socket.send.buffer.bytes", Integer.toString(OS_SOCKET_BUFFER));
        props.put("socket.receive.buffer.bytes", Integer.toString(OS_SOCKET_BUFFER));
        props.put("log.retention.bytes", Long.toString(RETENTION_BYTES));
        props.put("log.segment.bytes", Integer.toString(SEGMENT_BYTES));
        props.put("log.retention.check.interval.ms", "1000");
        props.put("log.initial.task.delay.ms", "1000");
        props.put("log.segment.delete.delay.ms", "1000");
        return props;
    }

    private static void format(final Path propsFile, final Path logDir)
    {
        final ByteArrayOutputStream output = new ByteArrayOutputStream();
        final String clusterId = Uuid.randomUuid().toString();
        final String[] args = { "format", "--config", propsFile.toString(), "--cluster-id", clusterId, "--standalone" };
        final int status;
        try (PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8))
        {
            status = StorageTool.execute(args, print);
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(
                "formatting Kafka's log directory " + logDir + " failed (kafka-storage " + String.join(" ", args) + "): " +
                ex.getMessage() + "; " + output.toString(StandardCharsets.UTF_8).trim(), ex);
        }
        if (0 != status)
        {
            throw new IllegalStateException(
                "formatting Kafka's log directory " + logDir + " failed with status " + status + " (kafka-storage " +
                String.join(" ", args) + "): " + output.toString(StandardCharsets.UTF_8).trim());
        }
    }

    private void awaitBroker(final long deadlineNs) throws TimeoutException
    {
        Exception last = null;
        while (System.nanoTime() - deadlineNs < 0)
        {
            try
            {
                final Collection<Node> nodes = await(admin.describeCluster().nodes(), deadlineNs, "describe the cluster");
                if (!nodes.isEmpty())
                {
                    return;
                }
            }
            catch (final ExecutionException | TimeoutException ex)
            {
                last = ex;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        throw new TimeoutException(
            "the embedded Kafka broker at " + bootstrapServers + " did not answer within " + STARTUP_TIMEOUT.toSeconds() +
            " s" + (null == last ? "" : ": " + last));
    }

    private static boolean hasLeaders(final List<TopicPartitionInfo> partitions)
    {
        if (partitions.isEmpty())
        {
            return false;
        }
        for (final TopicPartitionInfo partition : partitions)
        {
            if (null == partition.leader() || partition.leader().isEmpty())
            {
                return false;
            }
        }
        return true;
    }

    private static <T> T await(final Future<T> future, final long deadlineNs, final String what)
        throws ExecutionException, TimeoutException
    {
        try
        {
            return future.get(Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Kafka to " + what, ex);
        }
        catch (final TimeoutException ex)
        {
            future.cancel(true);
            throw new TimeoutException("Kafka did not " + what + " in time");
        }
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }
}
