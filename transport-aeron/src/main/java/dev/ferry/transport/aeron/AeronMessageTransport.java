package dev.ferry.transport.aeron;

import dev.ferry.FerryException;
import dev.ferry.channel.ConnectionListener;
import dev.ferry.channel.Inbound;
import dev.ferry.channel.MessageTransport;
import dev.ferry.channel.Outbound;
import dev.ferry.shm.OwnedDirectory;
import dev.ferry.shm.ShmDirectory;
import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.RethrowingErrorHandler;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.exceptions.AeronException;
import io.aeron.exceptions.ConductorServiceTimeoutException;
import io.aeron.exceptions.DriverTimeoutException;
import io.aeron.exceptions.RegistrationException;
import io.aeron.logbuffer.LogBufferDescriptor;
import io.aeron.status.ChannelEndpointStatus;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.SystemUtil;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Ferry's control plane over Aeron: see the package documentation for addresses, the media driver
 * and threads.
 * <p>
 * Calls that open a channel ({@link #listen}, {@link #listenForReplies}, {@link #connect}) wait for
 * the media driver's answer, normally well under a millisecond and never longer than the driver
 * timeout; closing does not wait, and {@link Outbound#offer} and {@link Inbound#poll} never do.
 */
public final class AeronMessageTransport implements MessageTransport
{
    /**
     * The Aeron stream id of every {@code host:port} and {@code ipc} address.
     */
    public static final int STREAM_ID = 0x0FE1;

    private static final Logger LOGGER = LoggerFactory.getLogger(AeronMessageTransport.class);
    private static final long REPEATED_ERROR_INTERVAL_S = 5;

    /**
     * The Aeron client's duty cycle runs once per this many of {@link #doWork()}'s, a power of two: its
     * timers are in hundreds of milliseconds, and reading the clock on every turn of a busy I/O agent
     * cost a tenth of the agent's time with small events.
     */
    static final int CONDUCTOR_INTERVAL_CYCLES = 16;

    private final Context ctx;
    private final OwnedDirectory ownedDirectory;
    private final MediaDriver driver;
    private final Path aeronDirectory;
    private final Aeron aeron;
    private final AgentInvoker invoker;
    private final IdleStrategy awaitIdleStrategy = new SleepingMillisIdleStrategy(1);
    private final ArrayList<AeronInbound> inbounds = new ArrayList<>();
    private final ArrayList<AeronOutbound> outbounds = new ArrayList<>();
    private final ArrayDeque<Runnable> deferred = new ArrayDeque<>();
    private int cycles;
    private boolean closed;

    /**
     * Start an embedded media driver, or connect to the external one, and an Aeron client without a
     * thread of its own.
     *
     * @param context the configuration, concluded here.
     * @throws FerryException if the embedded driver cannot start, or no external driver answers within
     *                        the driver timeout.
     */
    public AeronMessageTransport(final Context context)
    {
        ctx = context.conclude();

        if (null == ctx.externalDriverDirectory())
        {
            ownedDirectory = ShmDirectory.open(ctx.shmRoot()).createOwned("aeron");
            driver = launchEmbeddedDriver(ctx, ownedDirectory);
            aeronDirectory = Paths.get(driver.aeronDirectoryName());
        }
        else
        {
            ownedDirectory = null;
            driver = null;
            aeronDirectory = ctx.externalDriverDirectory();
        }

        aeron = connectClient(ctx, aeronDirectory, driver, ownedDirectory);
        invoker = aeron.conductorAgentInvoker();
    }

    /**
     * {@inheritDoc}
     * <p>
     * The embedded driver's, inside Ferry's shared-memory root, or the external one named in the
     * {@link Context}.
     */
    public Path driverDirectory()
    {
        return aeronDirectory;
    }

    /**
     * {@inheritDoc}
     *
     * @param endpoint {@code host:port} (port 0 binds any free port; {@link Inbound#address()} tells
     *                 which), {@code ipc}, or {@code ipc:<stream id>}.
     * @throws FerryException naming the endpoint if it is malformed, cannot be bound, or this transport
     *                        already listens on it.
     */
    public Inbound listen(final String endpoint, final ConnectionListener listener)
    {
        ensureOpen();
        return openInbound(AeronAddress.parse(endpoint), listener);
    }

    /**
     * {@inheritDoc}
     *
     * @param host the local host name or address peers reach this process by, for a UDP channel on a
     *             free port; or {@code ipc} for an IPC channel on a random stream id, for peers that
     *             share this transport's media driver.
     * @throws FerryException if the host is malformed or the channel cannot be bound.
     */
    public Inbound listenForReplies(final String host, final ConnectionListener listener)
    {
        ensureOpen();
        final AeronAddress address = AeronAddress.IPC.equals(host) ?
            AeronAddress.ipc(unusedIpcStreamId()) : AeronAddress.udp(host, 0);

        return openInbound(address, listener);
    }

    /**
     * {@inheritDoc}
     *
     * @param address {@code host:port}, {@code ipc} or {@code ipc:<stream id>}.
     * @return a channel that is a sender of its own (its own session id) even to a peer this transport
     * already has a channel to.
     * @throws FerryException if the address is malformed, or the media driver refuses it (say, a host
     *                        name that does not resolve).
     */
    public Outbound connect(final String address)
    {
        ensureOpen();
        final AeronAddress parsed = AeronAddress.parse(address);
        if (parsed.isUdp() && 0 == parsed.port())
        {
            throw new FerryException(
                "cannot connect to '" + address + "': port 0 means any free port, which only listen takes; " +
                "give the port the peer listens on");
        }

        final ExclusivePublication publication;
        try
        {
            publication = aeron.addExclusivePublication(parsed.channel(), parsed.streamId());
        }
        catch (final RegistrationException ex)
        {
            throw new FerryException(
                "cannot connect to " + parsed + ": the media driver refused it (" + ex.getMessage() + "); check " +
                "that the host name resolves on this machine", ex);
        }
        catch (final AeronException ex)
        {
            throw driverFailure("cannot connect to " + parsed, ex);
        }

        final AeronOutbound outbound = new AeronOutbound(this, publication, parsed.toString());
        outbounds.add(outbound);

        return outbound;
    }

    /**
     * Run the Aeron client's duty cycle (keep-alives to the media driver, news of senders) once every
     * {@value #CONDUCTOR_INTERVAL_CYCLES} calls, then tell each {@link Inbound}'s listener of senders that connected or disconnected. Listeners are called
     * only from here, so they may open and close channels. Allocation-free when nothing connects or
     * disconnects.
     *
     * @return work done, 0 if none.
     */
    public int doWork()
    {
        if (closed)
        {
            return 0;
        }

        int workCount = 0 == (cycles++ & (CONDUCTOR_INTERVAL_CYCLES - 1)) ? invoker.invoke() : 0;
        Runnable change;
        while (null != (change = deferred.poll()))
        {
            change.run();
            workCount++;
        }

        return workCount;
    }

    /**
     * Close every channel, the Aeron client, and the embedded media driver, removing its directory.
     * Idempotent.
     */
    public void close()
    {
        if (closed)
        {
            return;
        }

        try
        {
            for (int i = inbounds.size() - 1; i >= 0; i--)
            {
                inbounds.get(i).close();
            }
            for (int i = outbounds.size() - 1; i >= 0; i--)
            {
                outbounds.get(i).close();
            }
        }
        finally
        {
            closed = true;
            deferred.clear();
            CloseHelper.closeAll(aeron, driver, ownedDirectory);
        }
    }

    public String toString()
    {
        return "AeronMessageTransport{aeronDirectory=" + aeronDirectory + ", embedded=" + (null != driver) +
            ", inbounds=" + inbounds.size() + ", outbounds=" + outbounds.size() + ", closed=" + closed + "}";
    }

    /**
     * @param change to make from {@link #doWork()}, outside the Aeron client's callbacks.
     */
    void defer(final Runnable change)
    {
        deferred.add(change);
    }

    void onClosed(final AeronInbound inbound)
    {
        inbounds.remove(inbound);
    }

    void onClosed(final AeronOutbound outbound)
    {
        outbounds.remove(outbound);
    }

    private AeronInbound openInbound(final AeronAddress address, final ConnectionListener listener)
    {
        if (null == listener)
        {
            throw new NullPointerException("a listener is needed to listen on " + address);
        }

        if (!address.isUdp() || 0 != address.port())
        {
            for (final AeronInbound inbound : inbounds)
            {
                if (address.toString().equals(inbound.address()))
                {
                    throw new FerryException(
                        "this transport already listens on " + address + "; close that inbound channel first, or " +
                        "listen on another endpoint");
                }
            }
        }

        final AeronInbound inbound = new AeronInbound(this, listener);
        final Subscription subscription;
        try
        {
            subscription = aeron.addSubscription(
                address.channel(), address.streamId(), inbound::onAvailableImage, inbound::onUnavailableImage);
        }
        catch (final RegistrationException ex)
        {
            throw new FerryException(
                "cannot listen on " + address + ": the media driver could not bind it (" + ex.getMessage() + "); " +
                "check that the host is an address of this machine" +
                (0 != address.port() ? " and that no other process uses port " + address.port() +
                ", or listen on another port" : ""), ex);
        }
        catch (final AeronException ex)
        {
            throw driverFailure("cannot listen on " + address, ex);
        }

        try
        {
            final AeronAddress resolved = address.isUdp() && 0 == address.port() ?
                address.withPort(awaitBoundPort(subscription, address)) : address;
            inbound.open(subscription, resolved.toString());
        }
        catch (final RuntimeException ex)
        {
            subscription.close();
            throw ex;
        }

        inbounds.add(inbound);

        return inbound;
    }

    private int awaitBoundPort(final Subscription subscription, final AeronAddress address)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ctx.driverTimeoutMs());
        awaitIdleStrategy.reset();
        String endpoint;
        while (null == (endpoint = subscription.resolvedEndpoint()))
        {
            if (ChannelEndpointStatus.ERRORED == subscription.channelStatus())
            {
                throw new FerryException(
                    "cannot listen on " + address + ": the media driver could not bind it; check that the host is " +
                    "an address of this machine");
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new FerryException(
                    "the media driver in " + aeronDirectory + " bound " + address + " but did not say which port " +
                    "within " + ctx.driverTimeoutMs() + " ms; check that it is healthy, or listen on a fixed port");
            }
            awaitIdleStrategy.idle(invoker.invoke());
        }

        return Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
    }

    private int unusedIpcStreamId()
    {
        while (true)
        {
            final int streamId = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);
            final String address = AeronAddress.ipc(streamId).toString();
            boolean used = STREAM_ID == streamId;
            for (final AeronInbound inbound : inbounds)
            {
                used |= address.equals(inbound.address());
            }

            if (!used)
            {
                return streamId;
            }
        }
    }

    private FerryException driverFailure(final String what, final AeronException ex)
    {
        return new FerryException(
            what + ": the Aeron client of the media driver in " + aeronDirectory + " failed (" + ex.getMessage() +
            "); if the driver stopped, restart it and this process", ex);
    }

    private void ensureOpen()
    {
        if (closed)
        {
            throw new FerryException(
                "the Aeron control-plane transport on " + aeronDirectory + " is closed; create a new one");
        }
    }

    private static MediaDriver launchEmbeddedDriver(final Context ctx, final OwnedDirectory ownedDirectory)
    {
        // A sub-directory: the driver deletes its directory on start and shutdown, and the owned
        // directory's lock file must outlive both.
        final Path directory = ownedDirectory.path().resolve("driver");
        final MediaDriver.Context driverContext = new MediaDriver.Context()
            .aeronDirectoryName(directory.toString())
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy(
                10, 20, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1)))
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .warnIfDirectoryExists(false)
            .ipcTermBufferLength(ctx.termBufferLength())
            .publicationTermBufferLength(ctx.termBufferLength())
            .driverTimeoutMs(ctx.driverTimeoutMs())
            .errorHandler(driverErrorHandler(directory));
        try
        {
            return MediaDriver.launch(driverContext);
        }
        catch (final RuntimeException ex)
        {
            ownedDirectory.close();
            throw new FerryException(
                "cannot start the embedded Aeron media driver in " + directory + ": " + ex + "; check free space " +
                "and permissions in Ferry's shared-memory root, or use an external driver", ex);
        }
    }

    private static Aeron connectClient(
        final Context ctx, final Path aeronDirectory, final MediaDriver driver, final OwnedDirectory ownedDirectory)
    {
        final Aeron.Context clientContext = new Aeron.Context()
            .aeronDirectoryName(aeronDirectory.toString())
            .useConductorAgentInvoker(true)
            .driverTimeoutMs(ctx.driverTimeoutMs())
            .errorHandler(clientErrorHandler(aeronDirectory))
            .subscriberErrorHandler(RethrowingErrorHandler.INSTANCE)
            .clientName("ferry");
        try
        {
            return Aeron.connect(clientContext);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(driver, ownedDirectory);
            if (null == driver)
            {
                throw new FerryException(
                    "no Aeron media driver answered in " + aeronDirectory + " within " + ctx.driverTimeoutMs() +
                    " ms (" + ex.getMessage() + "); start one there (java -Daeron.dir=" + aeronDirectory +
                    " io.aeron.driver.MediaDriver), or drop the external driver option to embed one", ex);
            }
            throw new FerryException(
                "cannot connect to the embedded Aeron media driver in " + aeronDirectory + ": " + ex, ex);
        }
    }

    private static ErrorHandler driverErrorHandler(final Path aeronDirectory)
    {
        // Errors caused by a request (a port in use, a host that does not resolve) also reach the
        // requester, as a FerryException: the log gets one line, the stack trace only at debug. An
        // error that repeats (a send to a peer whose network is down fails on every try) is logged
        // once per interval, with a count of those held back.
        final RepeatedErrors repeated = new RepeatedErrors(TimeUnit.SECONDS.toNanos(REPEATED_ERROR_INTERVAL_S));
        return (throwable) ->
        {
            final String line = repeated.admit(throwable.toString(), System.nanoTime());
            if (null != line)
            {
                LOGGER.warn("the embedded Aeron media driver in {} reported: {}", aeronDirectory, line);
                LOGGER.debug("stack trace of the media driver's error", throwable);
            }
        };
    }

    private static ErrorHandler clientErrorHandler(final Path aeronDirectory)
    {
        return (throwable) ->
        {
            if (throwable instanceof DriverTimeoutException)
            {
                LOGGER.error(
                    "the Aeron media driver in {} stopped answering ({}); Ferry's control plane is closed: restart " +
                    "the driver and the process", aeronDirectory, throwable.getMessage());
            }
            else if (throwable instanceof ConductorServiceTimeoutException)
            {
                LOGGER.error(
                    "the I/O agent did not run the Aeron client's duty cycle in time ({}), so the media driver in " +
                    "{} took it for dead and Ferry's control plane is closed; an agent must not block",
                    throwable.getMessage(), aeronDirectory);
            }
            else
            {
                LOGGER.warn("the Aeron client of the media driver in {} reported an error", aeronDirectory, throwable);
            }
        };
    }

    /**
     * Configuration of an {@link AeronMessageTransport}; {@link #conclude()} checks it and fills defaults.
     */
    public static final class Context
    {
        /**
         * System property: the embedded driver's term buffer length, for UDP and IPC (e.g. {@code 8m}).
         * The longest message is 1/8 of it.
         */
        public static final String TERM_BUFFER_LENGTH_PROP_NAME = "ferry.aeron.term.buffer.length";

        /**
         * Default term buffer length: 8 MiB, so messages of up to 1 MiB, and 24 MiB of shared memory
         * per channel and per sender a channel receives from.
         */
        public static final int TERM_BUFFER_LENGTH_DEFAULT = 8 << 20;

        /**
         * System property: how long to wait for the media driver (e.g. {@code 10s}).
         */
        public static final String DRIVER_TIMEOUT_PROP_NAME = "ferry.aeron.driver.timeout";

        /**
         * Default driver timeout: 10 s.
         */
        public static final long DRIVER_TIMEOUT_NS_DEFAULT = TimeUnit.SECONDS.toNanos(10);

        private Path shmRoot;
        private Path externalDriverDirectory;
        private int termBufferLength =
            SystemUtil.getSizeAsInt(TERM_BUFFER_LENGTH_PROP_NAME, TERM_BUFFER_LENGTH_DEFAULT);
        private long driverTimeoutMs = TimeUnit.NANOSECONDS.toMillis(
            SystemUtil.getDurationInNanos(DRIVER_TIMEOUT_PROP_NAME, DRIVER_TIMEOUT_NS_DEFAULT));

        /**
         * @param shmRoot Ferry's shared-memory root, where an embedded driver keeps its files.
         * @return this.
         */
        public Context shmRoot(final Path shmRoot)
        {
            this.shmRoot = shmRoot;
            return this;
        }

        /**
         * @return Ferry's shared-memory root.
         */
        public Path shmRoot()
        {
            return shmRoot;
        }

        /**
         * @param externalDriverDirectory the directory of a running media driver to use, or null to embed one.
         * @return this.
         */
        public Context externalDriverDirectory(final Path externalDriverDirectory)
        {
            this.externalDriverDirectory = externalDriverDirectory;
            return this;
        }

        /**
         * @return the directory of the external media driver, or null to embed one.
         */
        public Path externalDriverDirectory()
        {
            return externalDriverDirectory;
        }

        /**
         * @param termBufferLength the embedded driver's term buffer length: a power of two from 64 KiB
         *                         to 1 GiB. An external driver uses its own.
         * @return this.
         */
        public Context termBufferLength(final int termBufferLength)
        {
            this.termBufferLength = termBufferLength;
            return this;
        }

        /**
         * @return the embedded driver's term buffer length.
         */
        public int termBufferLength()
        {
            return termBufferLength;
        }

        /**
         * @param driverTimeoutMs how long to wait for the media driver: to find a running external one,
         *                        for its answer to each request, and before taking it for dead.
         * @return this.
         */
        public Context driverTimeoutMs(final long driverTimeoutMs)
        {
            this.driverTimeoutMs = driverTimeoutMs;
            return this;
        }

        /**
         * @return how long to wait for the media driver, in milliseconds.
         */
        public long driverTimeoutMs()
        {
            return driverTimeoutMs;
        }

        /**
         * Check the configuration.
         *
         * @return this.
         * @throws FerryException saying which setting is wrong and what it takes.
         */
        public Context conclude()
        {
            if (null == externalDriverDirectory && null == shmRoot)
            {
                throw new FerryException(
                    "an embedded Aeron media driver needs Ferry's shared-memory root: set shmRoot, or name the " +
                    "directory of an external driver");
            }

            if (termBufferLength < LogBufferDescriptor.TERM_MIN_LENGTH ||
                termBufferLength > LogBufferDescriptor.TERM_MAX_LENGTH ||
                Integer.bitCount(termBufferLength) != 1)
            {
                throw new FerryException(
                    "Aeron term buffer length " + termBufferLength + " (" + TERM_BUFFER_LENGTH_PROP_NAME + ") must " +
                    "be a power of two from 64k to 1g; the longest message is 1/8 of it");
            }

            if (driverTimeoutMs <= 0)
            {
                throw new FerryException(
                    "Aeron driver timeout " + driverTimeoutMs + " ms (" + DRIVER_TIMEOUT_PROP_NAME + ") must be " +
                    "positive, e.g. 10s");
            }

            return this;
        }
    }
}
