package dev.ferry.bulk;

import org.agrona.CloseHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * The bulk transports one engine (server or client) opened, and the choice of one of them for each
 * peer.
 * <p>
 * <b>Opening.</b> {@code --transport NAME} opens that transport alone, or fails saying why it cannot
 * run here; {@value #AUTO} opens every transport on the class path that can run here and logs, at
 * INFO, the ones it skipped and why.
 * <p>
 * <b>Choosing.</b> Each side advertises its transports at hello ({@link #advertisement()}); both then
 * apply the same rule to the two lists, so they agree without another message:
 * <ol>
 *     <li>{@value #RDMA} if both sides have it;</li>
 *     <li>else {@value #SHM} if both have it and run on the same host (same kernel boot id);</li>
 *     <li>else no transport: the session is refused with both lists, both hosts and what to do.</li>
 * </ol>
 * The rule depends only on the two lists and the two boot ids, which both sides know, so both
 * compute the same choice.
 * <p>
 * <b>Regions.</b> An engine's own long-lived regions (log segments) are registered with every open
 * transport when they are created, so that a session on any of them can be told of them;
 * registration is idempotent, so registering again to get a region's descriptor costs no new
 * registration.
 * <p>
 * Owned by one I/O agent, like the transports it holds.
 */
public final class BulkTransportSet implements AutoCloseable
{
    /**
     * The selection that opens every transport that can run here.
     */
    public static final String AUTO = "auto";

    /**
     * The RDMA transport's name; preferred when both sides have it.
     */
    public static final String RDMA = "rdma";

    /**
     * The shared-memory transport's name; chosen for peers on the same host without RDMA.
     */
    public static final String SHM = "shm";

    private static final Logger LOGGER = LoggerFactory.getLogger(BulkTransportSet.class);

    private final String role;
    private final PeerInfo localPeer;
    private final BulkTransport[] transports;
    private final List<String> names;

    /**
     * @param role       of this engine in messages: {@code server}, {@code client 'name'}.
     * @param localPeer  this process.
     * @param transports open transports, owned from now on; at least one, distinct names.
     */
    BulkTransportSet(final String role, final PeerInfo localPeer, final List<BulkTransport> transports)
    {
        if (transports.isEmpty())
        {
            throw new IllegalArgumentException("a bulk transport set needs at least one transport");
        }
        this.role = role;
        this.localPeer = localPeer;
        this.transports = transports.stream()
            .sorted(Comparator.comparing(BulkTransport::name))
            .toArray(BulkTransport[]::new);
        this.names = Arrays.stream(this.transports).map(BulkTransport::name).toList();
    }

    /**
     * Open the transports a selection names.
     *
     * @param selection {@value #AUTO}, or a transport's name such as {@value #SHM} or {@value #RDMA}.
     * @param role      of this engine in messages: {@code server}, {@code client 'name'}.
     * @param localPeer this process as its peers see it.
     * @param shmRoot   Ferry's shared-memory root.
     * @return the open transports; close them.
     * @throws BulkTransportException naming the transports present if none has the name, why the named
     *                                one cannot run here, or why a transport failed to open.
     */
    public static BulkTransportSet open(
        final String selection, final String role, final PeerInfo localPeer, final Path shmRoot)
    {
        final List<BulkTransportProvider> chosen = new ArrayList<>();
        if (AUTO.equals(selection))
        {
            for (final BulkTransportProvider provider : BulkTransports.providers())
            {
                final String reason = provider.unsupportedReason();
                if (null == reason)
                {
                    chosen.add(provider);
                }
                else
                {
                    LOGGER.info("{}: bulk transport '{}' skipped: {}", role, provider.name(), reason);
                }
            }
            if (chosen.isEmpty())
            {
                throw new BulkTransportException(
                    role + ": no bulk transport can run here; put ferry-core's shared-memory transport on the " +
                    "class path");
            }
        }
        else
        {
            chosen.add(BulkTransports.provider(selection));
        }

        final List<BulkTransport> opened = new ArrayList<>();
        try
        {
            for (final BulkTransportProvider provider : chosen)
            {
                opened.add(open(provider, localPeer, shmRoot));
            }
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(opened);
            throw ex;
        }

        final BulkTransportSet set = new BulkTransportSet(role, localPeer, opened);
        LOGGER.info("{}: bulk transports [{}]", role, set.advertisement());
        return set;
    }

    private static BulkTransport open(final BulkTransportProvider provider, final PeerInfo localPeer, final Path shmRoot)
    {
        try
        {
            return provider.newTransport(localPeer, shmRoot);
        }
        catch (final BulkTransportException ex)
        {
            throw new BulkTransportException(
                "bulk transport '" + provider.name() + "' could not open: " + ex.getMessage() +
                "; fix that, or name another with --transport", ex);
        }
    }

    /**
     * @return the names of the open transports, comma-separated, as Hello and HelloReply carry them.
     */
    public String advertisement()
    {
        return String.join(",", names);
    }

    /**
     * @return the names of the open transports, sorted.
     */
    public List<String> names()
    {
        return names;
    }

    /**
     * @param name of a transport.
     * @return the open transport of that name, or null if this engine did not open one.
     */
    public BulkTransport transport(final String name)
    {
        for (final BulkTransport transport : transports)
        {
            if (transport.name().equals(name))
            {
                return transport;
            }
        }
        return null;
    }

    /**
     * Choose the transport for a session with a peer, by the rule in the class description.
     *
     * @param peer           the other side.
     * @param peerRole       the other side in messages: {@code client 'name'}, {@code server}.
     * @param peerTransports the peer's advertisement: names, comma-separated.
     * @return the open transport both sides use for the session.
     * @throws BulkTransportException naming both sides' transports and hosts, and what to do, if the
     *                                rule chooses none.
     */
    public BulkTransport choose(final PeerInfo peer, final String peerRole, final String peerTransports)
    {
        final List<String> peerNames = parse(peerTransports);
        final String name = chosenName(names, localPeer, peerNames, peer);
        if (null == name)
        {
            final boolean sameHost = localPeer.sameHostAs(peer);
            throw new BulkTransportException(
                peerRole + " pid " + peer.pid() + " has " + peerNames + ", " + role + " pid " + localPeer.pid() +
                (sameHost ? " on the same host" : " on another host") + " has " + names + ": no bulk transport " +
                "can move data between them; " + (sameHost ?
                "give both --transport auto, or the same --transport" :
                "run both on one host, or give both an RDMA device and --transport rdma|auto"));
        }
        return transport(name);
    }

    /**
     * The choice rule alone, the same on both sides.
     *
     * @param localNames transports of this side.
     * @param localPeer  this side.
     * @param peerNames  transports of the other side.
     * @param peer       the other side.
     * @return the name of the transport chosen, or null if none.
     */
    static String chosenName(
        final Collection<String> localNames,
        final PeerInfo localPeer,
        final Collection<String> peerNames,
        final PeerInfo peer)
    {
        if (localNames.contains(RDMA) && peerNames.contains(RDMA))
        {
            return RDMA;
        }
        if (localNames.contains(SHM) && peerNames.contains(SHM) && localPeer.sameHostAs(peer))
        {
            return SHM;
        }
        return null;
    }

    private static List<String> parse(final String advertisement)
    {
        final List<String> names = new ArrayList<>();
        for (final String name : advertisement.split(","))
        {
            final String trimmed = name.trim();
            if (!trimmed.isEmpty())
            {
                names.add(trimmed);
            }
        }
        return names;
    }

    /**
     * Register a region with every open transport, so that a session on any of them can be told of it.
     * May be called from any thread (see {@link BulkTransport}'s notes on threads).
     *
     * @param region to expose.
     * @throws BulkTransportException if a transport cannot expose it.
     */
    public void registerEverywhere(final Region region)
    {
        for (final BulkTransport transport : transports)
        {
            transport.register(region);
        }
    }

    /**
     * Progress every transport's pulls.
     *
     * @return work done.
     */
    public int doWork()
    {
        int work = 0;
        for (final BulkTransport transport : transports)
        {
            work += transport.doWork();
        }
        return work;
    }

    /**
     * Close every transport: pending pulls fail, registrations and attachments are dropped.
     */
    public void close()
    {
        CloseHelper.quietCloseAll(transports);
    }
}
