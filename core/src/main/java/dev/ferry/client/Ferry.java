package dev.ferry.client;

import dev.ferry.FerryException;
import dev.ferry.agent.IoAgentThreads;
import dev.ferry.buffer.BufferPool;
import dev.ferry.bulk.BulkTransportSet;
import dev.ferry.bulk.PeerInfo;
import dev.ferry.channel.MessageTransport;
import dev.ferry.channel.MessageTransports;
import dev.ferry.engine.EngineContext;
import dev.ferry.topic.TopicConfig;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The Ferry client (Mofka's driver): one connection to a server, one I/O agent thread, one
 * registered buffer pool for event data. Opens topics, which make producers and consumers.
 * <pre>{@code
 * try (Ferry ferry = Ferry.connect(new Ferry.Context().server("127.0.0.1:7420")))
 * {
 *     Topic topic = ferry.openTopic("frames");
 *     try (Producer producer = topic.producer())
 *     {
 *         long eventId = producer.push(Metadata.of("{\"frame\":1}"), data).get(5, TimeUnit.SECONDS);
 *     }
 * }
 * }</pre>
 * Methods marked <b>Blocks</b> wait at most the context's request timeout.
 */
public final class Ferry implements AutoCloseable
{
    private static final Logger LOGGER = LoggerFactory.getLogger(Ferry.class);

    private final Context context;
    private final BufferPool pool;
    private final ClientConductor conductor;
    private final AgentRunner runner;

    private Ferry(final Context context, final BufferPool pool, final ClientConductor conductor, final AgentRunner runner)
    {
        this.context = context;
        this.pool = pool;
        this.conductor = conductor;
        this.runner = runner;
    }

    /**
     * Connect to a server. <b>Blocks</b> until the server answers, at most the request timeout.
     *
     * @param context settings; concluded here.
     * @return the connected client.
     * @throws FerryException naming the server if it does not answer in time, the bulk transport that
     *                        cannot run here, or why the server refused the session (no bulk transport
     *                        in common, with both sides' lists and what to do).
     */
    public static Ferry connect(final Context context)
    {
        context.conclude();
        IoAgentThreads.checkMayBlock("Ferry.connect");
        BufferPool pool = null;
        MessageTransport messages = null;
        BulkTransportSet bulk = null;
        AgentRunner runner = null;
        try
        {
            final long clientId = ThreadLocalRandom.current().nextLong();
            pool = new BufferPool(new BufferPool.Context()
                .name("client-" + context.name())
                .directory(context.shmRoot())
                .maxBytes(context.poolMaxBytes())
                .slabBytes(context.poolSlabBytes()));
            bulk = BulkTransportSet.open(
                context.transport(), "client '" + context.name() + "'", PeerInfo.local(clientId), context.shmRoot());
            messages = MessageTransports.provider().newTransport(context.shmRoot(), context.externalDriverDirectory());
            final ClientConductor conductor = new ClientConductor(context, messages, bulk, pool, clientId);
            runner = new AgentRunner(
                context.idleStrategy(), (error) -> LOGGER.error("client I/O agent error", error), null, conductor);
            AgentRunner.startOnThread(runner);

            final Ferry ferry = new Ferry(context, pool, conductor, runner);
            try
            {
                conductor.connected().get(context.requestTimeout().toNanos(), TimeUnit.NANOSECONDS);
            }
            catch (final TimeoutException ex)
            {
                throw new FerryException(
                    "no Ferry server answered at " + context.server() + " within " + context.requestTimeout().toMillis() +
                    " ms; is one running there? start one with: ferry server --endpoint " + context.server());
            }
            catch (final ExecutionException ex)
            {
                throw new FerryException("could not connect to the Ferry server at " + context.server() + ": " +
                    ex.getCause().getMessage(), ex.getCause());
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new FerryException("interrupted while connecting to " + context.server());
            }

            return ferry;
        }
        catch (final RuntimeException ex)
        {
            if (null != runner)
            {
                runner.close();
            }
            else
            {
                CloseHelper.quietCloseAll(bulk, messages);
            }
            CloseHelper.quietClose(pool);
            throw ex;
        }
    }

    /**
     * Create a topic on the server, accepting every event and placing events round robin. <b>Blocks.</b>
     *
     * @param name       of the topic.
     * @param partitions it has.
     * @return the topic.
     * @throws FerryException with the server's reason if it exists or the name is invalid.
     */
    public Topic createTopic(final String name, final int partitions)
    {
        return createTopic(name, partitions, TopicConfig.defaults());
    }

    /**
     * Create a topic on the server with its own validator and partition selector, which the server
     * keeps with the topic so that every producer of it, in any process, applies them. <b>Blocks.</b>
     *
     * @param name       of the topic.
     * @param partitions it has.
     * @param config     how the topic checks and places its events.
     * @return the topic.
     * @throws FerryException with the server's reason if it exists or the name is invalid.
     */
    public Topic createTopic(final String name, final int partitions, final TopicConfig config)
    {
        final String json = config.toJson();
        return topic((ClientConductor.TopicInfo)await(
            conductor.request((c, correlationId) -> c.createTopic(name, partitions, json, correlationId)),
            "create topic '" + name + "'"));
    }

    /**
     * Open a topic that exists on the server, with the validator and partition selector it was
     * created with. <b>Blocks.</b>
     *
     * @param name of the topic.
     * @return the topic.
     * @throws FerryException naming the topic if the server has none of that name.
     */
    public Topic openTopic(final String name)
    {
        return topic((ClientConductor.TopicInfo)await(
            conductor.request((c, correlationId) -> c.openTopic(name, correlationId)),
            "open topic '" + name + "'"));
    }

    private Topic topic(final ClientConductor.TopicInfo info)
    {
        final TopicConfig config;
        try
        {
            config = TopicConfig.parse(info.config());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new FerryException("the server keeps topic '" + info.name() + "' with a config this client " +
                "cannot use (" + ex.getMessage() + "); is the server a newer Ferry? upgrade this client", ex);
        }
        return new Topic(this, info.name(), info.topicId(), info.partitions(), config);
    }

    /**
     * @return the server's topics. <b>Blocks.</b>
     */
    @SuppressWarnings("unchecked")
    public List<TopicDescription> listTopics()
    {
        return (List<TopicDescription>)await(conductor.request((c, correlationId) -> c.listTopics(correlationId)), "list topics");
    }

    /**
     * @return the registered pool event data lives in.
     */
    public BufferPool pool()
    {
        return pool;
    }

    /**
     * Stop the I/O agent (pending pushes and pulls fail), leave the server, release the pool.
     */
    public void close()
    {
        runner.close((int)TimeUnit.SECONDS.toMillis(5), (thread) ->
            LOGGER.warn("the client's I/O agent did not stop within 5 s; interrupting {}", thread.getName()));
        pool.close();
    }

    /**
     * @return the session's health now; changes are told to the context's
     * {@link Context#healthListener(HealthListener) health listener}. Any thread.
     */
    public Health health()
    {
        return conductor.health();
    }

    /**
     * @return how often the session reconnected after losing its connection (each
     * {@link Health#HUNGRY} to {@link Health#HAPPY}). Any thread.
     */
    public long reconnects()
    {
        return conductor.reconnects();
    }

    /**
     * The bulk transport's own count of the bytes it moved for this client's consumers: with a
     * {@link ConsumerOptions#dataSelector data selector}, only the bytes selected. (A consumer reading in
     * place moves none.) <b>Blocks</b> briefly: it is read on the client's I/O agent thread.
     *
     * @return bytes pulled by the session's bulk transport since it was opened; 0 before a session.
     */
    public long bytesPulled()
    {
        final CompletableFuture<Object> count = new CompletableFuture<>();
        conductor.command((c) -> count.complete(c.bytesPulled()));
        return (Long)await(count, "count the bytes pulled");
    }

    Context context()
    {
        return context;
    }

    ClientConductor conductor()
    {
        return conductor;
    }

    Object await(final CompletableFuture<Object> future, final String what)
    {
        IoAgentThreads.checkMayBlock(what);
        try
        {
            return future.get(context.requestTimeout().toNanos(), TimeUnit.NANOSECONDS);
        }
        catch (final TimeoutException ex)
        {
            final FerryException timedOut = new FerryException(
                "the Ferry server at " + context.server() + " did not answer within " +
                context.requestTimeout().toMillis() + " ms to: " + what + "; is it still running?");
            future.completeExceptionally(timedOut); // a request still waiting to be sent is then dropped
            throw timedOut;
        }
        catch (final ExecutionException ex)
        {
            final Throwable cause = ex.getCause();
            throw cause instanceof FerryException ? (FerryException)cause : new FerryException(what + " failed: " + cause, cause);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new FerryException("interrupted while waiting to " + what);
        }
    }

    /**
     * A client's settings. Setters return this; {@link #conclude()} checks them once and fills defaults.
     */
    public static final class Context extends EngineContext<Context>
    {
        private String server = dev.ferry.server.FerryServer.Context.ENDPOINT_DEFAULT;
        private String name = "client";
        private String replyHost;
        private Duration requestTimeout = Duration.ofSeconds(10);
        private long poolMaxBytes = BufferPool.Context.MAX_BYTES_DEFAULT;
        private int poolSlabBytes = BufferPool.Context.SLAB_BYTES_DEFAULT;
        private int maxMetadataBytes = 64 << 10;
        private HealthListener healthListener = (previous, current, reason) -> {};
        private Duration reconnectTimeout = Duration.ZERO;
        private boolean concluded;

        /**
         * @return this, checked.
         */
        public Context conclude()
        {
            if (concluded)
            {
                return this;
            }
            concludeEngine();
            if (null == replyHost)
            {
                final int colon = server.lastIndexOf(':');
                replyHost = server.startsWith("ipc") ? "ipc" : colon > 0 ? server.substring(0, colon) : "127.0.0.1";
            }
            concluded = true;
            return this;
        }

        public String server()
        {
            return server;
        }

        /**
         * @param server endpoint {@code host:port} of the server, or {@code ipc} when sharing its media driver.
         * @return this.
         */
        public Context server(final String server)
        {
            this.server = server;
            return this;
        }

        public String name()
        {
            return name;
        }

        /**
         * @param name of this client, in the server's logs and in file names.
         * @return this.
         */
        public Context name(final String name)
        {
            this.name = name;
            return this;
        }

        public String replyHost()
        {
            return replyHost;
        }

        /**
         * @param replyHost address the server reaches this client at: {@code ipc} when the server is at
         *                  {@code ipc}, else a host; default the server's host (right for loopback and
         *                  ipc; give this host's address when the server is remote).
         * @return this.
         */
        public Context replyHost(final String replyHost)
        {
            this.replyHost = replyHost;
            return this;
        }

        public Duration requestTimeout()
        {
            return requestTimeout;
        }

        /**
         * @param requestTimeout longest wait for the server's answer to a request; default 10 s.
         * @return this.
         */
        public Context requestTimeout(final Duration requestTimeout)
        {
            this.requestTimeout = requestTimeout;
            return this;
        }

        public long poolMaxBytes()
        {
            return poolMaxBytes;
        }

        /**
         * @param bytes bound of the client's registered pool; default 1 GiB.
         * @return this.
         */
        public Context poolMaxBytes(final long bytes)
        {
            this.poolMaxBytes = bytes;
            return this;
        }

        public int poolSlabBytes()
        {
            return poolSlabBytes;
        }

        /**
         * @param bytes slab size of the pool, the largest event data; default 64 MiB.
         * @return this.
         */
        public Context poolSlabBytes(final int bytes)
        {
            this.poolSlabBytes = bytes;
            return this;
        }

        public int maxMetadataBytes()
        {
            return maxMetadataBytes;
        }

        /**
         * @param bytes largest metadata a producer accepts; default 64 KiB.
         * @return this.
         */
        public Context maxMetadataBytes(final int bytes)
        {
            this.maxMetadataBytes = bytes;
            return this;
        }

        public HealthListener healthListener()
        {
            return healthListener;
        }

        /**
         * @param listener told every change of the session's {@link Health}, from the first
         *                 ({@code CONNECTING} to {@code HAPPY}) on; default none.
         * @return this.
         */
        public Context healthListener(final HealthListener listener)
        {
            this.healthListener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        public Duration reconnectTimeout()
        {
            return reconnectTimeout;
        }

        /**
         * @param reconnectTimeout how long a session that lost its connection keeps trying to reconnect
         *                         before it gives up and is {@link Health#LOST}; {@link Duration#ZERO},
         *                         the default, tries until the client is closed.
         * @return this.
         */
        public Context reconnectTimeout(final Duration reconnectTimeout)
        {
            this.reconnectTimeout = Objects.requireNonNull(reconnectTimeout, "reconnectTimeout");
            return this;
        }

    }
}
