package dev.ferry.rdma.verbs;

import com.ibm.disni.verbs.IbvCQ;
import com.ibm.disni.verbs.IbvCompChannel;
import com.ibm.disni.verbs.IbvContext;
import com.ibm.disni.verbs.IbvMr;
import com.ibm.disni.verbs.IbvPd;
import com.ibm.disni.verbs.IbvQP;
import com.ibm.disni.verbs.IbvQPInitAttr;
import com.ibm.disni.verbs.IbvSendWR;
import com.ibm.disni.verbs.IbvSge;
import com.ibm.disni.verbs.IbvWC;
import com.ibm.disni.verbs.RdmaCm;
import com.ibm.disni.verbs.RdmaCmEvent;
import com.ibm.disni.verbs.RdmaCmId;
import com.ibm.disni.verbs.RdmaConnParam;
import com.ibm.disni.verbs.RdmaEventChannel;
import com.ibm.disni.verbs.SVCPollCq;
import com.ibm.disni.verbs.SVCPostSend;
import com.ibm.disni.verbs.SVCRegMr;
import dev.ferry.bulk.BulkTransport;
import dev.ferry.bulk.BulkTransportException;
import dev.ferry.bulk.DataDescriptor;
import dev.ferry.bulk.PeerInfo;
import dev.ferry.bulk.PullChecks;
import dev.ferry.bulk.PullHandler;
import dev.ferry.bulk.Region;
import dev.ferry.bulk.RegionDescriptor;
import dev.ferry.event.DataView;
import dev.ferry.rdma.RdmaLocator;
import dev.ferry.rdma.RdmaSettings;
import org.agrona.collections.Long2ObjectHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The RDMA bulk transport over DiSNI's verbs: an owner registers regions with its device, a puller
 * connects a reliable-connected queue pair to the owner's listener and pulls with RDMA READ.
 * <p>
 * <b>Resources.</b> One connection-manager event channel (non-blocking), one listening id bound to
 * the device's IPv4 address on an ephemeral port, one protection domain, one completion queue that
 * every queue pair shares. Nothing runs on a thread of its own: {@link #doWork()} polls the
 * completion queue every call and the connection manager at most every
 * {@value #CM_POLL_INTERVAL_MS} ms.
 * <p>
 * <b>Registrations.</b> A registration cache keyed by region: registering a region twice returns the
 * first descriptor. Registering pins the memory and costs milliseconds per 64 MiB, so
 * {@link #register} and {@link #deregister} may be called from any thread (a server's log preparer
 * registers each segment before the agent needs it); they take a lock the agent's pulls never take.
 * Pulls find their destination's local key in an address-sorted array that each change replaces
 * whole and publishes through a volatile field.
 * <p>
 * <b>Links.</b> The first attach of a peer starts a connection (resolve address, resolve route,
 * create the queue pair, connect with retry and RNR-retry counts of 7), driven by the events
 * {@link #doWork()} polls. Each step has a deadline: {@link RdmaSettings#timeoutNs()} for the two
 * resolutions, {@link RdmaSettings#connectTimeoutNs()} for the handshake, which must outlast the
 * kernel's resending of a lost handshake message (a 5 s deadline failed one in a soft-RoCE run). A
 * step past its deadline, an error event, a disconnect or an error completion takes the link down,
 * which destroys its queue pair (so no READ can still write into a destination) and fails every
 * pull on it with a message naming the peer, its address and what failed. Pulls made while a link
 * connects wait and are posted once it is up; the next pull to a link that is down starts a new
 * connection (the peer's regions stay attached), which a peer that is really gone fails within its
 * deadline.
 * <p>
 * <b>Accepted connections.</b> A peer's connection request is accepted at once and lives until the
 * connection manager reports its end: a disconnect, or the kernel's own connection manager giving up on
 * a handshake the peer never finished (it retransmits its reply and gives up after its retries). Nothing
 * waits on an accepted connection, so it has no deadline of its own; an earlier five-second deadline
 * dropped live connections under soft-RoCE, whose lost handshake packets are recovered only by that
 * retransmission, seconds later.
 * <p>
 * <b>Hot path.</b> A pull is one signalled RDMA READ per destination segment, posted through a
 * {@link SVCPostSend} made once per link and modified in place; completions are read through one
 * {@link SVCPollCq}. Work-request ids carry a slot index and a generation, so completions of a queue
 * pair torn down meanwhile are recognised and dropped. Pull records are pooled: a pull allocates
 * nothing once the pools are warm.
 */
public final class RdmaBulkTransport implements BulkTransport
{
    /**
     * The transport's name.
     */
    public static final String NAME = RdmaLocator.TRANSPORT_NAME;

    /**
     * How often, at most, {@link #doWork()} asks the connection manager for events.
     */
    public static final long CM_POLL_INTERVAL_MS = 1;
    private static final long SLOW_REGISTRATION_MS = 100;
    private static final Registration[] NO_REGISTRATIONS = new Registration[0];

    /**
     * Retry count given to the connection manager; soft-RoCE drops packets under load.
     */
    public static final int RETRY_COUNT = 7;

    /**
     * RNR retry count; 7 means retry without limit.
     */
    public static final int RNR_RETRY_COUNT = 7;

    /**
     * Entries of the shared completion queue.
     */
    public static final int COMPLETION_QUEUE_DEPTH = 4096;

    /**
     * RDMA READs in flight over all links; half the completion queue, so that completions of torn
     * down queue pairs not yet polled never overflow it.
     */
    public static final int MAX_READS_IN_FLIGHT = COMPLETION_QUEUE_DEPTH / 2;

    private static final Logger LOGGER = LoggerFactory.getLogger(RdmaBulkTransport.class);
    private static final int ACCESS =
        IbvMr.IBV_ACCESS_LOCAL_WRITE | IbvMr.IBV_ACCESS_REMOTE_READ | IbvMr.IBV_ACCESS_REMOTE_WRITE;
    private static final int LISTEN_BACKLOG = 128;
    private static final int POLL_BATCH = 32;
    private static final int CM_EVENTS_PER_POLL = 16;
    private static final int SUCCESS = IbvWC.IbvWcStatus.IBV_WC_SUCCESS.ordinal();
    private static final RdmaCmEvent.EventType[] EVENT_TYPES = RdmaCmEvent.EventType.values();
    private static final IbvWC.IbvWcStatus[] WC_STATUSES = IbvWC.IbvWcStatus.values();

    private final PeerInfo localPeer;
    private final RdmaSettings settings;
    private final int timeoutMs;
    /**
     * Guards {@link #registrations}, {@link #registrationClosed} and the writes of
     * {@link #registrationsByAddress}: registration may come from any thread.
     */
    private final Object registrationLock = new Object();
    private final Long2ObjectHashMap<Registration> registrations = new Long2ObjectHashMap<>();
    /**
     * Every registration, sorted by address; replaced whole on each change, so that the agent's
     * lookups read it without the lock.
     */
    private volatile Registration[] registrationsByAddress = NO_REGISTRATIONS;
    private boolean registrationClosed;
    private final Long2ObjectHashMap<Long2ObjectHashMap<AttachedRegion>> attachedByPeer = new Long2ObjectHashMap<>();
    private final Long2ObjectHashMap<Link> linksByPeer = new Long2ObjectHashMap<>();
    private final ArrayList<Link> links = new ArrayList<>();
    private final Map<RdmaCmId, Link> linksById = new HashMap<>();
    private final Map<RdmaCmId, Accepted> acceptedById = new HashMap<>();
    private final ArrayList<Accepted> accepted = new ArrayList<>();
    private final ArrayDeque<Pull> emptyPulls = new ArrayDeque<>();
    private final ArrayDeque<Pull> freePulls = new ArrayDeque<>(64);
    private final ReadSlot[] slots = new ReadSlot[MAX_READS_IN_FLIGHT];
    private final int[] freeSlots = new int[MAX_READS_IN_FLIGHT];
    private int freeSlotCount;
    private final IbvWC[] completions = new IbvWC[POLL_BATCH];

    private RdmaEventChannel eventChannel;
    private RdmaCmId listenId;
    private int listenerPort;
    private IbvPd pd;
    private IbvCompChannel compChannel;
    private IbvCQ cq;
    private SVCPollCq pollCq;
    private long nextCmPollNs;
    private int pendingPulls;
    private long bytesPulled;
    private boolean closed;

    /**
     * Open the device: event channel, listener, protection domain and completion queue.
     *
     * @param localPeer this process.
     * @param settings  address, deadlines and queue depth.
     * @throws BulkTransportException if the device cannot be opened at that address.
     */
    public RdmaBulkTransport(final PeerInfo localPeer, final RdmaSettings settings)
    {
        this.localPeer = localPeer;
        this.settings = settings;
        this.timeoutMs = (int)Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(settings.timeoutNs()));
        for (int i = 0; i < slots.length; i++)
        {
            slots[i] = new ReadSlot();
            freeSlots[i] = slots.length - 1 - i;
        }
        freeSlotCount = slots.length;
        for (int i = 0; i < completions.length; i++)
        {
            completions[i] = new IbvWC();
        }

        final String address = settings.address().getHostAddress();
        try
        {
            eventChannel = RdmaEventChannel.createEventChannel();
            listenId = eventChannel.createId(RdmaCm.RDMA_PS_TCP);
            listenId.bindAddr(new InetSocketAddress(settings.address(), 0));
            listenId.listen(LISTEN_BACKLOG);
            listenerPort = ((InetSocketAddress)listenId.getSource()).getPort();
            final IbvContext context = listenId.getVerbs();
            if (null == context)
            {
                throw new IOException("no verbs context is bound to " + address);
            }
            pd = context.allocPd();
            compChannel = context.createCompChannel();
            cq = context.createCQ(compChannel, COMPLETION_QUEUE_DEPTH, 0);
            pollCq = cq.poll(completions, POLL_BATCH);
        }
        catch (final IOException | RuntimeException ex)
        {
            releaseDevice();
            throw new BulkTransportException(
                "cannot open the RDMA transport on " + address + ": " + ex.getMessage() + "; the address must be " +
                "the IPv4 address of an RDMA device's netdev (-D" + RdmaSettings.ADDRESS_PROP_NAME + ")", ex);
        }
    }

    public String name()
    {
        return NAME;
    }

    public boolean reachable(final PeerInfo peer)
    {
        return !closed;
    }

    /**
     * @return where this transport listens for pullers, as peers are told in locators.
     */
    public InetSocketAddress listener()
    {
        return new InetSocketAddress(settings.address(), listenerPort);
    }

    public RegionDescriptor register(final Region region)
    {
        synchronized (registrationLock)
        {
            if (registrationClosed)
            {
                throw new BulkTransportException("the RDMA transport is closed");
            }
            final Registration existing = registrations.get(region.regionId());
            if (null != existing)
            {
                return existing.descriptor;
            }

            final Registration registration = registerWithDevice(region);
            registrations.put(region.regionId(), registration);
            registrationsByAddress = withRegistration(registrationsByAddress, registration);

            return registration.descriptor;
        }
    }

    public void deregister(final Region region)
    {
        synchronized (registrationLock)
        {
            final Registration registration = registrations.remove(region.regionId());
            if (null != registration)
            {
                registrationsByAddress = withoutRegistration(registrationsByAddress, registration);
                deregisterQuietly(registration);
            }
        }
    }

    public void attach(final PeerInfo peer, final RegionDescriptor descriptor)
    {
        checkOpen();
        final RdmaLocator locator = RdmaLocator.decode(peer, descriptor);
        linkTo(peer, locator.listener());
        attachedByPeer
            .computeIfAbsent(peer.peerId(), (ignore) -> new Long2ObjectHashMap<>())
            .put(descriptor.regionId(), new AttachedRegion(
                descriptor.regionId(), descriptor.length(), locator.address(), locator.rkey()));
    }

    public void detach(final PeerInfo peer)
    {
        attachedByPeer.remove(peer.peerId());
        final Link link = linksByPeer.remove(peer.peerId());
        if (null != link)
        {
            links.remove(link);
            linkDown(link, "the peer was detached with the pull pending");
        }
    }

    public void pull(
        final PeerInfo peer,
        final DataDescriptor source,
        final long offset,
        final int length,
        final DataView destination,
        final long correlationId,
        final PullHandler handler)
    {
        checkOpen();
        final AttachedRegion region = checkedRegion(peer, source, offset, length);
        PullChecks.checkDestination(length, destination);
        Link link = linksByPeer.get(peer.peerId());
        if (Link.DOWN == link.state)
        {
            // The next pull rebuilds a link that went down (an error completion, a disconnect, a step past its
            // deadline): the peer's regions stay attached, and a peer that is really gone fails the new
            // connection within its deadline.
            linkTo(peer, link.listener);
            link = linksByPeer.get(peer.peerId());
        }

        final Pull pull = freePulls.isEmpty() ? new Pull() : freePulls.pollFirst();
        pull.segmentCount = 0;
        int covered = 0;
        for (int i = 0; covered < length; i++)
        {
            final long address = destination.segmentAddress(i);
            final int n = Math.min(destination.segmentLength(i), length - covered);
            if (0 == n)
            {
                continue;
            }
            final Registration registration = registrationOf(address, n);
            if (null == registration)
            {
                freePulls.addLast(pull);
                throw new BulkTransportException(
                    "cannot pull into segment " + i + " of the destination (" + n + " bytes at 0x" +
                    Long.toHexString(address) + "): the destination must lie in a region registered with this RDMA " +
                    "transport; pull into a segment of a pool whose slabs were registered");
            }
            pull.addSegment(address, n, registration.mr.getLkey());
            covered += n;
        }

        pull.link = link;
        pull.peer = peer;
        pull.regionId = region.regionId;
        pull.remoteAddress = region.address + source.offset() + offset;
        pull.rkey = region.rkey;
        pull.length = length;
        pull.postedSegments = 0;
        pull.outstanding = 0;
        pull.correlationId = correlationId;
        pull.handler = handler;
        pendingPulls++;
        if (0 == length)
        {
            emptyPulls.addLast(pull);
            return;
        }

        link.queued.addLast(pull);
        if (Link.UP == link.state)
        {
            post(link);
        }
    }

    public int doWork()
    {
        if (closed)
        {
            return 0;
        }

        int workCount = 0;
        final long nowNs = System.nanoTime();
        if (nowNs - nextCmPollNs >= 0)
        {
            nextCmPollNs = nowNs + TimeUnit.MILLISECONDS.toNanos(CM_POLL_INTERVAL_MS);
            workCount += pollCmEvents();
            workCount += expireSteps(nowNs);
        }
        workCount += pollCompletions();
        for (int i = 0; i < links.size() && !closed; i++)
        {
            final Link link = links.get(i);
            if (Link.UP == link.state && !link.queued.isEmpty())
            {
                workCount += post(link);
            }
        }
        Pull pull;
        while (!closed && null != (pull = emptyPulls.pollFirst()))
        {
            complete(pull);
            workCount++;
        }

        return workCount;
    }

    public int pendingPulls()
    {
        return pendingPulls;
    }

    public long bytesPulled()
    {
        return bytesPulled;
    }

    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;

        for (final Link link : links.toArray(new Link[0]))
        {
            linkDown(link, "the RDMA transport was closed with the pull pending");
        }
        links.clear();
        linksByPeer.clear();
        for (final Accepted connection : accepted.toArray(new Accepted[0]))
        {
            dropAccepted(connection);
        }
        Pull pull;
        while (null != (pull = emptyPulls.pollFirst()))
        {
            fail(pull, "the RDMA transport was closed with the pull pending");
        }
        attachedByPeer.clear();
        synchronized (registrationLock)
        {
            registrationClosed = true;
            for (final Registration registration : registrations.values())
            {
                deregisterQuietly(registration);
            }
            registrations.clear();
            registrationsByAddress = NO_REGISTRATIONS;
            releaseDevice();
        }
    }

    public String toString()
    {
        return "RdmaBulkTransport{" + localPeer + ", listener=" + describe(listener()) + "}";
    }

    private void linkTo(final PeerInfo peer, final InetSocketAddress listener)
    {
        final Link existing = linksByPeer.get(peer.peerId());
        if (null != existing)
        {
            if (Link.DOWN != existing.state && existing.listener.equals(listener))
            {
                return;
            }
            linksByPeer.remove(peer.peerId());
            links.remove(existing);
            linkDown(existing, "the peer was attached again, listening at " + describe(listener));
        }

        final Link link = new Link(peer, listener);
        try
        {
            link.id = eventChannel.createId(RdmaCm.RDMA_PS_TCP);
            linksById.put(link.id, link);
            link.id.bindAddr(new InetSocketAddress(settings.address(), 0));
            link.id.resolveAddr(null, listener, timeoutMs);
        }
        catch (final IOException ex)
        {
            final String reason = "step 'resolve address' failed at once: " + ex.getMessage();
            linkDown(link, reason);
            throw new BulkTransportException("cannot connect to " + peer + " at " + describe(listener) + ": " + reason, ex);
        }
        link.step(Link.RESOLVING_ADDRESS, System.nanoTime() + settings.timeoutNs());
        linksByPeer.put(peer.peerId(), link);
        links.add(link);
    }

    private int pollCmEvents()
    {
        int events = 0;
        while (events < CM_EVENTS_PER_POLL && !closed)
        {
            final RdmaCmEvent event;
            try
            {
                event = eventChannel.getCmEvent(0);
            }
            catch (final IOException ex)
            {
                LOGGER.warn("polling the RDMA connection manager failed: {}", ex.toString());
                return events;
            }
            if (null == event)
            {
                return events;
            }
            events++;
            onCmEvent(event);
        }

        return events;
    }

    private void onCmEvent(final RdmaCmEvent event)
    {
        final int type = event.getEvent();
        final RdmaCmId id = event.getConnIdPriv();
        if (RdmaCmEvent.EventType.RDMA_CM_EVENT_CONNECT_REQUEST.ordinal() == type)
        {
            if (event.getListenIdPriv() == listenId && null != id)
            {
                accept(id);
            }
            return;
        }

        final Link link = null == id ? null : linksById.get(id);
        if (null != link)
        {
            onLinkEvent(link, type);
            return;
        }
        final Accepted connection = null == id ? null : acceptedById.get(id);
        if (null != connection && isConnectionEnd(type))
        {
            dropAccepted(connection);
        }
    }

    private void onLinkEvent(final Link link, final int type)
    {
        try
        {
            if (RdmaCmEvent.EventType.RDMA_CM_EVENT_ADDR_RESOLVED.ordinal() == type &&
                Link.RESOLVING_ADDRESS == link.state)
            {
                link.id.resolveRoute(timeoutMs);
                link.step(Link.RESOLVING_ROUTE, System.nanoTime() + settings.timeoutNs());
            }
            else if (RdmaCmEvent.EventType.RDMA_CM_EVENT_ROUTE_RESOLVED.ordinal() == type &&
                Link.RESOLVING_ROUTE == link.state)
            {
                link.qp = createQp(link.id, settings.sendQueueDepth());
                link.preparePostSend();
                link.id.connect(connParam());
                link.step(Link.CONNECTING, System.nanoTime() + settings.connectTimeoutNs());
            }
            else if (RdmaCmEvent.EventType.RDMA_CM_EVENT_ESTABLISHED.ordinal() == type && Link.CONNECTING == link.state)
            {
                link.step(Link.UP, 0);
                post(link);
            }
            else if (RdmaCmEvent.EventType.RDMA_CM_EVENT_DISCONNECTED.ordinal() == type)
            {
                linkDown(link, "the peer disconnected (it closed its transport or exited)");
            }
            else if (isConnectionEnd(type))
            {
                linkDown(link, "step '" + Link.STEP_NAMES[link.state] + "' failed: the connection manager reported " +
                    eventName(type) + "; check that the peer's transport runs and listens at " +
                    describe(link.listener));
            }
        }
        catch (final IOException ex)
        {
            linkDown(link, "step '" + Link.STEP_NAMES[link.state] + "' failed: " + ex.getMessage());
        }
    }

    private void accept(final RdmaCmId id)
    {
        final Accepted connection = new Accepted(id);
        acceptedById.put(id, connection);
        accepted.add(connection);
        try
        {
            connection.qp = createQp(id, 1);
            id.accept(connParam());
        }
        catch (final IOException ex)
        {
            LOGGER.warn("refused an RDMA connection to {}: accepting it failed: {}", describe(listener()), ex.toString());
            dropAccepted(connection);
        }
    }

    private int expireSteps(final long nowNs)
    {
        int expired = 0;
        for (int i = links.size() - 1; i >= 0; i--)
        {
            final Link link = links.get(i);
            if (link.state < Link.UP && link.deadlineNs - nowNs < 0)
            {
                final boolean connecting = Link.CONNECTING == link.state;
                linkDown(link, "step '" + Link.STEP_NAMES[link.state] + "' did not finish within " +
                    TimeUnit.NANOSECONDS.toMillis(connecting ? settings.connectTimeoutNs() : settings.timeoutNs()) +
                    " ms (-D" + (connecting ? RdmaSettings.CONNECT_TIMEOUT_PROP_NAME : RdmaSettings.TIMEOUT_PROP_NAME) +
                    "); check that the peer's transport runs and listens at " + describe(link.listener));
                expired++;
            }
        }

        return expired;
    }

    private int pollCompletions()
    {
        final int polled;
        try
        {
            polled = pollCq.execute().getPolls();
        }
        catch (final IOException ex)
        {
            final String reason = "polling the completion queue failed: " + ex.getMessage();
            for (int i = links.size() - 1; i >= 0; i--)
            {
                linkDown(links.get(i), reason);
            }
            return 1;
        }

        for (int i = 0; i < polled && !closed; i++)
        {
            final IbvWC completion = completions[i];
            final long wrId = completion.getWr_id();
            final int slotIndex = (int)wrId;
            if (slotIndex < 0 || slotIndex >= slots.length)
            {
                continue;
            }
            final ReadSlot slot = slots[slotIndex];
            if (null == slot.pull || slot.generation != (int)(wrId >>> 32))
            {
                continue;
            }

            final Pull pull = slot.pull;
            final Link link = slot.link;
            final int bytes = slot.bytes;
            releaseSlot(slotIndex);
            link.posted--;
            pull.outstanding--;
            final int status = completion.getStatus();
            if (SUCCESS != status)
            {
                linkDown(link, "an RDMA READ of " + bytes + " bytes from " + describe(link.listener) +
                    " completed with " + statusName(status) + "; the link is down, and the next pull reconnects");
            }
            else if (0 == pull.outstanding && pull.postedSegments == pull.segmentCount)
            {
                if (link.inFlight.peekFirst() == pull)
                {
                    link.inFlight.pollFirst();
                }
                else
                {
                    link.inFlight.remove(pull);
                }
                bytesPulled += pull.length;
                complete(pull);
            }
        }

        return polled;
    }

    private int post(final Link link)
    {
        int posted = 0;
        Pull pull;
        while (link.posted < settings.sendQueueDepth() && freeSlotCount > 0 && null != (pull = link.queued.peekFirst()))
        {
            final int segment = pull.postedSegments;
            final int slotIndex = freeSlots[--freeSlotCount];
            final ReadSlot slot = slots[slotIndex];
            slot.pull = pull;
            slot.link = link;
            slot.bytes = pull.segmentLengths[segment];
            link.wrMod.setWr_id(((long)slot.generation << 32) | slotIndex);
            link.rdmaMod.setRemote_addr(pull.remoteAddress + pull.segmentOffsets[segment]);
            link.rdmaMod.setRkey(pull.rkey);
            link.sgeMod.setAddr(pull.segmentAddresses[segment]);
            link.sgeMod.setLength(pull.segmentLengths[segment]);
            link.sgeMod.setLkey(pull.segmentLkeys[segment]);
            try
            {
                link.postSend.execute();
            }
            catch (final IOException ex)
            {
                releaseSlot(slotIndex);
                linkDown(link, "posting an RDMA READ to " + describe(link.listener) + " failed: " + ex.getMessage());
                return posted + 1;
            }
            link.posted++;
            pull.outstanding++;
            pull.postedSegments++;
            posted++;
            if (pull.postedSegments == pull.segmentCount)
            {
                link.queued.pollFirst();
                link.inFlight.addLast(pull);
            }
        }

        return posted;
    }

    /**
     * Take a link down: destroy its queue pair first, so that no READ still writes into a destination,
     * then fail every pull on it.
     */
    private void linkDown(final Link link, final String reason)
    {
        if (Link.DOWN == link.state)
        {
            return;
        }
        link.state = Link.DOWN;

        if (null != link.id)
        {
            linksById.remove(link.id);
            destroyId(link.id, null != link.qp);
            link.id = null;
        }
        if (null != link.postSend)
        {
            link.postSend.free();
            link.postSend = null;
        }
        link.qp = null;

        for (int i = 0; i < slots.length; i++)
        {
            if (slots[i].link == link)
            {
                releaseSlot(i);
            }
        }
        link.posted = 0;

        Pull pull;
        while (null != (pull = link.inFlight.pollFirst()))
        {
            fail(pull, reason);
        }
        while (null != (pull = link.queued.pollFirst()))
        {
            fail(pull, reason);
        }
    }

    private void dropAccepted(final Accepted connection)
    {
        acceptedById.remove(connection.id);
        accepted.remove(connection);
        destroyId(connection.id, null != connection.qp);
    }

    private void destroyId(final RdmaCmId id, final boolean hasQp)
    {
        try
        {
            id.disconnect();
        }
        catch (final IOException ignore)
        {
            // not connected: nothing to tell the peer
        }
        try
        {
            if (hasQp)
            {
                id.destroyQP();
            }
            id.destroyId();
        }
        catch (final IOException ex)
        {
            LOGGER.warn("releasing an RDMA connection id failed: {}", ex.toString());
        }
    }

    private IbvQP createQp(final RdmaCmId id, final int sendQueueDepth) throws IOException
    {
        final IbvQPInitAttr attributes = new IbvQPInitAttr();
        attributes.cap().setMax_send_wr(sendQueueDepth);
        attributes.cap().setMax_recv_wr(1);
        attributes.cap().setMax_send_sge(1);
        attributes.cap().setMax_recv_sge(1);
        attributes.setQp_type(IbvQP.IBV_QPT_RC);
        attributes.setSend_cq(cq);
        attributes.setRecv_cq(cq);
        final IbvQP qp = id.createQP(pd, attributes);
        if (null == qp)
        {
            throw new IOException("creating the queue pair returned no queue pair");
        }
        return qp;
    }

    private static RdmaConnParam connParam() throws IOException
    {
        final RdmaConnParam param = new RdmaConnParam();
        param.setRetry_count((byte)RETRY_COUNT);
        param.setRnr_retry_count((byte)RNR_RETRY_COUNT);
        return param;
    }

    private AttachedRegion checkedRegion(
        final PeerInfo peer, final DataDescriptor source, final long offset, final long length)
    {
        final AttachedRegion region = PullChecks.attachedRegion(attachedByPeer, peer, source);
        PullChecks.checkRange(peer, source, region.length, offset, length);

        return region;
    }

    private Registration registrationOf(final long address, final int length)
    {
        final Registration[] byAddress = registrationsByAddress;
        int low = 0;
        int high = byAddress.length - 1;
        while (low <= high)
        {
            final int middle = (low + high) >>> 1;
            final Registration registration = byAddress[middle];
            if (Long.compareUnsigned(registration.address, address) > 0)
            {
                high = middle - 1;
            }
            else if (Long.compareUnsigned(address - registration.address, registration.length) >= 0)
            {
                low = middle + 1;
            }
            else
            {
                return Long.compareUnsigned(address - registration.address + length, registration.length) <= 0 ?
                    registration : null;
            }
        }

        return null;
    }

    /**
     * Register a region's memory with the device. Called with {@link #registrationLock} held.
     */
    private Registration registerWithDevice(final Region region)
    {
        final long length = region.length();
        if (length <= 0 || length > Integer.MAX_VALUE)
        {
            throw new BulkTransportException(
                "cannot register region " + region.regionId() + " of " + length + " bytes with the RDMA device: one " +
                "registration holds from 1 byte to 2 GiB - 1 (DiSNI's regMr takes an int length); use pool slabs " +
                "and log segments of at most that size");
        }

        final IbvMr mr;
        final SVCRegMr call;
        try
        {
            call = pd.regMr(region.address(), (int)length, ACCESS);
        }
        catch (final IOException ex)
        {
            throw registerFailed(region, ex);
        }
        final long startNs = System.nanoTime();
        try
        {
            mr = call.execute().getMr();
        }
        catch (final IOException ex)
        {
            throw registerFailed(region, ex);
        }
        finally
        {
            call.free();
        }

        final long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
        if (tookMs >= SLOW_REGISTRATION_MS)
        {
            LOGGER.warn("registering region {} ({} bytes) with the RDMA device took {} ms on thread '{}'",
                region.regionId(), length, tookMs, Thread.currentThread().getName());
        }
        final RegionDescriptor descriptor = new RegionDescriptor(
            NAME,
            region.regionId(),
            length,
            RdmaLocator.encode(settings.address(), listenerPort, region.address(), mr.getRkey()));

        return new Registration(region.regionId(), region.address(), length, mr, descriptor);
    }

    private static Registration[] withRegistration(final Registration[] byAddress, final Registration registration)
    {
        int i = 0;
        while (i < byAddress.length && Long.compareUnsigned(byAddress[i].address, registration.address) < 0)
        {
            i++;
        }
        final Registration[] copy = new Registration[byAddress.length + 1];
        System.arraycopy(byAddress, 0, copy, 0, i);
        copy[i] = registration;
        System.arraycopy(byAddress, i, copy, i + 1, byAddress.length - i);

        return copy;
    }

    private static Registration[] withoutRegistration(final Registration[] byAddress, final Registration registration)
    {
        for (int i = 0; i < byAddress.length; i++)
        {
            if (byAddress[i] == registration)
            {
                final Registration[] copy = new Registration[byAddress.length - 1];
                System.arraycopy(byAddress, 0, copy, 0, i);
                System.arraycopy(byAddress, i + 1, copy, i, copy.length - i);
                return copy;
            }
        }

        return byAddress;
    }

    private static void deregisterQuietly(final Registration registration)
    {
        try
        {
            registration.mr.deregMr().execute().free();
        }
        catch (final IOException ex)
        {
            LOGGER.warn("deregistering region {} from the RDMA device failed: {}", registration.regionId, ex.toString());
        }
    }

    private void releaseSlot(final int slotIndex)
    {
        final ReadSlot slot = slots[slotIndex];
        slot.pull = null;
        slot.link = null;
        slot.generation++;
        freeSlots[freeSlotCount++] = slotIndex;
    }

    private void complete(final Pull pull)
    {
        final PullHandler handler = pull.handler;
        final long correlationId = pull.correlationId;
        recycle(pull);
        handler.onPullComplete(correlationId);
    }

    private void fail(final Pull pull, final String reason)
    {
        final PullHandler handler = pull.handler;
        final long correlationId = pull.correlationId;
        final BulkTransportException cause = new BulkTransportException(
            "pull of " + pull.length + " bytes from region " + pull.regionId + " of " + pull.peer + " failed: " + reason);
        recycle(pull);
        handler.onPullFailed(correlationId, cause);
    }

    private void recycle(final Pull pull)
    {
        pendingPulls--;
        pull.link = null;
        pull.peer = null;
        pull.handler = null;
        freePulls.addLast(pull);
    }

    private void releaseDevice()
    {
        if (null != pollCq)
        {
            pollCq.free();
            pollCq = null;
        }
        try
        {
            if (null != cq)
            {
                cq.destroyCQ();
                cq = null;
            }
            if (null != compChannel)
            {
                compChannel.destroyCompChannel();
                compChannel = null;
            }
            if (null != pd)
            {
                pd.deallocPd();
                pd = null;
            }
            if (null != listenId)
            {
                listenId.destroyId();
                listenId = null;
            }
            if (null != eventChannel)
            {
                eventChannel.destroyEventChannel();
                eventChannel = null;
            }
        }
        catch (final Exception ex)
        {
            LOGGER.warn("releasing the RDMA device's resources failed: {}", ex.toString());
        }
    }

    private BulkTransportException registerFailed(final Region region, final IOException ex)
    {
        return new BulkTransportException(
            "cannot register region " + region.regionId() + " (" + region.length() + " bytes at 0x" +
            Long.toHexString(region.address()) + ") with the RDMA device: " + ex.getMessage() + "; check the " +
            "locked-memory limit (ulimit -l)", ex);
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new BulkTransportException("the RDMA transport is closed");
        }
    }

    private static boolean isConnectionEnd(final int type)
    {
        return RdmaCmEvent.EventType.RDMA_CM_EVENT_ADDR_ERROR.ordinal() == type ||
            RdmaCmEvent.EventType.RDMA_CM_EVENT_ROUTE_ERROR.ordinal() == type ||
            RdmaCmEvent.EventType.RDMA_CM_EVENT_CONNECT_ERROR.ordinal() == type ||
            RdmaCmEvent.EventType.RDMA_CM_EVENT_UNREACHABLE.ordinal() == type ||
            RdmaCmEvent.EventType.RDMA_CM_EVENT_REJECTED.ordinal() == type ||
            RdmaCmEvent.EventType.RDMA_CM_EVENT_DISCONNECTED.ordinal() == type ||
            RdmaCmEvent.EventType.RDMA_CM_EVENT_DEVICE_REMOVAL.ordinal() == type;
    }

    private static String eventName(final int type)
    {
        return type >= 0 && type < EVENT_TYPES.length ? EVENT_TYPES[type].name() : "event " + type;
    }

    private static String statusName(final int status)
    {
        return status >= 0 && status < WC_STATUSES.length ? WC_STATUSES[status].name() : "status " + status;
    }

    private static String describe(final InetSocketAddress address)
    {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    /**
     * A connection this transport made to a peer's listener, to pull from it.
     */
    private static final class Link
    {
        static final int RESOLVING_ADDRESS = 0;
        static final int RESOLVING_ROUTE = 1;
        static final int CONNECTING = 2;
        static final int UP = 3;
        static final int DOWN = 4;
        static final String[] STEP_NAMES = { "resolve address", "resolve route", "connect", "up", "down" };

        final PeerInfo peer;
        final InetSocketAddress listener;
        final ArrayDeque<Pull> queued = new ArrayDeque<>();
        final ArrayDeque<Pull> inFlight = new ArrayDeque<>();
        int state;
        long deadlineNs;
        RdmaCmId id;
        IbvQP qp;
        SVCPostSend postSend;
        SVCPostSend.SendWRMod wrMod;
        SVCPostSend.RdmaMod rdmaMod;
        SVCPostSend.SgeMod sgeMod;
        int posted;

        Link(final PeerInfo peer, final InetSocketAddress listener)
        {
            this.peer = peer;
            this.listener = listener;
        }

        void step(final int state, final long deadlineNs)
        {
            this.state = state;
            this.deadlineNs = deadlineNs;
        }

        /**
         * Build the one work request this link posts, again and again, with new ids, addresses and keys.
         */
        void preparePostSend() throws IOException
        {
            final IbvSge sge = new IbvSge();
            final LinkedList<IbvSge> sgeList = new LinkedList<>();
            sgeList.add(sge);
            final IbvSendWR wr = new IbvSendWR();
            wr.setSg_list(sgeList);
            wr.setOpcode(IbvSendWR.IBV_WR_RDMA_READ);
            wr.setSend_flags(IbvSendWR.IBV_SEND_SIGNALED);
            final List<IbvSendWR> wrs = new ArrayList<>(1);
            wrs.add(wr);
            postSend = qp.postSend(wrs, null);
            wrMod = postSend.getWrMod(0);
            rdmaMod = wrMod.getRdmaMod();
            sgeMod = wrMod.getSgeMod(0);
        }

        public String toString()
        {
            return "link to " + peer + " at " + describe(listener);
        }
    }

    /**
     * A connection a peer made to this transport's listener, to pull from its regions.
     */
    private static final class Accepted
    {
        final RdmaCmId id;
        IbvQP qp;

        Accepted(final RdmaCmId id)
        {
            this.id = id;
        }
    }

    private static final class Registration
    {
        final long regionId;
        final long address;
        final long length;
        final IbvMr mr;
        final RegionDescriptor descriptor;

        Registration(
            final long regionId, final long address, final long length, final IbvMr mr, final RegionDescriptor descriptor)
        {
            this.regionId = regionId;
            this.address = address;
            this.length = length;
            this.mr = mr;
            this.descriptor = descriptor;
        }
    }

    private static final class AttachedRegion
    {
        final long regionId;
        final long length;
        final long address;
        final int rkey;

        AttachedRegion(final long regionId, final long length, final long address, final int rkey)
        {
            this.regionId = regionId;
            this.length = length;
            this.address = address;
            this.rkey = rkey;
        }
    }

    /**
     * An RDMA READ in flight: which pull it serves, on which link.
     */
    private static final class ReadSlot
    {
        Pull pull;
        Link link;
        int bytes;
        int generation;
    }

    private static final class Pull
    {
        Link link;
        PeerInfo peer;
        long regionId;
        long remoteAddress;
        int rkey;
        int length;
        int segmentCount;
        long[] segmentAddresses = new long[4];
        int[] segmentLengths = new int[4];
        int[] segmentOffsets = new int[4];
        int[] segmentLkeys = new int[4];
        int postedSegments;
        int outstanding;
        long correlationId;
        PullHandler handler;

        void addSegment(final long address, final int length, final int lkey)
        {
            if (segmentCount == segmentAddresses.length)
            {
                final int capacity = segmentCount * 2;
                segmentAddresses = Arrays.copyOf(segmentAddresses, capacity);
                segmentLengths = Arrays.copyOf(segmentLengths, capacity);
                segmentOffsets = Arrays.copyOf(segmentOffsets, capacity);
                segmentLkeys = Arrays.copyOf(segmentLkeys, capacity);
            }
            segmentOffsets[segmentCount] = 0 == segmentCount ?
                0 : segmentOffsets[segmentCount - 1] + segmentLengths[segmentCount - 1];
            segmentAddresses[segmentCount] = address;
            segmentLengths[segmentCount] = length;
            segmentLkeys[segmentCount] = lkey;
            segmentCount++;
        }
    }
}
