package dev.ferry.client;

import dev.ferry.FerryException;
import dev.ferry.agent.IoAgentThreads;
import dev.ferry.buffer.BufferPool;
import dev.ferry.buffer.Segment;
import dev.ferry.bulk.BulkTransport;
import dev.ferry.bulk.BulkTransportException;
import dev.ferry.bulk.BulkTransportSet;
import dev.ferry.bulk.DataDescriptor;
import dev.ferry.bulk.InPlaceAccess;
import dev.ferry.bulk.PeerInfo;
import dev.ferry.bulk.PullHandler;
import dev.ferry.bulk.Region;
import dev.ferry.bulk.RegionDescriptor;
import dev.ferry.channel.ConnectionListener;
import dev.ferry.channel.Inbound;
import dev.ferry.channel.MessageHandler;
import dev.ferry.channel.MessageTransport;
import dev.ferry.engine.PeerLink;
import dev.ferry.event.DataView;
import dev.ferry.event.Event;
import dev.ferry.event.Metadata;
import dev.ferry.protocol.InboundFrame;
import dev.ferry.protocol.MalformedFrameException;
import dev.ferry.protocol.codecs.AcknowledgeEncoder;
import dev.ferry.protocol.codecs.BatchAckDecoder;
import dev.ferry.protocol.codecs.CreateTopicEncoder;
import dev.ferry.protocol.codecs.CreditEncoder;
import dev.ferry.protocol.codecs.ErrorDecoder;
import dev.ferry.protocol.codecs.EventBatchDecoder;
import dev.ferry.protocol.codecs.GoodbyeDecoder;
import dev.ferry.protocol.codecs.GoodbyeEncoder;
import dev.ferry.protocol.codecs.HelloEncoder;
import dev.ferry.protocol.codecs.HelloReplyDecoder;
import dev.ferry.protocol.codecs.ListTopicsEncoder;
import dev.ferry.protocol.codecs.MessageHeaderEncoder;
import dev.ferry.protocol.codecs.MetadataBatchEncoder;
import dev.ferry.protocol.codecs.OpenTopicEncoder;
import dev.ferry.protocol.codecs.RegionAnnouncementDecoder;
import dev.ferry.protocol.codecs.RegionAnnouncementEncoder;
import dev.ferry.protocol.codecs.SubscribeEncoder;
import dev.ferry.protocol.codecs.TopicInfoDecoder;
import dev.ferry.protocol.codecs.TopicListDecoder;
import dev.ferry.shm.HostIdentity;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongHashSet;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A client's I/O agent: owns the channels to and from the server, the bulk transports, and the state
 * of every producer and consumer of the client, so none of it needs a lock. Application threads
 * reach it through a command queue; results come back as futures.
 * <p>
 * The bulk transport of the session is chosen when the server's hello reply arrives, by the rule
 * the server applied too ({@link BulkTransportSet#choose}); every region this client announces or
 * pulls into is registered with it first (idempotent, so a lookup after the first time).
 * <p>
 * A consumer's pull of an event's data that fails is tried again, after a backoff, up to
 * {@value #PULL_ATTEMPTS} attempts in all: the data is still in the server's log, and a link that went
 * down (an RDMA queue-pair error, a handshake past its deadline) is reconnected by the transport on the
 * next pull. Only then does the failure reach the application, as the outcome of its next
 * {@code pull()}, in the event's place: it is never dropped unseen for want of a waiting pull.
 * <p>
 * <b>Sessions outlive connections.</b> When the server's reply stream goes (its process died, the
 * network was cut) or the link to it fails, the session turns {@link Health#HUNGRY}: the link is
 * dropped and a new one tried, each attempt a fresh stream carrying one hello with the next
 * connection id, which the server echoes so that a late answer to an abandoned attempt is not taken
 * for the current one. Attempts follow each other after an exponential backoff with jitter
 * ({@value #RECONNECT_BACKOFF_MIN_MS} ms doubling up to {@value #RECONNECT_BACKOFF_MAX_MS} ms, each
 * wait drawn from its upper half), forever or until the context's give-up deadline. On an answer the
 * session is {@link Health#HAPPY} again and restores its state on the server, which holds nothing of
 * the old connection: regions are announced again, every unacknowledged batch is sent again with
 * its (producer id, batch sequence), which the server stores once however often it comes, consumers
 * subscribe again from the event after the last one they took in (with credit for what they still
 * hold) and repeat their last acknowledgement, and requests made while hungry are sent. Requests
 * whose answer was lost with the connection fail with a message that says they may have been done.
 * While hungry nothing is sent: state that changes meanwhile (acknowledgements, credit) is sent whole
 * on restore.
 * <p>
 * Duty cycle: the control-plane transport's work, commands, replies from the server, pulls,
 * reconnecting, sending producers' batches, consumers' pulls and deliveries, and flushing the link to
 * the server.
 */
final class ClientConductor implements Agent, ConnectionListener, PullHandler
{
    private static final Logger LOGGER = LoggerFactory.getLogger(ClientConductor.class);
    private static final int COMMAND_QUEUE_CAPACITY = 64 * 1024;
    private static final int LINK_QUEUE_BYTES = 64 << 20;
    private static final long GOODBYE_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);

    /**
     * Shortest wait between reconnection attempts.
     */
    static final long RECONNECT_BACKOFF_MIN_MS = 100;

    /**
     * Longest wait between reconnection attempts.
     */
    static final long RECONNECT_BACKOFF_MAX_MS = 5_000;

    /**
     * How long one reconnection attempt waits for the server's answer before it is abandoned.
     */
    static final long RECONNECT_ATTEMPT_TIMEOUT_MS = 5_000;

    /**
     * Attempts at pulling one event's data before its failure goes to the application.
     */
    static final int PULL_ATTEMPTS = 4;

    /**
     * Wait before the second attempt at a pull; it doubles before each further one.
     */
    static final long PULL_RETRY_BACKOFF_NS = TimeUnit.MILLISECONDS.toNanos(250);

    /**
     * Work for the agent, from an application thread.
     */
    @FunctionalInterface
    interface Command
    {
        void execute(ClientConductor conductor);
    }

    /**
     * A request whose reply is matched by correlation id.
     */
    @FunctionalInterface
    interface Request
    {
        void send(ClientConductor conductor, long correlationId);
    }

    /**
     * Subscribe's start position that means the consumer's cursor: its first unacknowledged event.
     */
    static final long FROM_CURSOR = -1;

    /**
     * A request made while hungry, sent once the session is happy again.
     */
    private record ParkedRequest(long correlationId, Request request)
    {
    }

    /**
     * A topic as the server described it.
     */
    record TopicInfo(String name, int topicId, int partitions, String config)
    {
    }

    private final Ferry.Context context;
    private final MessageTransport messages;
    private final BulkTransportSet transports;
    private final BufferPool pool;
    private final long clientId;
    private final Inbound replies;
    private PeerLink server;
    private final ManyToOneConcurrentArrayQueue<Command> commands =
        new ManyToOneConcurrentArrayQueue<>(COMMAND_QUEUE_CAPACITY);
    private final java.util.function.Consumer<Command> commandHandler = (command) -> command.execute(this);
    private final AtomicLong ids = new AtomicLong();
    private final CompletableFuture<PeerInfo> connected = new CompletableFuture<>();
    private final InboundFrame frame = new InboundFrame();
    private final MessageHandler messageHandler = this::onMessage;
    private final ExpandableDirectByteBuffer sendBuffer = new ExpandableDirectByteBuffer(64 * 1024);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final HelloEncoder helloEncoder = new HelloEncoder();
    private final GoodbyeEncoder goodbyeEncoder = new GoodbyeEncoder();
    private final CreateTopicEncoder createTopicEncoder = new CreateTopicEncoder();
    private final OpenTopicEncoder openTopicEncoder = new OpenTopicEncoder();
    private final ListTopicsEncoder listTopicsEncoder = new ListTopicsEncoder();
    private final RegionAnnouncementEncoder regionAnnouncementEncoder = new RegionAnnouncementEncoder();
    private final MetadataBatchEncoder metadataBatchEncoder = new MetadataBatchEncoder();
    private final SubscribeEncoder subscribeEncoder = new SubscribeEncoder();
    private final CreditEncoder creditEncoder = new CreditEncoder();
    private final AcknowledgeEncoder acknowledgeEncoder = new AcknowledgeEncoder();
    private final Long2ObjectHashMap<CompletableFuture<Object>> requests = new Long2ObjectHashMap<>();
    private final Long2ObjectHashMap<ProducerState> producers = new Long2ObjectHashMap<>();
    private final Long2ObjectHashMap<Batch> batches = new Long2ObjectHashMap<>();
    private final Long2ObjectHashMap<ConsumerState> consumers = new Long2ObjectHashMap<>();
    private final Long2ObjectHashMap<Incoming> pulls = new Long2ObjectHashMap<>();
    private final Long2ObjectHashMap<ConsumerState> resubscriptions = new Long2ObjectHashMap<>();
    private final ArrayList<ParkedRequest> parkedRequests = new ArrayList<>();
    private final AtomicLong reconnects = new AtomicLong();
    private final LongHashSet announcedRegions = new LongHashSet();
    private final Long2ObjectHashMap<RegionDescriptor> registeredRegions = new Long2ObjectHashMap<>();
    private PeerInfo serverPeer;
    private BulkTransport bulk;
    private FerryException lost;
    private volatile Health health = Health.CONNECTING;
    private long connectionId;
    private long storageId;
    private int serverReplySessionId;
    private long hungrySinceNs;
    private int reconnectAttempts;
    private long nextAttemptNs;
    private long attemptDeadlineNs;
    private boolean goodbyeReceived;

    ClientConductor(
        final Ferry.Context context,
        final MessageTransport messages,
        final BulkTransportSet transports,
        final BufferPool pool,
        final long clientId)
    {
        this.context = context;
        this.messages = messages;
        this.transports = transports;
        this.pool = pool;
        this.clientId = clientId;
        this.replies = messages.listenForReplies(context.replyHost(), this);
        openConnection();
    }

    /**
     * Open a new link to the server and say hello on it, with the next connection id.
     */
    private void openConnection()
    {
        server = new PeerLink(messages.connect(context.server()), LINK_QUEUE_BYTES);
        final HelloEncoder hello = helloEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .clientId(clientId)
            .pid(ProcessHandle.current().pid())
            .replyStreamId(0)
            .connectionId(++connectionId)
            .clientName(context.name())
            .bootId(HostIdentity.bootId())
            .replyChannel(replies.address())
            .bulkTransports(transports.advertisement());
        hello.putSecret(new byte[0], 0, 0);
        server.send(sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + hello.encodedLength());
    }

    public String roleName()
    {
        return "ferry-client-" + context.name();
    }

    public void onStart()
    {
        IoAgentThreads.markCurrentThread(roleName());
    }

    public int doWork()
    {
        int work = messages.doWork();
        work += commands.drain(commandHandler, 1024);
        work += replies.poll(messageHandler, 64);
        work += transports.doWork();
        if (Health.HUNGRY == health)
        {
            work += reconnect();
        }
        else if (Health.HAPPY == health)
        {
            for (final ProducerState producer : producers.values())
            {
                work += producer.sendBatches();
            }
        }
        for (final ConsumerState consumer : consumers.values())
        {
            work += consumer.progress();
        }
        if (null != server)
        {
            work += server.flush();
            if (Health.HAPPY == health && server.isBroken())
            {
                connectionLost("the link to the Ferry server at " + context.server() + " was closed under it");
            }
        }

        return work;
    }

    /**
     * While hungry: abandon an attempt that got no answer in time, start the next when its backoff is
     * over, or give up when the context's deadline has passed.
     */
    private int reconnect()
    {
        final long nowNs = System.nanoTime();
        final long giveUpNs = context.reconnectTimeout().toNanos();
        if (giveUpNs > 0 && nowNs - hungrySinceNs > giveUpNs)
        {
            lost = new FerryException(
                "could not reconnect to the Ferry server at " + context.server() + " within " +
                context.reconnectTimeout().toMillis() + " ms (the client's reconnectTimeout); events not yet " +
                "acknowledged may or may not have been stored");
            LOGGER.warn(lost.getMessage());
            failEverything(lost);
            return 1;
        }

        if (null != server)
        {
            if (nowNs - attemptDeadlineNs < 0)
            {
                return 0;
            }
            CloseHelper.quietClose(server);
            server = null;
            final long backoffMs = Math.min(
                RECONNECT_BACKOFF_MAX_MS, RECONNECT_BACKOFF_MIN_MS << Math.min(reconnectAttempts, 16));
            final long waitMs = backoffMs / 2 + ThreadLocalRandom.current().nextLong(backoffMs / 2 + 1);
            nextAttemptNs = nowNs + TimeUnit.MILLISECONDS.toNanos(waitMs);
            reconnectAttempts++;
            LOGGER.info("no answer from the Ferry server at {} (attempt {}); trying again in {} ms",
                context.server(), reconnectAttempts, waitMs);
            return 1;
        }

        if (nowNs - nextAttemptNs < 0)
        {
            return 0;
        }
        try
        {
            openConnection();
        }
        catch (final FerryException ex)
        {
            LOGGER.warn("cannot open a link to the Ferry server at {}: {}", context.server(), ex.getMessage());
            nextAttemptNs = nowNs + TimeUnit.MILLISECONDS.toNanos(RECONNECT_BACKOFF_MAX_MS);
            return 1;
        }
        attemptDeadlineNs = nowNs + TimeUnit.MILLISECONDS.toNanos(RECONNECT_ATTEMPT_TIMEOUT_MS);
        return 1;
    }

    /**
     * The connection to the server is gone while the session was happy: drop what it carried and
     * start reconnecting.
     */
    private void connectionLost(final String reason)
    {
        LOGGER.warn("{}; reconnecting", reason);
        changeHealth(Health.HUNGRY, reason);
        hungrySinceNs = System.nanoTime();
        reconnectAttempts = 0;
        nextAttemptNs = hungrySinceNs;
        CloseHelper.quietClose(server);
        server = null;

        final FerryException unanswered = new FerryException(
            "the connection to the Ferry server at " + context.server() + " was lost before it answered; the " +
            "request may or may not have been carried out: check, then try again");
        for (final CompletableFuture<Object> request : requests.values())
        {
            request.completeExceptionally(unanswered);
        }
        requests.clear();
        resubscriptions.clear();
        for (final ProducerState producer : producers.values())
        {
            producer.producer.connectionLost();
        }
        for (final ConsumerState consumer : consumers.values())
        {
            consumer.connectionLost();
        }
    }

    /**
     * The server answered a reconnection: the session is happy again; restore on the server what the
     * old connection held.
     */
    private void connectionRestored(final PeerInfo peer, final BulkTransport chosen)
    {
        if (null != serverPeer)
        {
            bulk.detach(serverPeer);
        }
        if (chosen != bulk)
        {
            registeredRegions.clear();
        }
        announcedRegions.clear();
        serverPeer = peer;
        bulk = chosen;
        reconnects.incrementAndGet();
        final String reason = "reconnected to the Ferry server at " + context.server() + " after " +
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - hungrySinceNs) + " ms";
        LOGGER.info("{}; sending {} unacknowledged batches again, resuming {} consumers", reason, batches.size(),
            consumers.size());
        changeHealth(Health.HAPPY, reason);

        for (final ConsumerState consumer : consumers.values())
        {
            consumer.resubscribe();
        }
        final ArrayList<Batch> unacknowledged = new ArrayList<>(batches.values());
        unacknowledged.sort((a, b) -> Long.compare(a.batchSeq, b.batchSeq));
        for (final Batch batch : unacknowledged)
        {
            batch.producer.sendBatch(batch);
        }
        if (Health.HAPPY != health)
        {
            return; // lost again while restoring: the next connection restores it all again
        }
        for (final ProducerState producer : producers.values())
        {
            producer.producer.connectionRestored();
        }
        for (final ParkedRequest parked : parkedRequests)
        {
            final CompletableFuture<Object> future = requests.get(parked.correlationId);
            if (null == future || future.isDone())
            {
                requests.remove(parked.correlationId); // its caller gave up waiting
            }
            else
            {
                parked.request.send(this, parked.correlationId);
            }
        }
        parkedRequests.clear();
    }

    long reconnects()
    {
        return reconnects.get();
    }

    /**
     * @return bytes the session's bulk transport has pulled; 0 before a session. On the agent thread only.
     */
    long bytesPulled()
    {
        return null == bulk ? 0 : bulk.bytesPulled();
    }

    public void onClose()
    {
        // Work handed over before close still counts, acknowledgements above all: a consumer of the
        // same name resumes after the last acknowledgement the server received. So the agent says
        // goodbye and waits, bounded, for the server's goodbye, which it sends only after handling
        // everything before it on the stream; only then may the media driver go.
        commands.drain(commandHandler);
        if (Health.HAPPY == health)
        {
            for (final ConsumerState consumer : consumers.values())
            {
                consumer.sendAcknowledgements();
            }
            sayGoodbye();
        }
        failEverything(new FerryException("the Ferry client '" + context.name() + "' was closed"));
        CloseHelper.quietCloseAll(server, replies, transports, messages);
        IoAgentThreads.clearCurrentThread();
    }

    private void sayGoodbye()
    {
        final GoodbyeEncoder goodbye = goodbyeEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder).clientId(clientId);
        send(goodbye.encodedLength());

        final long deadlineNs = System.nanoTime() + GOODBYE_TIMEOUT_NS;
        while (!goodbyeReceived && Health.HAPPY == health && System.nanoTime() - deadlineNs < 0)
        {
            int work = messages.doWork();
            if (Health.HAPPY != health)
            {
                break; // the connection went meanwhile
            }
            work += server.flush() + replies.poll(messageHandler, 64);
            if (0 == work)
            {
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
            }
        }
        if (!goodbyeReceived)
        {
            LOGGER.warn("the Ferry server at {} did not answer goodbye within {} ms; acknowledgements sent just " +
                "before closing may not have reached it", context.server(), TimeUnit.NANOSECONDS.toMillis(GOODBYE_TIMEOUT_NS));
        }
    }

    /**
     * @return a process-wide unique id for correlation and producer and consumer ids.
     */
    long nextId()
    {
        return ids.incrementAndGet();
    }

    CompletableFuture<PeerInfo> connected()
    {
        return connected;
    }

    /**
     * Hand work to the agent. Waits briefly if its queue is full.
     */
    void command(final Command command)
    {
        final long deadlineNs = System.nanoTime() + context.requestTimeout().toNanos();
        while (!commands.offer(command))
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new FerryException(
                    "the I/O agent of Ferry client '" + context.name() + "' took no work for " +
                    context.requestTimeout().toMillis() + " ms; it is stuck or was closed");
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50));
        }
    }

    CompletableFuture<Object> request(final Request request)
    {
        final CompletableFuture<Object> future = new CompletableFuture<>();
        final long correlationId = nextId();
        command((c) ->
        {
            if (null != c.lost)
            {
                future.completeExceptionally(c.lost);
                return;
            }
            c.requests.put(correlationId, future);
            if (Health.HUNGRY == c.health)
            {
                c.parkedRequests.add(new ParkedRequest(correlationId, request));
            }
            else
            {
                request.send(c, correlationId);
            }
        });
        return future;
    }

    void createTopic(final String name, final int partitions, final String config, final long correlationId)
    {
        final CreateTopicEncoder encoder = createTopicEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .clientId(clientId).correlationId(correlationId).partitions(partitions).name(name).config(config);
        send(encoder.encodedLength());
    }

    void openTopic(final String name, final long correlationId)
    {
        final OpenTopicEncoder encoder = openTopicEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .clientId(clientId).correlationId(correlationId).name(name);
        send(encoder.encodedLength());
    }

    void listTopics(final long correlationId)
    {
        final ListTopicsEncoder encoder = listTopicsEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .clientId(clientId).correlationId(correlationId);
        send(encoder.encodedLength());
    }

    void addProducer(final Producer producer)
    {
        producers.put(producer.producerId(), new ProducerState(producer));
        if (null != lost)
        {
            producer.connectionLost();
        }
    }

    void removeProducer(final Producer producer)
    {
        producers.remove(producer.producerId());
    }

    void push(final PendingEvent event)
    {
        final ProducerState producer = producers.get(event.producer.producerId());
        if (null != lost || null == producer)
        {
            fail(event, null != lost ? lost : new FerryException("the producer is closed"));
            return;
        }
        producer.accumulating[event.partition].addLast(event);
    }

    void flush(final Producer producer)
    {
        final ProducerState state = producers.get(producer.producerId());
        if (null != state)
        {
            state.flushRequested = true;
        }
    }

    void subscribe(final Consumer consumer, final long correlationId)
    {
        final ConsumerState state = new ConsumerState(consumer);
        consumers.put(consumer.consumerId(), state);
        state.sendSubscribe(correlationId, consumer.options().prefetch());
    }

    void pull(final Consumer consumer, final CompletableFuture<Event> future)
    {
        final ConsumerState state = consumers.get(consumer.consumerId());
        if (null != lost || null == state)
        {
            consumer.ready().waiters().decrementAndGet();
            future.completeExceptionally(null != lost ? lost : new IllegalStateException("the consumer is closed"));
            return;
        }
        state.waiting.addLast(future);
        state.deliver();
    }

    void removeConsumer(final Consumer consumer)
    {
        final ConsumerState state = consumers.remove(consumer.consumerId());
        if (null != state)
        {
            state.takeAcknowledgements();
            state.sendAcknowledgements();
            state.close(new IllegalStateException("consumer '" + consumer.name() + "' was closed"));
        }
    }

    public void onConnected(final int sessionId, final String sourceAddress)
    {
        LOGGER.debug("server stream {} connected from {}", sessionId, sourceAddress);
    }

    public void onDisconnected(final int sessionId)
    {
        if (Health.HAPPY == health && sessionId == serverReplySessionId)
        {
            connectionLost("lost the connection to the Ferry server at " + context.server());
        }
    }

    public void onPullComplete(final long correlationId)
    {
        final Incoming incoming = pulls.remove(correlationId);
        if (null != incoming)
        {
            pullEnded(incoming);
        }
    }

    public void onPullFailed(final long correlationId, final BulkTransportException cause)
    {
        final Incoming incoming = pulls.remove(correlationId);
        if (null != incoming)
        {
            if (null == incoming.pullError)
            {
                incoming.pullError = cause;
            }
            pullEnded(incoming);
        }
    }

    /**
     * One pull of an event's ranges ended: when it was the last, the event is pulled, or failed if any of
     * them failed.
     */
    private static void pullEnded(final Incoming incoming)
    {
        if (--incoming.pullsPending > 0)
        {
            return;
        }
        incoming.pulling = false;
        final BulkTransportException cause = incoming.pullError;
        incoming.pullError = null;
        if (incoming.abandoned)
        {
            incoming.data.release();
        }
        else if (null != cause)
        {
            pullFailed(incoming, cause);
        }
        else
        {
            incoming.pulled = true;
        }
    }

    private static void pullFailed(final Incoming event, final BulkTransportException cause)
    {
        if (++event.attempts < PULL_ATTEMPTS)
        {
            final long backoffNs = PULL_RETRY_BACKOFF_NS << (event.attempts - 1);
            event.retryAtNs = System.nanoTime() + backoffNs;
            LOGGER.warn(
                "pulling the data of event {} of partition {} failed (attempt {} of {}); trying again in {} ms: {}",
                event.eventId, event.partition, event.attempts, PULL_ATTEMPTS,
                TimeUnit.NANOSECONDS.toMillis(backoffNs), cause.getMessage());
        }
        else
        {
            event.failure = new BulkTransportException(
                "could not read event " + event.eventId + " of partition " + event.partition + " in " + PULL_ATTEMPTS +
                " attempts: " + cause.getMessage(), cause);
        }
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
            LOGGER.warn("ignoring a bad frame from the server: {}", ex.getMessage());
            return true;
        }

        switch (templateId)
        {
            case HelloReplyDecoder.TEMPLATE_ID:
                onHelloReply(frame.helloReply(), sessionId);
                break;
            case ErrorDecoder.TEMPLATE_ID:
                onError(frame.error(), sessionId);
                break;
            case TopicInfoDecoder.TEMPLATE_ID:
                onTopicInfo(frame.topicInfo());
                break;
            case TopicListDecoder.TEMPLATE_ID:
                onTopicList(frame.topicList());
                break;
            case RegionAnnouncementDecoder.TEMPLATE_ID:
                if (sessionId == serverReplySessionId) // an earlier server's region ids mean other files
                {
                    onRegionAnnouncement(frame.regionAnnouncement());
                }
                break;
            case BatchAckDecoder.TEMPLATE_ID:
                onBatchAck(frame.batchAck());
                break;
            case EventBatchDecoder.TEMPLATE_ID:
                onEventBatch(frame.eventBatch(), sessionId);
                break;
            case GoodbyeDecoder.TEMPLATE_ID:
                goodbyeReceived = true;
                break;
            default:
                LOGGER.debug("ignoring message {} from the server", templateId);
        }
        return true; // a client takes everything: what it cannot act on yet, it queues
    }

    private void onHelloReply(final HelloReplyDecoder reply, final int sessionId)
    {
        final long serverId = reply.serverId();
        final long pid = reply.pid();
        final long repliedConnectionId = reply.connectionId();
        final long repliedStorageId = reply.storageId();
        final String bootId = reply.bootId();
        final String serverTransports = reply.bulkTransports();
        if (repliedConnectionId != connectionId || null == server ||
            (Health.CONNECTING != health && Health.HUNGRY != health))
        {
            return; // the answer to an abandoned attempt, or a repeat
        }

        final PeerInfo peer = new PeerInfo(serverId, bootId, pid);
        final BulkTransport chosen;
        try
        {
            chosen = transports.choose(peer, "server at " + context.server(), serverTransports);
        }
        catch (final BulkTransportException ex)
        {
            if (connected.isDone())
            {
                lost = new FerryException("reconnected to a Ferry server that cannot serve this client: " + ex.getMessage(), ex);
                failEverything(lost);
            }
            else
            {
                connected.completeExceptionally(ex);
            }
            return;
        }
        serverReplySessionId = sessionId;
        if (connected.isDone())
        {
            if (repliedStorageId != storageId)
            {
                lost = new FerryException(
                    "reconnected to the Ferry server at " + context.server() + ", but it no longer holds this client's " +
                    "topics (it was restarted in memory mode, or on another data directory): events pushed and not " +
                    "acknowledged are not stored, and topic ids may name other topics now; connect a new client and " +
                    "open the topics again");
                LOGGER.error(lost.getMessage());
                failEverything(lost);
                return;
            }
            connectionRestored(peer, chosen);
            return;
        }
        storageId = repliedStorageId;
        bulk = chosen;
        serverPeer = peer;
        LOGGER.info("session with the Ferry server at {} (pid {}) uses bulk transport {} (server has [{}], " +
            "client has [{}])", context.server(), pid, bulk.name(), serverTransports, transports.advertisement());
        changeHealth(Health.HAPPY, "the Ferry server at " + context.server() + " answered");
        connected.complete(serverPeer);
    }

    private void onError(final ErrorDecoder error, final int sessionId)
    {
        final long correlationId = error.correlationId();
        final String message = error.message();
        if (!connected.isDone())
        {
            connected.completeExceptionally(new FerryException(message)); // the server refused the hello
            return;
        }
        if (Health.HUNGRY == health && correlationId == connectionId && sessionId != serverReplySessionId)
        {
            // the server's answer to this attempt's hello, on the new connection's reply stream: a refusal
            lost = new FerryException("the Ferry server at " + context.server() + " refused to reconnect: " + message);
            LOGGER.error(lost.getMessage());
            failEverything(lost);
            return;
        }
        if (sessionId != serverReplySessionId)
        {
            LOGGER.debug("ignoring an error from an earlier connection to the server: {}", message);
            return; // what it was about was sent again on this connection
        }

        final CompletableFuture<Object> request = requests.remove(correlationId);
        if (null != request)
        {
            request.completeExceptionally(new FerryException(message));
            return;
        }

        final ConsumerState resubscribed = resubscriptions.remove(correlationId);
        if (null != resubscribed)
        {
            LOGGER.error("consumer '{}' could not resume after the reconnection: {}", resubscribed.consumer.name(), message);
            consumers.remove(resubscribed.consumer.consumerId());
            resubscribed.close(new FerryException(
                "consumer '" + resubscribed.consumer.name() + "' could not resume after a reconnection: " + message));
            return;
        }

        final Batch batch = batches.remove(correlationId);
        if (null != batch)
        {
            batch.fail(new FerryException(message));
            return;
        }

        LOGGER.warn("the server reported: {}", message);
    }

    private void onTopicInfo(final TopicInfoDecoder info)
    {
        final long correlationId = info.correlationId();
        final int topicId = info.topicId();
        final int partitions = info.partitions();
        final String name = info.name();
        final String config = info.config();
        final CompletableFuture<Object> request = requests.remove(correlationId);
        if (null != request)
        {
            request.complete(new TopicInfo(name, topicId, partitions, config));
        }
        resubscriptions.remove(correlationId);
    }

    private void onTopicList(final TopicListDecoder list)
    {
        final long correlationId = list.correlationId();
        final List<TopicDescription> topics = new ArrayList<>();
        for (final TopicListDecoder.TopicsDecoder topic : list.topics())
        {
            final int partitions = topic.partitions();
            final long events = topic.events();
            topics.add(new TopicDescription(topic.name(), partitions, events));
        }
        final CompletableFuture<Object> request = requests.remove(correlationId);
        if (null != request)
        {
            request.complete(topics);
        }
    }

    private void onRegionAnnouncement(final RegionAnnouncementDecoder announcement)
    {
        final long regionId = announcement.regionId();
        final long length = announcement.length();
        final String transport = announcement.transport();
        final byte[] locator = new byte[announcement.locatorLength()];
        announcement.getLocator(locator, 0, locator.length);
        if (null == bulk || !transport.equals(bulk.name()))
        {
            LOGGER.error("the server announced region {} for bulk transport '{}', but this session uses '{}'; " +
                "events in it cannot be read", regionId, transport, null == bulk ? "none yet" : bulk.name());
            return;
        }
        try
        {
            bulk.attach(serverPeer, new RegionDescriptor(transport, regionId, length, locator));
        }
        catch (final BulkTransportException ex)
        {
            LOGGER.error("cannot read the server's region {}: {}", regionId, ex.getMessage());
        }
    }

    private void onBatchAck(final BatchAckDecoder ack)
    {
        final Batch batch = batches.remove(ack.batchSeq());
        if (null != batch)
        {
            batch.complete(ack.firstEventId(), ack.count());
        }
    }

    private void onEventBatch(final EventBatchDecoder batch, final int sessionId)
    {
        final ConsumerState state = consumers.get(batch.consumerId());
        if (null == state || Health.HAPPY != health || sessionId != serverReplySessionId)
        {
            return; // events of an earlier connection: the consumer resumes after the last one it took in
        }

        final int index = state.indexOf(batch.partition());
        if (index < 0)
        {
            return;
        }
        state.consumer.onBatchReceived();
        for (final EventBatchDecoder.EventsDecoder event : batch.events())
        {
            final Incoming incoming = new Incoming(
                batch.partition(), event.eventId(), event.regionId(), event.offset(), event.length());
            incoming.metadata = new byte[event.metadataLength()];
            event.getMetadata(incoming.metadata, 0, incoming.metadata.length);
            state.incoming[index].addLast(incoming);
        }
    }

    private void announce(final Region region)
    {
        if (!announcedRegions.add(region.regionId()))
        {
            return;
        }

        final RegionDescriptor descriptor = registered(region);
        final byte[] locator = descriptor.locator();
        final RegionAnnouncementEncoder encoder = regionAnnouncementEncoder
            .wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .senderId(clientId)
            .regionId(descriptor.regionId())
            .length(descriptor.length())
            .transport(descriptor.transport())
            .putLocator(locator, 0, locator.length);
        send(encoder.encodedLength());
    }

    /**
     * @param region of this client's pool.
     * @return its descriptor from the session's bulk transport, registering it the first time.
     * @throws BulkTransportException if the transport cannot register it.
     */
    private RegionDescriptor registered(final Region region)
    {
        RegionDescriptor descriptor = registeredRegions.get(region.regionId());
        if (null == descriptor)
        {
            descriptor = bulk.register(region);
            registeredRegions.put(region.regionId(), descriptor);
        }
        return descriptor;
    }

    /**
     * Send a message on the link to the server; while the session is not happy, nothing is sent (see
     * the class's notes on sessions).
     */
    private void send(final int messageLength)
    {
        if (Health.HAPPY != health)
        {
            return;
        }
        try
        {
            server.send(sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + messageLength);
        }
        catch (final FerryException ex)
        {
            connectionLost(ex.getMessage());
        }
    }

    private void failEverything(final FerryException cause)
    {
        for (final CompletableFuture<Object> request : requests.values())
        {
            request.completeExceptionally(cause);
        }
        requests.clear();
        for (final Batch batch : new ArrayList<>(batches.values()))
        {
            batch.fail(cause);
        }
        batches.clear();
        for (final ProducerState producer : producers.values())
        {
            producer.failAccumulated(cause);
            producer.producer.connectionLost();
        }
        for (final ConsumerState consumer : consumers.values())
        {
            consumer.close(cause);
        }
        consumers.clear();
        connected.completeExceptionally(cause);
        changeHealth(Health.LOST, cause.getMessage());
    }

    Health health()
    {
        return health;
    }

    /**
     * Move to another health and tell the listener; nothing leaves {@link Health#LOST}.
     */
    private void changeHealth(final Health next, final String reason)
    {
        final Health previous = health;
        if (previous == next || Health.LOST == previous)
        {
            return;
        }
        health = next;
        try
        {
            context.healthListener().onHealthChange(previous, next, reason);
        }
        catch (final RuntimeException ex)
        {
            LOGGER.warn("the health listener of client '{}' threw on {} -> {}: {}", context.name(), previous, next,
                ex.toString(), ex);
        }
    }

    private static void fail(final PendingEvent event, final FerryException cause)
    {
        if (null != event.data)
        {
            event.data.release();
        }
        event.producer.released(1);
        event.future.completeExceptionally(cause);
    }

    /**
     * A producer's events per partition: those waiting to be batched and the batches sent.
     */
    private final class ProducerState
    {
        final Producer producer;
        final ArrayDeque<PendingEvent>[] accumulating;
        final int[] inFlight;
        boolean flushRequested;

        @SuppressWarnings({"unchecked", "rawtypes"})
        ProducerState(final Producer producer)
        {
            this.producer = producer;
            final int partitions = producer.topic().partitions();
            this.accumulating = new ArrayDeque[partitions];
            this.inFlight = new int[partitions];
            for (int p = 0; p < partitions; p++)
            {
                accumulating[p] = new ArrayDeque<>();
            }
        }

        int sendBatches()
        {
            int work = 0;
            boolean anyLeft = false;
            for (int p = 0; p < accumulating.length; p++)
            {
                final ArrayDeque<PendingEvent> events = accumulating[p];
                while (!events.isEmpty() && inFlight[p] < producer.options().maxPendingBatches())
                {
                    final int batchSize = producer.options().batchSize();
                    if (ProducerOptions.ADAPTIVE != batchSize && events.size() < batchSize && !flushRequested)
                    {
                        break;
                    }
                    sendBatch(p, events);
                    work++;
                }
                anyLeft |= !events.isEmpty();
            }
            if (!anyLeft)
            {
                flushRequested = false;
            }
            return work;
        }

        private void sendBatch(final int partition, final ArrayDeque<PendingEvent> events)
        {
            final int maxBytes = server.maxMessageLength() - MessageHeaderEncoder.ENCODED_LENGTH -
                MetadataBatchEncoder.BLOCK_LENGTH - 64;
            final int maxEvents = producer.options().eventsPerBatch();
            final List<PendingEvent> taken = new ArrayList<>();
            int bytes = 0;
            for (final PendingEvent event : events)
            {
                final int eventBytes = MetadataBatchEncoder.EventsEncoder.sbeBlockLength() + 4 + event.metadata.length;
                if (taken.size() == maxEvents || (!taken.isEmpty() && bytes + eventBytes > maxBytes))
                {
                    break;
                }
                taken.add(event);
                bytes += eventBytes;
            }
            for (int i = 0; i < taken.size(); i++)
            {
                events.pollFirst();
            }

            // from the counter of request ids too: an Error frame names either by the same field
            final Batch batch = new Batch(this, nextId(), partition, taken.toArray(new PendingEvent[0]));
            batches.put(batch.batchSeq, batch);
            inFlight[partition]++;
            sendBatch(batch);
        }

        /**
         * Send a batch, the first time or again after a reconnection: always with the same producer id
         * and batch sequence, by which the server stores it once.
         */
        void sendBatch(final Batch batch)
        {
            for (final PendingEvent event : batch.events)
            {
                if (null != event.data)
                {
                    announce(event.data.region());
                }
            }
            final MetadataBatchEncoder encoder = metadataBatchEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
                .producerId(producer.producerId())
                .batchSeq(batch.batchSeq)
                .topicId(producer.topic().topicId())
                .partition(batch.partition);
            final MetadataBatchEncoder.EventsEncoder entries = encoder.eventsCount(batch.events.length);
            for (final PendingEvent event : batch.events)
            {
                final Segment data = event.data;
                entries.next()
                    .regionId(null == data ? 0 : data.region().regionId())
                    .offset(null == data ? 0 : data.regionOffset())
                    .length(null == data ? 0 : data.length())
                    .putMetadata(event.metadata, 0, event.metadata.length);
            }
            send(encoder.encodedLength());
        }

        void failAccumulated(final FerryException cause)
        {
            for (final ArrayDeque<PendingEvent> events : accumulating)
            {
                PendingEvent event;
                while (null != (event = events.pollFirst()))
                {
                    fail(event, cause);
                }
            }
        }
    }

    /**
     * A batch sent and not yet acknowledged.
     */
    private static final class Batch
    {
        final ProducerState producer;
        final long batchSeq;
        final int partition;
        final PendingEvent[] events;

        Batch(final ProducerState producer, final long batchSeq, final int partition, final PendingEvent[] events)
        {
            this.producer = producer;
            this.batchSeq = batchSeq;
            this.partition = partition;
            this.events = events;
        }

        void complete(final long firstEventId, final int count)
        {
            if (count != events.length)
            {
                fail(new FerryException(
                    "the server acknowledged " + count + " events of a batch of " + events.length + "; protocol error"));
                return;
            }
            producer.inFlight[partition]--;
            for (int i = 0; i < events.length; i++)
            {
                final PendingEvent event = events[i];
                if (null != event.data)
                {
                    event.data.release();
                }
                event.future.complete(firstEventId + i);
            }
            producer.producer.released(events.length);
        }

        void fail(final FerryException cause)
        {
            producer.inFlight[partition] = Math.max(0, producer.inFlight[partition] - 1);
            for (final PendingEvent event : events)
            {
                ClientConductor.fail(event, cause);
            }
        }
    }

    /**
     * An event the server sent a consumer, on its way to the application.
     */
    private static final class Incoming
    {
        final int partition;
        final long eventId;
        final long regionId;
        final long offset;
        final long length;
        byte[] metadata;
        Segment data;
        /**
         * The data where the server keeps it, for a consumer that reads in place; then {@link #data} is null.
         */
        DataView inPlace;
        /**
         * The bytes the consumer's {@link DataSelector} chose, or null for all of them (or before it is asked).
         */
        DataSelection selection;
        boolean pulling;
        boolean pulled;
        boolean abandoned;
        /**
         * Pulls of this event's ranges in flight; it is pulled, or failed, when the last ends.
         */
        int pullsPending;
        BulkTransportException pullError;
        int attempts;
        long retryAtNs;
        BulkTransportException failure;

        Incoming(final int partition, final long eventId, final long regionId, final long offset, final long length)
        {
            this.partition = partition;
            this.eventId = eventId;
            this.regionId = regionId;
            this.offset = offset;
            this.length = length;
        }
    }

    /**
     * A consumer's events per partition: arriving, delivered and not acknowledged; and the
     * application's pulls waiting for events.
     */
    private final class ConsumerState implements Event.Acknowledger
    {
        final Consumer consumer;
        final ReadyEvents ready;
        final int[] partitions;
        final ArrayDeque<Incoming>[] incoming;
        final ArrayDeque<Incoming>[] unacknowledged;
        /**
         * Per partition, the events (or failures in their place) put in {@link #ready}.
         */
        final long[] readied;
        /**
         * Per partition, the events taken from {@link #ready} the server has been given credit for.
         */
        final long[] credited;
        /**
         * Per partition, the event after the last one taken in (delivered or ready), where the consumer
         * resumes after a reconnection; before the first, where the application seeks
         * ({@link ConsumerOptions#startAt(int, long)}) or {@link #FROM_CURSOR}.
         */
        final long[] resumeAt;
        /**
         * Per partition, the last event acknowledged; -1 for none.
         */
        final long[] lastAcknowledged;
        /**
         * Per partition, whether {@link #lastAcknowledged} moved since it was last sent: acknowledgements
         * are sent once per duty cycle, the last of each partition, not one message per event.
         */
        final boolean[] acknowledgePending;
        /**
         * The application's pulls waiting for events, in the order they were made.
         */
        final ArrayDeque<CompletableFuture<Event>> waiting = new ArrayDeque<>();
        final int creditBatch;

        @SuppressWarnings({"unchecked", "rawtypes"})
        ConsumerState(final Consumer consumer)
        {
            this.consumer = consumer;
            this.ready = consumer.ready();
            this.partitions = consumer.partitions();
            this.incoming = new ArrayDeque[partitions.length];
            this.unacknowledged = new ArrayDeque[partitions.length];
            this.readied = new long[partitions.length];
            this.credited = new long[partitions.length];
            this.resumeAt = new long[partitions.length];
            this.lastAcknowledged = new long[partitions.length];
            this.acknowledgePending = new boolean[partitions.length];
            for (int i = 0; i < partitions.length; i++)
            {
                resumeAt[i] = consumer.options().startAt(partitions[i]); // FROM_CURSOR unless the application seeks
            }
            Arrays.fill(lastAcknowledged, -1);
            this.creditBatch = Math.max(1, consumer.options().prefetch() / 2);
            for (int i = 0; i < partitions.length; i++)
            {
                incoming[i] = new ArrayDeque<>();
                unacknowledged[i] = new ArrayDeque<>();
            }
        }

        int indexOf(final int partition)
        {
            return ready.indexOf(partition);
        }

        /**
         * Ask the server for the consumer's partitions, each from where it resumes, with the same credit
         * for each.
         */
        void sendSubscribe(final long correlationId, final int credit)
        {
            final SubscribeEncoder subscribe = subscribeEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
                .consumerId(consumer.consumerId())
                .correlationId(correlationId)
                .topicId(consumer.topic().topicId())
                .credit(credit)
                .batchSize(consumer.options().batchSize());
            final SubscribeEncoder.PartitionsEncoder entries = subscribe.partitionsCount(partitions.length);
            for (int i = 0; i < partitions.length; i++)
            {
                entries.next().partition(partitions[i]).startEventId(resumeAt[i]);
            }
            subscribe.consumerName(consumer.name());
            send(subscribe.encodedLength());
        }

        /**
         * The connection is gone: events on their way in are dropped (the server sends them again from
         * {@link #resumeAt}); events ready for the application stay.
         */
        void connectionLost()
        {
            for (int i = 0; i < partitions.length; i++)
            {
                releaseAll(incoming[i]);
            }
        }

        /**
         * Subscribe again after a reconnection, from the event after the last one taken in, with credit
         * for what the application has not taken yet, and repeat the last acknowledgements.
         */
        void resubscribe()
        {
            final long correlationId = nextId();
            resubscriptions.put(correlationId, this);
            sendSubscribe(correlationId, 0);
            final int prefetch = consumer.options().prefetch();
            for (int i = 0; i < partitions.length; i++)
            {
                credited[i] = ready.taken(i); // taken from now on is credited as usual; before, it is not held
                final long held = readied[i] - credited[i];
                if (prefetch > held)
                {
                    sendCredit(partitions[i], (int)(prefetch - held));
                }
                if (lastAcknowledged[i] >= 0)
                {
                    sendAcknowledge(partitions[i], lastAcknowledged[i]);
                }
                acknowledgePending[i] = false;
            }
        }

        /**
         * Send the last acknowledgement of each partition that moved since the last were sent, while the
         * session is up (after a reconnection {@link #resubscribe()} sends them all).
         *
         * @return the number of messages sent.
         */
        int sendAcknowledgements()
        {
            int sent = 0;
            for (int i = 0; i < partitions.length && Health.HAPPY == health; i++)
            {
                if (acknowledgePending[i])
                {
                    acknowledgePending[i] = false;
                    sendAcknowledge(partitions[i], lastAcknowledged[i]);
                    sent++;
                }
            }
            return sent;
        }

        /**
         * Act on the acknowledgements application threads recorded since the last duty cycle.
         */
        void takeAcknowledgements()
        {
            for (int i = 0; i < partitions.length; i++)
            {
                final long acknowledged = ready.acknowledged(i);
                if (acknowledged > lastAcknowledged[i])
                {
                    onAcknowledge(i, acknowledged);
                }
            }
        }

        int progress()
        {
            takeAcknowledgements();
            int work = sendAcknowledgements();
            final long nowNs = System.nanoTime();
            for (int i = 0; i < partitions.length; i++)
            {
                work += startPulls(incoming[i], nowNs);
                work += collect(i);
            }
            work += deliver();
            for (int i = 0; i < partitions.length; i++)
            {
                work += credit(i);
            }
            return work;
        }

        private int startPulls(final ArrayDeque<Incoming> events, final long nowNs)
        {
            int started = 0;
            for (final Incoming event : events)
            {
                if (event.pulling || event.pulled || 0 == event.length || null != event.failure ||
                    (0 != event.attempts && event.retryAtNs - nowNs > 0))
                {
                    continue;
                }
                if (!select(event))
                {
                    started++;
                    continue;
                }
                final DataSelection selection = event.selection;
                final DataDescriptor source = new DataDescriptor(event.regionId, event.offset, event.length);
                if (consumer.options().readInPlace() && bulk instanceof InPlaceAccess access)
                {
                    try
                    {
                        event.inPlace = inPlace(access, source, selection);
                        event.pulled = true;
                    }
                    catch (final BulkTransportException ex)
                    {
                        pullFailed(event, ex);
                    }
                    started++;
                    continue;
                }
                Segment segment = event.data; // kept from a failed attempt
                if (null == segment)
                {
                    segment = pool.tryAllocate((int)(null == selection ? event.length : selection.totalLength()));
                    if (null == segment)
                    {
                        break; // the pool is exhausted: pull again once the application acknowledges
                    }
                    event.data = segment;
                }
                event.pulling = true;
                event.pullsPending = 1; // held until every range is asked for, so that no early end completes it
                try
                {
                    registered(segment.region()); // the transport must know the memory it pulls into
                    if (null == selection)
                    {
                        startPull(event, source, 0, event.length, segment.view());
                    }
                    else
                    {
                        long at = 0;
                        for (int r = 0; r < selection.count(); r++)
                        {
                            startPull(event, source, selection.offset(r), selection.length(r),
                                segment.view().slice(at, selection.length(r)));
                            at += selection.length(r);
                        }
                    }
                }
                catch (final BulkTransportException ex)
                {
                    event.pullError = ex;
                }
                pullEnded(event);
                started++;
            }
            return started;
        }

        /**
         * Ask the consumer's data selector, once per event, which bytes to fetch.
         *
         * @return true to fetch them; false if the event needs no fetch: it selected nothing (and is
         *         pulled), or the selection failed (and so has the event).
         */
        private boolean select(final Incoming event)
        {
            final DataSelector selector = consumer.options().dataSelector();
            if (null == selector || null != event.selection)
            {
                return true;
            }
            String problem;
            try
            {
                final DataSelection selection = selector.select(
                    Metadata.wrap(new UnsafeBuffer(event.metadata), 0, event.metadata.length), event.length);
                problem = selection.outside(event.length);
                event.selection = selection;
            }
            catch (final RuntimeException ex)
            {
                problem = "it threw " + ex;
            }
            if (null != problem)
            {
                event.failure = new BulkTransportException("the data selector of consumer '" +
                    consumer.options().name() + "' failed on event " + event.eventId + " of partition " +
                    event.partition + ": " + problem);
                return false;
            }
            if (0 == event.selection.totalLength())
            {
                event.pulled = true; // metadata only: nothing to fetch
                return false;
            }
            return true;
        }

        private void startPull(
            final Incoming event, final DataDescriptor source, final long offset, final long length, final DataView destination)
        {
            final long correlationId = nextId();
            pulls.put(correlationId, event);
            event.pullsPending++;
            try
            {
                bulk.pull(serverPeer, source, offset, (int)length, destination, correlationId, ClientConductor.this);
            }
            catch (final BulkTransportException ex)
            {
                pulls.remove(correlationId);
                event.pullsPending--;
                throw ex;
            }
        }

        private DataView inPlace(final InPlaceAccess access, final DataDescriptor source, final DataSelection selection)
        {
            if (null == selection)
            {
                return access.view(serverPeer, source, 0, source.length());
            }
            final DataView[] views = new DataView[selection.count()];
            for (int r = 0; r < views.length; r++)
            {
                views[r] = access.view(serverPeer, source, selection.offset(r), selection.length(r));
            }
            return DataView.concat(views);
        }

        private int collect(final int index)
        {
            int collected = 0;
            final ArrayDeque<Incoming> events = incoming[index];
            Incoming event;
            while (null != (event = events.peekFirst()) && (0 == event.length || event.pulled || null != event.failure))
            {
                if (null != event.failure)
                {
                    if (!ready.offer(new ReadyEvents.Failure(index, event.failure)))
                    {
                        break; // the application has not taken enough yet
                    }
                    if (null != event.data)
                    {
                        event.data.release();
                    }
                }
                else
                {
                    final Event next = new Event(
                        Metadata.wrap(new UnsafeBuffer(event.metadata), 0, event.metadata.length),
                        null != event.inPlace ? event.inPlace : null == event.data ? DataView.EMPTY : event.data.view(),
                        event.partition,
                        event.eventId,
                        this);
                    if (!ready.offer(next))
                    {
                        break; // the application has not taken enough yet
                    }
                    unacknowledged[index].addLast(event);
                }
                events.pollFirst();
                resumeAt[index] = event.eventId + 1;
                readied[index]++;
                collected++;
            }
            return collected;
        }

        /**
         * Complete the pulls waiting, in order, with the events ready.
         */
        int deliver()
        {
            int delivered = 0;
            Object next;
            while (!waiting.isEmpty() && null != (next = ready.take()))
            {
                final CompletableFuture<Event> future = waiting.pollFirst();
                ready.waiters().decrementAndGet();
                if (next instanceof Event event)
                {
                    future.complete(event);
                }
                else
                {
                    future.completeExceptionally(Consumer.failure(next));
                }
                delivered++;
            }
            return delivered;
        }

        /**
         * Give the server back credit for a partition's events taken (delivered or failed), a batch at a time.
         *
         * @return 1 if credit was sent.
         */
        private int credit(final int index)
        {
            final long taken = ready.taken(index);
            if (taken - credited[index] < creditBatch)
            {
                return 0;
            }
            sendCredit(partitions[index], (int)(taken - credited[index]));
            credited[index] = taken;
            return 1;
        }

        private void sendCredit(final int partition, final int events)
        {
            final CreditEncoder encoder = creditEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
                .consumerId(consumer.consumerId())
                .topicId(consumer.topic().topicId())
                .partition(partition)
                .events(events);
            send(encoder.encodedLength());
        }

        /**
         * From any thread: recorded for the agent, which acts on it in its next duty cycle.
         */
        public void acknowledge(final Event event)
        {
            final int index = indexOf(event.partition());
            if (index >= 0)
            {
                ready.acknowledge(index, event.eventId());
            }
        }

        private void onAcknowledge(final int index, final long eventId)
        {
            lastAcknowledged[index] = eventId;
            acknowledgePending[index] = true;

            Incoming event;
            while (null != (event = unacknowledged[index].peekFirst()) && event.eventId <= eventId)
            {
                unacknowledged[index].pollFirst();
                if (null != event.data)
                {
                    event.data.release();
                }
            }
        }

        private void sendAcknowledge(final int partition, final long eventId)
        {
            final AcknowledgeEncoder encoder = acknowledgeEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
                .consumerId(consumer.consumerId())
                .topicId(consumer.topic().topicId())
                .partition(partition)
                .eventId(eventId);
            send(encoder.encodedLength());
        }

        void close(final RuntimeException cause)
        {
            ready.close(cause);
            CompletableFuture<Event> future;
            while (null != (future = waiting.pollFirst()))
            {
                ready.waiters().decrementAndGet();
                future.completeExceptionally(cause);
            }
            for (int i = 0; i < partitions.length; i++)
            {
                releaseAll(incoming[i]);
                releaseAll(unacknowledged[i]);
            }
        }

        private void releaseAll(final ArrayDeque<Incoming> events)
        {
            Incoming event;
            while (null != (event = events.pollFirst()))
            {
                if (event.pulling)
                {
                    event.abandoned = true; // released when the pull in flight ends
                }
                else if (null != event.data)
                {
                    event.data.release();
                }
            }
        }
    }
}
