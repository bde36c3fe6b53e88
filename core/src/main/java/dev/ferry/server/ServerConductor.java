package dev.ferry.server;

import dev.ferry.FerryException;
import dev.ferry.agent.IoAgentThreads;
import dev.ferry.bulk.BulkTransport;
import dev.ferry.bulk.BulkTransportException;
import dev.ferry.bulk.BulkTransportSet;
import dev.ferry.bulk.PeerInfo;
import dev.ferry.bulk.Region;
import dev.ferry.bulk.RegionDescriptor;
import dev.ferry.channel.ConnectionListener;
import dev.ferry.channel.Inbound;
import dev.ferry.channel.MessageHandler;
import dev.ferry.channel.MessageTransport;
import dev.ferry.engine.PeerLink;
import dev.ferry.log.LogEntry;
import dev.ferry.log.FsyncPolicy;
import dev.ferry.log.PartitionLog;
import dev.ferry.protocol.InboundFrame;
import dev.ferry.protocol.MalformedFrameException;
import dev.ferry.protocol.codecs.AcknowledgeDecoder;
import dev.ferry.protocol.codecs.BatchAckEncoder;
import dev.ferry.protocol.codecs.CreateTopicDecoder;
import dev.ferry.protocol.codecs.CreditDecoder;
import dev.ferry.protocol.codecs.ErrorCode;
import dev.ferry.protocol.codecs.ErrorEncoder;
import dev.ferry.protocol.codecs.EventBatchEncoder;
import dev.ferry.protocol.codecs.GoodbyeDecoder;
import dev.ferry.protocol.codecs.GoodbyeEncoder;
import dev.ferry.protocol.codecs.HeartbeatDecoder;
import dev.ferry.protocol.codecs.HelloDecoder;
import dev.ferry.protocol.codecs.HelloReplyEncoder;
import dev.ferry.protocol.codecs.ListTopicsDecoder;
import dev.ferry.protocol.codecs.MessageHeaderEncoder;
import dev.ferry.protocol.codecs.MetadataBatchDecoder;
import dev.ferry.protocol.codecs.OpenTopicDecoder;
import dev.ferry.protocol.codecs.RegionAnnouncementDecoder;
import dev.ferry.protocol.codecs.RegionAnnouncementEncoder;
import dev.ferry.protocol.codecs.SubscribeDecoder;
import dev.ferry.protocol.codecs.TopicInfoEncoder;
import dev.ferry.protocol.codecs.TopicListEncoder;
import dev.ferry.shm.DurableDirectory;
import dev.ferry.shm.HostIdentity;
import dev.ferry.shm.OwnedDirectory;
import dev.ferry.topic.TopicConfig;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.SystemEpochNanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * The server's I/O agent: owns the control-plane channels, the bulk transports, every session,
 * topic, partition log and subscription, so none of it needs a lock.
 * <p>
 * Each session uses the bulk transport chosen at its hello ({@link BulkTransportSet#choose}); a
 * client with which the server shares none is refused with an Error frame that says why. Log
 * segments are registered with every open transport when created, so any session can be told of them.
 * <p>
 * <b>Durable partitions.</b> With a data directory ({@code file} mode) each topic's directory holds
 * a {@value #TOPIC_FILE_NAME} file with its wire id and partition count, written before the topic is
 * announced; at launch every topic is recovered with the same id, its logs recovered (index rebuilt,
 * torn tail cut, cursors and stored batches read back), so clients that reconnect find their topic ids,
 * their consumers' positions and their producers' batch sequences where they left them.
 * <p>
 * One helper thread, the log preparer, creates the next segment of each partition log ahead of
 * need and registers it there (zero-filling 64 MiB takes tens of milliseconds, registering it with
 * RDMA pins its pages and takes as long again); nothing else leaves the agent.
 * <p>
 * Duty cycle: the control-plane transport's own work, inbound messages (each validated before
 * use; a bad frame closes only its sender's session), the bulk transports' pulls, storing queued
 * batches, delivering stored events to consumers within their credit, and flushing what the
 * outbound links could not send at once, refusals included.
 */
final class ServerConductor implements Agent, ConnectionListener
{
    private static final Logger LOGGER = LoggerFactory.getLogger(ServerConductor.class);
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
    private static final Pattern TOPIC_NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final int MAX_PARTITIONS = 1024;
    private static final int MAX_EVENTS_PER_DELIVERY = 4096;
    private static final int LINK_QUEUE_BYTES = 64 << 20;
    private static final int DELIVERY_QUEUE_LIMIT = 4 << 20;
    private static final long REFUSAL_LINGER_NS = TimeUnit.SECONDS.toNanos(10);
    static final String TOPIC_FILE_NAME = "topic.properties";

    private final FerryServer.Context context;
    private final MessageTransport messages;
    private final BulkTransportSet bulk;
    private final OwnedDirectory directory;
    private final DurableDirectory durable;
    private final Path topicsDirectory;
    private final boolean syncOnInterval;
    private final long storageId;
    private final Inbound inbound;
    private final AtomicLong pausesForRoom = new AtomicLong();
    private final long serverId;
    private final InboundFrame frame = new InboundFrame();
    private final MessageHandler messageHandler = this::onMessage;
    private final EpochNanoClock clock = new SystemEpochNanoClock();
    private final Int2ObjectHashMap<ServerSession> sessionsByChannel = new Int2ObjectHashMap<>();
    private final Long2ObjectHashMap<ServerSession> sessionsByClientId = new Long2ObjectHashMap<>();
    private final Map<String, ServerTopic> topicsByName = new HashMap<>();
    private final Int2ObjectHashMap<ServerTopic> topicsById = new Int2ObjectHashMap<>();
    private final List<ServerTopic> topics = new ArrayList<>();
    private int lastTopicId;
    private final List<ServerPartition> partitions = new ArrayList<>();
    private final List<ServerSession> closing = new ArrayList<>();
    private final List<Refusal> refusals = new ArrayList<>();
    private final ExpandableDirectByteBuffer sendBuffer = new ExpandableDirectByteBuffer(64 * 1024);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final HelloReplyEncoder helloReplyEncoder = new HelloReplyEncoder();
    private final GoodbyeEncoder goodbyeEncoder = new GoodbyeEncoder();
    private final ErrorEncoder errorEncoder = new ErrorEncoder();
    private final TopicInfoEncoder topicInfoEncoder = new TopicInfoEncoder();
    private final TopicListEncoder topicListEncoder = new TopicListEncoder();
    private final BatchAckEncoder batchAckEncoder = new BatchAckEncoder();
    private final RegionAnnouncementEncoder regionEncoder = new RegionAnnouncementEncoder();
    private final EventBatchEncoder eventBatchEncoder = new EventBatchEncoder();
    private final LogEntry entry = new LogEntry();
    private final ExecutorService segmentPreparer = Executors.newSingleThreadExecutor((task) ->
    {
        final Thread thread = new Thread(task, "ferry-server-log-preparer");
        thread.setDaemon(true);
        return thread;
    });

    ServerConductor(
        final FerryServer.Context context,
        final MessageTransport messages,
        final BulkTransportSet bulk,
        final OwnedDirectory directory,
        final DurableDirectory durable,
        final long serverId)
    {
        this.serverId = serverId;
        this.context = context;
        this.messages = messages;
        this.bulk = bulk;
        this.directory = directory;
        this.durable = durable;
        this.topicsDirectory = (null == durable ? directory.path() : durable.path()).resolve("topics");
        this.syncOnInterval = null != durable && FsyncPolicy.INTERVAL == context.fsyncPolicy();
        this.storageId = null == durable ? new SecureRandom().nextLong() : durable.storageId();
        try
        {
            if (null != durable)
            {
                recoverTopics();
            }
            this.inbound = messages.listen(context.endpoint(), this);
        }
        catch (final RuntimeException ex)
        {
            closeLogs(); // the caller closes the rest
            throw ex;
        }
    }

    public String roleName()
    {
        return "ferry-server";
    }

    public void onStart()
    {
        IoAgentThreads.markCurrentThread(roleName());
    }

    public int doWork()
    {
        int work = messages.doWork();
        work += inbound.poll(messageHandler, 64);
        work += bulk.doWork();
        for (int i = 0, size = partitions.size(); i < size; i++)
        {
            work += partitions.get(i).doWork();
        }
        if (syncOnInterval)
        {
            final long nowNs = System.nanoTime();
            for (int i = 0, size = partitions.size(); i < size; i++)
            {
                work += partitions.get(i).sync(nowNs);
            }
        }
        work += deliver();
        for (final ServerSession session : sessionsByClientId.values())
        {
            work += session.link.flush();
        }
        work += closeSessions();
        work += flushRefusals();

        return work;
    }

    public void onClose()
    {
        for (final ServerSession session : sessionsByClientId.values())
        {
            CloseHelper.quietClose(session.link);
        }
        sessionsByClientId.clear();
        sessionsByChannel.clear();
        for (final Refusal refusal : refusals)
        {
            CloseHelper.quietClose(refusal.link);
        }
        refusals.clear();
        closeLogs();
        CloseHelper.quietCloseAll(inbound, bulk, messages, durable, directory);
        IoAgentThreads.clearCurrentThread();
    }

    private void closeLogs()
    {
        for (final ServerPartition partition : partitions)
        {
            CloseHelper.quietClose(partition.log);
        }
        segmentPreparer.shutdownNow();
    }

    String address()
    {
        return inbound.address();
    }

    public void onConnected(final int sessionId, final String sourceAddress)
    {
        LOGGER.debug("sender {} connected from {}", sessionId, sourceAddress);
    }

    public void onDisconnected(final int sessionId)
    {
        final ServerSession session = sessionsByChannel.get(sessionId);
        if (null != session)
        {
            LOGGER.info("{} disconnected", session);
            closeSession(session);
        }
    }

    ServerSession sessionByClientId(final long clientId)
    {
        return sessionsByClientId.get(clientId);
    }

    ServerSession sessionByChannel(final int channelSessionId)
    {
        return sessionsByChannel.get(channelSessionId);
    }

    long epochNanos()
    {
        return clock.nanoTime();
    }

    private boolean onMessage(final DirectBuffer buffer, final int offset, final int length, final int sessionId)
    {
        final int templateId;
        try
        {
            templateId = frame.decode(buffer, offset, length);
        }
        catch (final MalformedFrameException ex)
        {
            final ServerSession session = sessionsByChannel.get(sessionId);
            LOGGER.warn("closing the session of {}: {}", null == session ? "sender " + sessionId : session, ex.getMessage());
            if (null != session)
            {
                sendError(session.clientId, 0, ErrorCode.MALFORMED_FRAME, "the server closed this session: " + ex.getMessage());
                closeSession(session);
            }
            return true;
        }

        if (HelloDecoder.TEMPLATE_ID == templateId)
        {
            onHello(frame.hello(), sessionId);
            return true;
        }

        final ServerSession session = sessionsByChannel.get(sessionId);
        if (null == session || session.closed)
        {
            LOGGER.debug("ignoring message {} from sender {} that has no session", templateId, sessionId);
            return true;
        }

        try
        {
            switch (templateId)
            {
                case HeartbeatDecoder.TEMPLATE_ID:
                    break;
                case GoodbyeDecoder.TEMPLATE_ID:
                    // Everything the client sent before is handled; its goodbye back tells it so.
                    goodbyeEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder).clientId(session.clientId);
                    send(session, goodbyeEncoder.encodedLength());
                    session.link.flush();
                    closeSession(session);
                    break;
                case CreateTopicDecoder.TEMPLATE_ID:
                    onCreateTopic(session, frame.createTopic());
                    break;
                case OpenTopicDecoder.TEMPLATE_ID:
                    onOpenTopic(session, frame.openTopic());
                    break;
                case ListTopicsDecoder.TEMPLATE_ID:
                    onListTopics(session, frame.listTopics().correlationId());
                    break;
                case RegionAnnouncementDecoder.TEMPLATE_ID:
                    onRegionAnnouncement(session, frame.regionAnnouncement());
                    break;
                case MetadataBatchDecoder.TEMPLATE_ID:
                    return onMetadataBatch(session, frame.metadataBatch(), buffer, offset, length);
                case SubscribeDecoder.TEMPLATE_ID:
                    onSubscribe(session, frame.subscribe());
                    break;
                case CreditDecoder.TEMPLATE_ID:
                    onCredit(session, frame.credit());
                    break;
                case AcknowledgeDecoder.TEMPLATE_ID:
                    onAcknowledge(session, frame.acknowledge());
                    break;
                default:
                    sendError(session.clientId, 0, ErrorCode.MALFORMED_FRAME,
                        "a server does not accept message " + templateId + " from clients");
            }
        }
        catch (final FerryException ex)
        {
            LOGGER.warn("closing the session of {}: {}", session, ex.getMessage());
            closeSession(session);
        }
        return true;
    }

    private void onHello(final HelloDecoder hello, final int sessionId)
    {
        final long clientId = hello.clientId();
        final long pid = hello.pid();
        final long connectionId = hello.connectionId();
        final String clientName = hello.clientName();
        final String bootId = hello.bootId();
        final String replyAddress = hello.replyChannel();
        final String clientTransports = hello.bulkTransports();

        final PeerLink link;
        try
        {
            link = new PeerLink(messages.connect(replyAddress), LINK_QUEUE_BYTES);
        }
        catch (final FerryException ex)
        {
            LOGGER.warn("client '{}' (pid {}) sent a reply address that cannot be used: {}", clientName, pid, ex.getMessage());
            return;
        }

        final PeerInfo peer = new PeerInfo(clientId, bootId, pid);
        final BulkTransport chosen;
        try
        {
            chosen = bulk.choose(peer, "client '" + clientName + "'", clientTransports);
        }
        catch (final BulkTransportException ex)
        {
            LOGGER.warn("refusing client '{}' (pid {}): {}", clientName, pid, ex.getMessage());
            refuse(link, clientId, connectionId, ex.getMessage());
            return;
        }

        final ServerSession previous = sessionsByClientId.get(clientId);
        if (null != previous)
        {
            closeSession(previous);
            closeSessions();
        }

        final ServerSession session = new ServerSession(clientId, sessionId, clientName, peer, link, chosen);
        sessionsByChannel.put(sessionId, session);
        sessionsByClientId.put(clientId, session);
        LOGGER.info("session with {} uses bulk transport {} (client has [{}], server has [{}]); replies to {}",
            session, chosen.name(), clientTransports, bulk.advertisement(), replyAddress);

        helloReplyEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .clientId(clientId)
            .serverId(serverId)
            .pid(ProcessHandle.current().pid())
            .connectionId(connectionId)
            .storageId(storageId)
            .bootId(HostIdentity.bootId())
            .bulkTransports(bulk.advertisement());
        send(session, helloReplyEncoder.encodedLength());
    }

    /**
     * Answer a hello that cannot become a session with an Error frame, sent once the client's reply
     * channel connects; the link is closed when the frame is out or after a linger, whichever is first.
     */
    private void refuse(final PeerLink link, final long clientId, final long connectionId, final String message)
    {
        errorEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .clientId(clientId)
            .correlationId(connectionId)
            .code(ErrorCode.BULK_TRANSPORT)
            .message(message);
        try
        {
            link.send(sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + errorEncoder.encodedLength());
            refusals.add(new Refusal(link, System.nanoTime() + REFUSAL_LINGER_NS));
        }
        catch (final FerryException ex)
        {
            LOGGER.warn("could not tell client {} why it was refused: {}", clientId, ex.getMessage());
            CloseHelper.quietClose(link);
        }
    }

    private int flushRefusals()
    {
        if (refusals.isEmpty())
        {
            return 0;
        }

        int work = 0;
        final long nowNs = System.nanoTime();
        for (int i = refusals.size() - 1; i >= 0; i--)
        {
            final Refusal refusal = refusals.get(i);
            work += refusal.link.flush();
            if (0 == refusal.link.queuedBytes() || refusal.link.isBroken() || nowNs - refusal.deadlineNs >= 0)
            {
                refusals.remove(i);
                CloseHelper.quietClose(refusal.link);
                work++;
            }
        }
        return work;
    }

    private void onCreateTopic(final ServerSession session, final CreateTopicDecoder request)
    {
        final long correlationId = request.correlationId();
        final int partitionCount = request.partitions();
        final String name = request.name();
        final String configJson = request.config();
        if (!TOPIC_NAME.matcher(name).matches())
        {
            sendError(session.clientId, correlationId, ErrorCode.GENERIC,
                "'" + name + "' is not a topic name: use 1 to 128 letters, digits, '.', '_' or '-'");
            return;
        }
        if (partitionCount < 1 || partitionCount > MAX_PARTITIONS)
        {
            sendError(session.clientId, correlationId, ErrorCode.LIMIT_EXCEEDED,
                "topic '" + name + "' cannot have " + partitionCount + " partitions: give 1 to " + MAX_PARTITIONS);
            return;
        }

        final ServerTopic existing = topicsByName.get(name);
        if (null != existing)
        {
            sendError(session.clientId, correlationId, ErrorCode.TOPIC_EXISTS,
                "topic '" + name + "' exists already, with " + existing.partitions.length + " partitions; " +
                "open it instead, or pick another name");
            return;
        }

        final TopicConfig config;
        try
        {
            config = TopicConfig.parse(configJson);
        }
        catch (final IllegalArgumentException ex)
        {
            sendError(session.clientId, correlationId, ErrorCode.GENERIC,
                "topic '" + name + "' cannot be created with that config: " + ex.getMessage());
            return;
        }

        final ServerTopic topic;
        try
        {
            topic = createTopic(lastTopicId + 1, name, partitionCount, config, false);
        }
        catch (final FerryException ex)
        {
            sendError(session.clientId, correlationId, ErrorCode.GENERIC, ex.getMessage());
            return;
        }
        sendTopicInfo(session, correlationId, topic);
    }

    /**
     * Create a topic, or recover a durable one, with its partitions' logs.
     *
     * @param recovering true to open the durable topic's existing logs; false for a new topic, whose
     *                   file is written first when durable.
     */
    private ServerTopic createTopic(
        final int topicId, final String name, final int partitionCount, final TopicConfig config, final boolean recovering)
    {
        lastTopicId = Math.max(lastTopicId, topicId); // never given again, even if this creation fails
        final ServerPartition[] topicPartitions = new ServerPartition[partitionCount];
        final ServerTopic topic = new ServerTopic(topicId, name, topicPartitions, config.toJson());
        final Path topicDir = topicsDirectory.resolve(name);
        try
        {
            final boolean newTopicsDirectory = !Files.isDirectory(topicsDirectory);
            Files.createDirectories(topicDir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            if (null != durable && !recovering)
            {
                writeTopicFile(topicDir, topicId, partitionCount, topic.config);
                DurableDirectory.forceDirectory(topicsDirectory);
                if (newTopicsDirectory)
                {
                    DurableDirectory.forceDirectory(durable.path());
                }
            }
        }
        catch (final IOException ex)
        {
            throw new FerryException("cannot create the directory of topic '" + name + "' at " + topicDir + ": " + ex, ex);
        }
        try
        {
            for (int p = 0; p < partitionCount; p++)
            {
                final PartitionLog log = new PartitionLog(
                    new PartitionLog.Context()
                        .directory(topicDir.resolve(Integer.toString(p)))
                        .segmentBytes(context.logSegmentBytes())
                        .maxBytes(context.logMaxBytes())
                        .retainBytes(context.logRetainBytes())
                        .durable(null != durable)
                        .fsyncPolicy(context.fsyncPolicy())
                        .fsyncIntervalNs(context.fsyncInterval().toNanos())
                        .segmentListener(this::onLogSegment)
                        .segmentPreparer(segmentPreparer));
                topicPartitions[p] = new ServerPartition(this, topic, p, log, context.maxQueuedBatchBytes());
            }
        }
        catch (final RuntimeException ex)
        {
            for (final ServerPartition opened : topicPartitions)
            {
                if (null != opened)
                {
                    CloseHelper.quietClose(opened.log);
                }
            }
            throw ex;
        }
        partitions.addAll(List.of(topicPartitions));
        topicsById.put(topicId, topic);
        topicsByName.put(name, topic);
        topics.add(topic);
        LOGGER.info("{} topic '{}' with {} partitions{}", recovering ? "recovered" : "created", name, partitionCount,
            recovering ? ", " + topic.events() + " events" : "");

        return topic;
    }

    /**
     * Write a durable topic's file atomically (a temporary file forced to disk, then renamed), so a
     * crash leaves either no topic or a whole one.
     */
    private static void writeTopicFile(final Path topicDir, final int topicId, final int partitionCount, final String config)
        throws IOException
    {
        final Path file = topicDir.resolve(TOPIC_FILE_NAME);
        final Path temporary = topicDir.resolve(TOPIC_FILE_NAME + ".tmp");
        final Properties properties = new Properties();
        properties.setProperty("id", Integer.toString(topicId));
        properties.setProperty("partitions", Integer.toString(partitionCount));
        properties.setProperty("config", config);
        final StringWriter writer = new StringWriter();
        properties.store(writer, "Ferry topic '" + topicDir.getFileName() + "'");
        final byte[] text = writer.toString().getBytes(StandardCharsets.UTF_8);
        try (FileChannel channel = FileChannel.open(temporary,
            StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE))
        {
            channel.write(ByteBuffer.wrap(text));
            channel.force(true);
        }
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        DurableDirectory.forceDirectory(topicDir);
    }

    /**
     * Recover every durable topic of the data directory, each with the id it had.
     *
     * @throws FerryException naming the topic whose file is unreadable or whose id clashes.
     */
    private void recoverTopics()
    {
        if (!Files.isDirectory(topicsDirectory))
        {
            return;
        }
        final List<Path> topicDirs = new ArrayList<>();
        try (DirectoryStream<Path> children = Files.newDirectoryStream(topicsDirectory))
        {
            children.forEach(topicDirs::add);
        }
        catch (final IOException ex)
        {
            throw new FerryException("cannot list the topics in " + topicsDirectory + ": " + ex, ex);
        }
        topicDirs.sort(null);
        for (final Path topicDir : topicDirs)
        {
            final Path file = topicDir.resolve(TOPIC_FILE_NAME);
            final String name = topicDir.getFileName().toString();
            if (!Files.isRegularFile(file))
            {
                LOGGER.warn("skipping {}: it has no {} (a topic whose creation did not finish); remove it", topicDir,
                    TOPIC_FILE_NAME);
                continue;
            }
            final Properties properties = new Properties();
            final int topicId;
            final int partitionCount;
            final TopicConfig config;
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8))
            {
                properties.load(reader);
                topicId = Integer.parseInt(properties.getProperty("id", ""));
                partitionCount = Integer.parseInt(properties.getProperty("partitions", ""));
                config = TopicConfig.parse(properties.getProperty("config", ""));
            }
            catch (final IOException | IllegalArgumentException ex)
            {
                throw new FerryException("cannot read topic '" + name + "' from " + file + ": " + ex + "; repair " +
                    "the file (id=N, partitions=N, config=JSON) or remove the topic's directory", ex);
            }
            final ServerTopic clash = topicsById.get(topicId);
            if (topicId < 1 || partitionCount < 1 || partitionCount > MAX_PARTITIONS || null != clash)
            {
                throw new FerryException("topic '" + name + "' in " + file + " has id " + topicId + " and " +
                    partitionCount + " partitions" + (null == clash ? "" : ", the id of topic '" + clash.name + "'") +
                    "; repair the file or remove the topic's directory");
            }
            createTopic(topicId, name, partitionCount, config, true);
        }
    }

    private void onLogSegment(final Region region)
    {
        bulk.registerEverywhere(region);
    }

    private void onOpenTopic(final ServerSession session, final OpenTopicDecoder request)
    {
        final long correlationId = request.correlationId();
        final String name = request.name();
        final ServerTopic topic = topicsByName.get(name);
        if (null == topic)
        {
            sendError(session.clientId, correlationId, ErrorCode.UNKNOWN_TOPIC, unknownTopicMessage(name));
            return;
        }
        sendTopicInfo(session, correlationId, topic);
    }

    private String unknownTopicMessage(final String name)
    {
        return "topic '" + name + "' does not exist on the server at " + inbound.address() + " (it has " +
            (topicsById.isEmpty() ? "no topics" : String.join(", ", topicsByName.keySet())) + "); create it with: " +
            "ferry topic create " + name + " --partitions N --server " + context.endpoint();
    }

    private void onListTopics(final ServerSession session, final long correlationId)
    {
        final TopicListEncoder.TopicsEncoder entries = topicListEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .clientId(session.clientId)
            .correlationId(correlationId)
            .topicsCount(topics.size());
        for (final ServerTopic topic : topics)
        {
            entries.next().topicId(topic.topicId).partitions(topic.partitions.length).events(topic.events()).name(topic.name);
        }
        send(session, topicListEncoder.encodedLength());
    }

    private void onRegionAnnouncement(final ServerSession session, final RegionAnnouncementDecoder announcement)
    {
        final long regionId = announcement.regionId();
        final long length = announcement.length();
        final String transport = announcement.transport();
        final byte[] locator = new byte[announcement.locatorLength()];
        announcement.getLocator(locator, 0, locator.length);
        if (!transport.equals(session.bulk.name()))
        {
            sendError(session.clientId, 0, ErrorCode.BULK_TRANSPORT,
                "region " + regionId + " was announced for bulk transport '" + transport + "', but this session " +
                "uses '" + session.bulk.name() + "', chosen at hello; announce regions registered with that one");
            return;
        }
        try
        {
            session.bulk.attach(session.peer, new RegionDescriptor(transport, regionId, length, locator));
        }
        catch (final BulkTransportException ex)
        {
            sendError(session.clientId, 0, ErrorCode.BULK_TRANSPORT, ex.getMessage());
        }
    }

    /**
     * Check a batch and queue it on its partition. A batch the partition has no room for yet is left
     * in the sender's image, and the sender paused until the partition's queue drains: the pressure
     * reaches the producer as Aeron back-pressure, then as its pending-batch limit.
     *
     * @return false if the batch was left, to be delivered again once the sender is resumed.
     */
    private boolean onMetadataBatch(
        final ServerSession session,
        final MetadataBatchDecoder batch,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        final long batchSeq = batch.batchSeq();
        final ServerPartition partition = partitionOrError(session, batchSeq, batch.topicId(), batch.partition());
        if (null == partition)
        {
            return true;
        }

        int count = 0;
        for (final MetadataBatchDecoder.EventsDecoder event : batch.events())
        {
            count++;
            final int metadataLength = event.metadataLength();
            final long dataLength = event.length();
            event.skipMetadata();
            final String problem = metadataLength > context.maxMetadataBytes() ?
                "an event's metadata of " + metadataLength + " bytes exceeds the server's limit of " +
                context.maxMetadataBytes() :
                dataLength < 0 || dataLength > context.maxDataBytes() ?
                "an event's data of " + dataLength + " bytes exceeds the server's limit of " + context.maxDataBytes() :
                null;
            if (null != problem)
            {
                sendError(session.clientId, batchSeq, ErrorCode.LIMIT_EXCEEDED,
                    "batch " + batchSeq + " was refused: " + problem);
                return true;
            }
        }
        if (count > context.maxEventsPerBatch())
        {
            sendError(session.clientId, batchSeq, ErrorCode.LIMIT_EXCEEDED,
                "batch " + batchSeq + " of " + count + " events exceeds the server's limit of " +
                context.maxEventsPerBatch() + " events per batch");
            return true;
        }

        if (partition.enqueue(session.channelSessionId, buffer, offset, length))
        {
            return true;
        }
        if (0 == partition.queuedBytes())
        {
            sendError(session.clientId, batchSeq, ErrorCode.LIMIT_EXCEEDED,
                "batch " + batchSeq + " was refused: its " + length + " bytes exceed what a partition queues (" +
                context.maxQueuedBatchBytes() + " bytes, the server's maxQueuedBatchBytes); send smaller batches " +
                "or raise that limit");
            return true;
        }

        partition.awaitRoom(session.channelSessionId);
        inbound.pause(session.channelSessionId, true);
        pausesForRoom.lazySet(pausesForRoom.get() + 1);
        return false;
    }

    long pausesForRoom()
    {
        return pausesForRoom.get();
    }

    /**
     * Resume a sender paused for room in a partition's queue.
     *
     * @param channelSessionId of the sender.
     */
    void resume(final int channelSessionId)
    {
        inbound.pause(channelSessionId, false);
    }

    private ServerPartition partitionOrError(
        final ServerSession session, final long correlationId, final int topicId, final int partition)
    {
        final ServerTopic topic = topicsById.get(topicId);
        if (null == topic)
        {
            sendError(session.clientId, correlationId, ErrorCode.UNKNOWN_TOPIC,
                "no topic has id " + topicId + " on this server (it was restarted without a durable data directory, " +
                "or the topic is gone); open the topic again");
            return null;
        }

        if (partition < 0 || partition >= topic.partitions.length)
        {
            sendError(session.clientId, correlationId, ErrorCode.UNKNOWN_PARTITION,
                "topic '" + topic.name + "' has no partition " + partition + " (it has " + topic.partitions.length + ")");
            return null;
        }

        return topic.partitions[partition];
    }

    private void onSubscribe(final ServerSession session, final SubscribeDecoder request)
    {
        final long consumerId = request.consumerId();
        final long correlationId = request.correlationId();
        final int topicId = request.topicId();
        final int credit = request.credit();
        final int batchSize = Math.max(1, Math.min(request.batchSize(), MAX_EVENTS_PER_DELIVERY));
        final SubscribeDecoder.PartitionsDecoder partitionsDecoder = request.partitions();
        final int[] wanted = new int[partitionsDecoder.count()];
        final long[] starts = new long[wanted.length];
        int i = 0;
        for (final SubscribeDecoder.PartitionsDecoder p : partitionsDecoder)
        {
            wanted[i] = p.partition();
            starts[i++] = p.startEventId();
        }
        final String consumerName = request.consumerName();

        if (consumerName.isEmpty())
        {
            sendError(session.clientId, correlationId, ErrorCode.GENERIC, "a consumer needs a name");
            return;
        }
        for (int p = 0; p < wanted.length; p++)
        {
            final ServerPartition partition = partitionOrError(session, correlationId, topicId, wanted[p]);
            if (null == partition)
            {
                return;
            }
            final long committedEnd = partition.log.committedEnd();
            if (starts[p] < Subscription.FROM_CURSOR || starts[p] > committedEnd)
            {
                sendError(session.clientId, correlationId, ErrorCode.GENERIC,
                    "consumer '" + consumerName + "' asked for partition " + wanted[p] + " of topic '" +
                    partition.topic.name + "' from event " + starts[p] + ", but it holds events 0 to " +
                    (committedEnd - 1) + (starts[p] > committedEnd ? ": the server lost events the consumer " +
                    "had read (a restart without a durable log, or a power loss with fsync policy none)" : ""));
                return;
            }
            if (starts[p] >= 0 && starts[p] < partition.log.firstEventId())
            {
                sendError(session.clientId, correlationId, ErrorCode.GENERIC,
                    "consumer '" + consumerName + "' asked for partition " + wanted[p] + " of topic '" +
                    partition.topic.name + "' from event " + starts[p] + ", but events before " +
                    partition.log.firstEventId() + " are no longer kept (retention, --retain); start at " +
                    partition.log.firstEventId() + " or later");
                return;
            }
            if (partition.log.reusesSegments() && readElsewhere(consumerName, topicId, wanted[p]))
            {
                sendError(session.clientId, correlationId, ErrorCode.GENERIC,
                    "consumer '" + consumerName + "' already reads partition " + wanted[p] + " of topic '" +
                    partition.topic.name + "' from another client; this server reuses the memory of acknowledged " +
                    "events (--retain), so one client at a time may read a partition under one name: use another " +
                    "name, or close the other consumer first");
                return;
            }
        }

        final ServerTopic topic = topicsById.get(topicId);
        final Subscription subscription =
            new Subscription(session, consumerId, consumerName, topic, wanted, starts, credit, batchSize);
        session.subscriptions.add(subscription);
        sendTopicInfo(session, correlationId, topic);
        LOGGER.info("{} consumes topic '{}' as '{}'", session, topic.name, consumerName);
    }

    private void onCredit(final ServerSession session, final CreditDecoder credit)
    {
        final Subscription subscription = subscription(session, credit.consumerId());
        if (null != subscription)
        {
            final int index = subscription.indexOf(credit.partition());
            if (index >= 0)
            {
                subscription.credits[index] += credit.events();
            }
        }
    }

    private void onAcknowledge(final ServerSession session, final AcknowledgeDecoder acknowledge)
    {
        final Subscription subscription = subscription(session, acknowledge.consumerId());
        if (null == subscription)
        {
            return;
        }

        final int partition = acknowledge.partition();
        final long eventId = acknowledge.eventId();
        final int index = subscription.indexOf(partition);
        if (index < 0)
        {
            sendError(session.clientId, 0, ErrorCode.UNKNOWN_PARTITION,
                "consumer '" + subscription.consumerName + "' does not read partition " + partition);
            return;
        }
        if (eventId >= subscription.nextEventIds[index])
        {
            sendError(session.clientId, 0, ErrorCode.GENERIC,
                "consumer '" + subscription.consumerName + "' acknowledged event " + eventId + " of partition " +
                partition + ", which it was never sent (the next it would be sent is " +
                subscription.nextEventIds[index] + "); acknowledge only events you have pulled");
            return;
        }

        try
        {
            subscription.topic.partitions[partition].log.acknowledge(subscription.consumerName, eventId);
        }
        catch (final IllegalArgumentException ex)
        {
            sendError(session.clientId, 0, ErrorCode.GENERIC, ex.getMessage());
        }
        catch (final RuntimeException ex) // the cursor could not be stored (durable mode: the disk failed)
        {
            LOGGER.error("cannot store the cursor of consumer '{}' in topic '{}' partition {}: {}",
                subscription.consumerName, subscription.topic.name, partition, ex.toString());
            sendError(session.clientId, 0, ErrorCode.GENERIC, "the server could not store the acknowledgement of " +
                "event " + eventId + " of partition " + partition + ": " + ex.getMessage());
        }
    }

    /**
     * @return true if a live subscription of another session reads the partition under this name.
     */
    private boolean readElsewhere(final String consumerName, final int topicId, final int partition)
    {
        for (final ServerSession other : sessionsByClientId.values())
        {
            for (final Subscription subscription : other.subscriptions)
            {
                if (subscription.topic.topicId == topicId && subscription.consumerName.equals(consumerName) &&
                    subscription.indexOf(partition) >= 0)
                {
                    return true;
                }
            }
        }
        return false;
    }

    private static Subscription subscription(final ServerSession session, final long consumerId)
    {
        for (final Subscription subscription : session.subscriptions)
        {
            if (subscription.consumerId == consumerId)
            {
                return subscription;
            }
        }
        return null;
    }

    private int deliver()
    {
        int work = 0;
        for (final ServerSession session : sessionsByClientId.values())
        {
            for (final Subscription subscription : session.subscriptions)
            {
                for (int i = 0; i < subscription.partitions.length; i++)
                {
                    while (subscription.credits[i] > 0 && session.link.queuedBytes() < DELIVERY_QUEUE_LIMIT)
                    {
                        final int sent = deliverBatch(subscription, i);
                        if (0 == sent)
                        {
                            break;
                        }
                        work += sent;
                    }
                }
            }
        }
        return work;
    }

    private int deliverBatch(final Subscription subscription, final int index)
    {
        final ServerSession session = subscription.session;
        final int partition = subscription.partitions[index];
        final PartitionLog log = subscription.topic.partitions[partition].log;
        final long first = subscription.nextEventIds[index];
        final long available = log.committedEnd() - first;
        if (available <= 0)
        {
            return 0;
        }

        final int maxMessage = session.link.maxMessageLength() - MessageHeaderEncoder.ENCODED_LENGTH -
            EventBatchEncoder.BLOCK_LENGTH - 4;
        int count = 0;
        int bytes = 0;
        final int limit = (int)Math.min(Math.min(available, subscription.credits[index]), subscription.batchSize);
        while (count < limit)
        {
            log.read(first + count, entry);
            final int entryBytes = EventBatchEncoder.EventsEncoder.sbeBlockLength() + 4 + entry.metadataLength();
            if (count > 0 && bytes + entryBytes > maxMessage)
            {
                break;
            }
            announce(session, entry.region());
            bytes += entryBytes;
            count++;
        }

        final EventBatchEncoder.EventsEncoder events = eventBatchEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .consumerId(subscription.consumerId)
            .topicId(subscription.topic.topicId)
            .partition(partition)
            .eventsCount(count);
        for (int n = 0; n < count; n++)
        {
            log.read(first + n, entry);
            events.next()
                .eventId(entry.eventId())
                .regionId(null == entry.region() ? 0 : entry.region().regionId())
                .offset(entry.dataOffset())
                .length(entry.dataLength())
                .putMetadata(entry.metadataBuffer(), entry.metadataOffset(), entry.metadataLength());
        }
        send(session, eventBatchEncoder.encodedLength());
        subscription.nextEventIds[index] = first + count;
        subscription.credits[index] -= count;

        return count;
    }

    private void announce(final ServerSession session, final Region region)
    {
        if (null == region || !session.announcedRegions.add(region.regionId()))
        {
            return;
        }

        final RegionDescriptor descriptor = session.bulk.register(region); // registered when created: a lookup
        final byte[] locator = descriptor.locator();
        regionEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .senderId(serverId)
            .regionId(descriptor.regionId())
            .length(descriptor.length())
            .transport(descriptor.transport())
            .putLocator(locator, 0, locator.length);
        send(session, regionEncoder.encodedLength());
    }

    void sendBatchAck(
        final long clientId,
        final long producerId,
        final long batchSeq,
        final int topicId,
        final int partition,
        final long firstEventId,
        final int count)
    {
        final ServerSession session = sessionsByClientId.get(clientId);
        if (null == session)
        {
            return;
        }

        batchAckEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .producerId(producerId)
            .batchSeq(batchSeq)
            .topicId(topicId)
            .partition(partition)
            .firstEventId(firstEventId)
            .count(count);
        send(session, batchAckEncoder.encodedLength());
    }

    void sendError(final long clientId, final long correlationId, final ErrorCode code, final String message)
    {
        final ServerSession session = sessionsByClientId.get(clientId);
        if (null == session)
        {
            return;
        }

        errorEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .clientId(clientId)
            .correlationId(correlationId)
            .code(code)
            .message(message);
        send(session, errorEncoder.encodedLength());
    }

    private void sendTopicInfo(final ServerSession session, final long correlationId, final ServerTopic topic)
    {
        topicInfoEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .clientId(session.clientId)
            .correlationId(correlationId)
            .topicId(topic.topicId)
            .partitions(topic.partitions.length)
            .name(topic.name)
            .config(topic.config);
        send(session, topicInfoEncoder.encodedLength());
    }

    private void send(final ServerSession session, final int messageLength)
    {
        if (session.closed)
        {
            return;
        }

        try
        {
            session.link.send(sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + messageLength);
        }
        catch (final FerryException ex)
        {
            LOGGER.warn("closing the session of {}: {}", session, ex.getMessage());
            closeSession(session);
        }
    }

    private void closeSession(final ServerSession session)
    {
        if (!session.closed)
        {
            session.closed = true;
            closing.add(session);
        }
    }

    private int closeSessions()
    {
        if (closing.isEmpty())
        {
            return 0;
        }

        final int count = closing.size();
        for (final ServerSession session : closing)
        {
            sessionsByChannel.remove(session.channelSessionId);
            sessionsByClientId.remove(session.clientId);
            inbound.pause(session.channelSessionId, false); // forget a pause for room; it is gone
            session.bulk.detach(session.peer);
            CloseHelper.quietClose(session.link);
        }
        closing.clear();

        return count;
    }

    /**
     * A refused hello's link, kept until its Error frame is out.
     */
    private record Refusal(PeerLink link, long deadlineNs)
    {
    }
}
