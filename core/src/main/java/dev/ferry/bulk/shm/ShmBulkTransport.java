package dev.ferry.bulk.shm;

import dev.ferry.bulk.BulkTransport;
import dev.ferry.bulk.BulkTransportException;
import dev.ferry.bulk.DataDescriptor;
import dev.ferry.bulk.InPlaceAccess;
import dev.ferry.bulk.PeerInfo;
import dev.ferry.bulk.PullChecks;
import dev.ferry.bulk.PullHandler;
import dev.ferry.bulk.Region;
import dev.ferry.bulk.RegionDescriptor;
import dev.ferry.event.DataView;
import dev.ferry.shm.DurableDirectory;
import org.agrona.BufferUtil;
import org.agrona.IoUtil;
import org.agrona.UnsafeApi;
import org.agrona.collections.Long2ObjectHashMap;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;

/**
 * The shared-memory bulk transport: a peer on the same host (same kernel boot id) maps the owner's
 * region files read-only and copies from them, or reads them in place ({@link InPlaceAccess}).
 * <p>
 * <b>Locator.</b> UTF-8 text {@code <boot id>\n<absolute path of the region file>}.
 * <p>
 * <b>What is trusted.</b> Nothing a peer says. A region is attached only if the peer's boot id is
 * this host's, its file lies under this process's Ferry shared-memory root or under a durable
 * server's marked data directory of this user ({@link DurableDirectory#trustedRootOf}), so that a peer
 * cannot make the puller read, say, a private key and serve it onward; is a regular file reached through no
 * symbolic link, belongs to this process's user, and is at least as long as the region claims. Every
 * pull is then checked against the region's length before any byte is read.
 * <p>
 * <b>Work.</b> Pulls are queued and copied in {@link #doWork()}, at most {@code chunkBytes} per call
 * so that one 64 MiB pull does not hold the agent for milliseconds. If the owner truncates its file
 * under a mapping, the JVM turns the fault into an {@link InternalError}; that pull fails and the
 * process lives.
 * <p>
 * {@link #register} and {@link #deregister} may run on any thread (they take this object's monitor,
 * which nothing else on the agent's path takes); every other method runs on the agent.
 * <p>
 * Mappings are unmapped when a peer is detached, unless an in-place view of them was handed out;
 * then the garbage collector unmaps them once the last view is gone, so a view never points at
 * unmapped memory.
 */
public final class ShmBulkTransport implements BulkTransport, InPlaceAccess
{
    /**
     * The transport's name.
     */
    public static final String NAME = "shm";

    /**
     * Default most bytes copied per {@link #doWork()}.
     */
    public static final int CHUNK_BYTES_DEFAULT = 4 << 20;

    private final PeerInfo localPeer;
    private final Path shmRoot;
    private final int chunkBytes;
    private final Long2ObjectHashMap<RegionDescriptor> registered = new Long2ObjectHashMap<>();
    private final Long2ObjectHashMap<Long2ObjectHashMap<AttachedRegion>> attachedByPeer = new Long2ObjectHashMap<>();
    private final ArrayDeque<Pull> pending = new ArrayDeque<>(64);
    private final ArrayDeque<Pull> freePulls = new ArrayDeque<>(64);
    private long bytesPulled;
    private boolean closed;

    /**
     * @param localPeer  this process.
     * @param shmRoot    Ferry's shared-memory root; only files under it are mapped.
     * @param chunkBytes most bytes copied per {@link #doWork()}.
     */
    public ShmBulkTransport(final PeerInfo localPeer, final Path shmRoot, final int chunkBytes)
    {
        if (chunkBytes <= 0)
        {
            throw new IllegalArgumentException("chunk size must be positive, was " + chunkBytes);
        }
        this.localPeer = localPeer;
        this.shmRoot = shmRoot.toAbsolutePath().normalize();
        this.chunkBytes = chunkBytes;
    }

    public String name()
    {
        return NAME;
    }

    public boolean reachable(final PeerInfo peer)
    {
        return localPeer.sameHostAs(peer);
    }

    public synchronized RegionDescriptor register(final Region region)
    {
        checkOpen();
        final RegionDescriptor known = registered.get(region.regionId());
        if (null != known)
        {
            return known;
        }

        final Path file = region.file();
        if (null == file)
        {
            throw new BulkTransportException(
                "region " + region.regionId() + " is not file-backed, so peers cannot map it; the shared-memory " +
                "transport can expose only pool and log memory");
        }

        final Path absolute = file.toAbsolutePath().normalize();
        if (null == trustedRootOf(absolute))
        {
            throw new BulkTransportException(
                "region " + region.regionId() + " is mapped from " + absolute + ", outside Ferry's shared-memory " +
                "root " + shmRoot + " and any durable data directory, where peers will not read; create the pool " +
                "under that root");
        }

        final String locator = localPeer.bootId() + "\n" + absolute;
        final RegionDescriptor descriptor =
            new RegionDescriptor(NAME, region.regionId(), region.length(), locator.getBytes(StandardCharsets.UTF_8));
        registered.put(region.regionId(), descriptor);
        return descriptor;
    }

    public synchronized void deregister(final Region region)
    {
        registered.remove(region.regionId());
    }

    public void attach(final PeerInfo peer, final RegionDescriptor descriptor)
    {
        checkOpen();
        final long regionId = descriptor.regionId();
        if (!NAME.equals(descriptor.transport()))
        {
            throw refuse(peer, regionId, "it is a '" + descriptor.transport() + "' descriptor, not a shared-memory one");
        }
        if (!reachable(peer))
        {
            throw refuse(peer, regionId,
                "the peer runs on another host (boot id " + peer.bootId() + ", ours " + localPeer.bootId() + "); " +
                "shared memory cannot reach it, use the RDMA transport");
        }

        final String locator = new String(descriptor.locator(), StandardCharsets.UTF_8);
        final int newline = locator.indexOf('\n');
        if (newline < 0 || !locator.substring(0, newline).equals(localPeer.bootId()))
        {
            throw refuse(peer, regionId, "its locator names another host or is malformed");
        }

        final Path file;
        try
        {
            file = Paths.get(locator.substring(newline + 1));
        }
        catch (final InvalidPathException ex)
        {
            throw refuse(peer, regionId, "its locator names no valid path");
        }
        final Path root = file.isAbsolute() && file.normalize().equals(file) ? trustedRootOf(file) : null;
        if (null == root)
        {
            throw refuse(peer, regionId,
                "its file " + file + " is not under Ferry's shared-memory root " + shmRoot + " (both processes " +
                "must use the same root, -Dferry.dir) nor under a durable server's data directory of this user");
        }

        final long length = descriptor.length();
        final AttachedRegion region =
            new AttachedRegion(regionId, file, length, mapReadOnly(peer, regionId, root, file, length));
        final AttachedRegion previous = attachedByPeer
            .computeIfAbsent(peer.peerId(), (ignore) -> new Long2ObjectHashMap<>())
            .put(regionId, region);
        if (null != previous)
        {
            release(peer, previous);
        }
    }

    public void detach(final PeerInfo peer)
    {
        final Long2ObjectHashMap<AttachedRegion> regions = attachedByPeer.remove(peer.peerId());
        if (null == regions)
        {
            return;
        }

        for (final AttachedRegion region : regions.values())
        {
            release(peer, region);
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

        final Pull pull = freePulls.isEmpty() ? new Pull() : freePulls.pollFirst();
        pull.peerId = peer.peerId();
        pull.region = region;
        pull.sourceAddress = region.address + source.offset() + offset;
        pull.remaining = length;
        pull.destination = destination;
        pull.destinationSegment = 0;
        pull.destinationOffset = 0;
        pull.length = length;
        pull.correlationId = correlationId;
        pull.handler = handler;
        pending.addLast(pull);
    }

    public DataView view(final PeerInfo peer, final DataDescriptor source, final long offset, final long length)
    {
        checkOpen();
        final AttachedRegion region = checkedRegion(peer, source, offset, length);
        if (length > Integer.MAX_VALUE)
        {
            throw new BulkTransportException("cannot view " + length + " bytes in one piece; view at most 2 GiB at a time");
        }
        region.viewed = true;

        return DataView.of(region.address + source.offset() + offset, (int)length, region.mapping);
    }

    public int doWork()
    {
        int budget = chunkBytes;
        int workCount = 0;
        Pull pull;
        while (budget > 0 && null != (pull = pending.peekFirst()))
        {
            final int copied;
            try
            {
                copied = copy(pull, budget);
            }
            catch (final InternalError ex)
            {
                pending.pollFirst();
                fail(pull, new BulkTransportException(
                    "pull of " + pull.length + " bytes from region " + pull.region.regionId + " of peer " + pull.peerId +
                    " faulted: its file " + pull.region.file + " was truncated under the mapping; the peer's memory " +
                    "is no longer valid, reconnect to it", ex));
                workCount++;
                continue;
            }

            budget -= copied;
            workCount++;
            if (0 == pull.remaining)
            {
                pending.pollFirst();
                bytesPulled += pull.length;
                final PullHandler handler = pull.handler;
                final long correlationId = pull.correlationId;
                recycle(pull);
                handler.onPullComplete(correlationId);
            }
        }

        return workCount;
    }

    public int pendingPulls()
    {
        return pending.size();
    }

    public long bytesPulled()
    {
        return bytesPulled;
    }

    public void close()
    {
        synchronized (this) // register and deregister may run on other threads
        {
            if (closed)
            {
                return;
            }
            closed = true;
            registered.clear();
        }

        Pull pull;
        while (null != (pull = pending.pollFirst()))
        {
            fail(pull, new BulkTransportException("shared-memory transport closed with the pull pending"));
        }

        for (final Long2ObjectHashMap<AttachedRegion> regions : attachedByPeer.values())
        {
            for (final AttachedRegion region : regions.values())
            {
                if (!region.viewed)
                {
                    IoUtil.unmap(region.mapping);
                }
            }
        }
        attachedByPeer.clear();
    }

    private int copy(final Pull pull, final int budget)
    {
        final DataView destination = pull.destination;
        int copied = 0;
        while (pull.remaining > 0 && copied < budget)
        {
            final int segment = pull.destinationSegment;
            final int room = destination.segmentLength(segment) - pull.destinationOffset;
            final int n = (int)Math.min(Math.min(room, pull.remaining), budget - copied);
            UnsafeApi.copyMemory(pull.sourceAddress, destination.segmentAddress(segment) + pull.destinationOffset, n);
            pull.sourceAddress += n;
            pull.remaining -= n;
            copied += n;
            if (n == room)
            {
                pull.destinationSegment++;
                pull.destinationOffset = 0;
            }
            else
            {
                pull.destinationOffset += n;
            }
        }

        return copied;
    }

    private AttachedRegion checkedRegion(
        final PeerInfo peer, final DataDescriptor source, final long offset, final long length)
    {
        final AttachedRegion region = PullChecks.attachedRegion(attachedByPeer, peer, source);
        PullChecks.checkRange(peer, source, region.length, offset, length);

        return region;
    }

    /**
     * @return the shared-memory root or the durable data directory the file lies under, or null.
     */
    private Path trustedRootOf(final Path absolute)
    {
        return absolute.startsWith(shmRoot) ? shmRoot : DurableDirectory.trustedRootOf(absolute);
    }

    private MappedByteBuffer mapReadOnly(
        final PeerInfo peer, final long regionId, final Path root, final Path file, final long length)
    {
        if (length <= 0 || length > Integer.MAX_VALUE)
        {
            throw refuse(peer, regionId, "its length " + length + " is not from 1 byte to 2 GiB");
        }

        try
        {
            // NOFOLLOW_LINKS guards only the last name, so a linked directory inside the root could
            // lead anywhere: the real path must be the one the locator names.
            final Path realFile = file.toRealPath();
            if (!realFile.equals(root.toRealPath().resolve(root.relativize(file))))
            {
                throw refuse(peer, regionId,
                    "its file " + file + " leads through a symbolic link to " + realFile + "; only files that lie " +
                    "under " + root + " itself are mapped");
            }
            final BasicFileAttributes attributes =
                Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!attributes.isRegularFile())
            {
                throw refuse(peer, regionId, "its file " + file + " is not a regular file");
            }
            final String owner = Files.getOwner(file, LinkOption.NOFOLLOW_LINKS).getName();
            if (!owner.equals(System.getProperty("user.name")))
            {
                throw refuse(peer, regionId, "its file " + file + " belongs to '" + owner + "', not to this user");
            }
            if (attributes.size() < length)
            {
                throw refuse(peer, regionId,
                    "its file " + file + " holds " + attributes.size() + " bytes, fewer than the " + length + " claimed");
            }

            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))
            {
                return channel.map(FileChannel.MapMode.READ_ONLY, 0, length);
            }
        }
        catch (final IOException ex)
        {
            throw new BulkTransportException(
                "cannot map region " + regionId + " of " + peer + " from " + file + ": " + ex + "; the peer may have " +
                "exited, or runs in another container whose /dev/shm this process cannot see", ex);
        }
    }

    private void release(final PeerInfo peer, final AttachedRegion region)
    {
        for (final Pull pull : pending.toArray(new Pull[0]))
        {
            if (pull.region == region)
            {
                pending.remove(pull);
                fail(pull, new BulkTransportException(
                    "region " + region.regionId + " of " + peer + " was detached with the pull pending"));
            }
        }

        if (!region.viewed)
        {
            IoUtil.unmap(region.mapping);
        }
    }

    private void fail(final Pull pull, final BulkTransportException cause)
    {
        final PullHandler handler = pull.handler;
        final long correlationId = pull.correlationId;
        recycle(pull);
        handler.onPullFailed(correlationId, cause);
    }

    private void recycle(final Pull pull)
    {
        pull.region = null;
        pull.destination = null;
        pull.handler = null;
        freePulls.addLast(pull);
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new BulkTransportException("the shared-memory transport is closed");
        }
    }

    private static BulkTransportException refuse(final PeerInfo peer, final long regionId, final String why)
    {
        return new BulkTransportException("refusing region " + regionId + " of " + peer + ": " + why);
    }

    private static final class AttachedRegion
    {
        final long regionId;
        final Path file;
        final long length;
        final MappedByteBuffer mapping;
        final long address;
        boolean viewed;

        AttachedRegion(final long regionId, final Path file, final long length, final MappedByteBuffer mapping)
        {
            this.regionId = regionId;
            this.file = file;
            this.length = length;
            this.mapping = mapping;
            this.address = BufferUtil.address(mapping);
        }
    }

    private static final class Pull
    {
        long peerId;
        AttachedRegion region;
        long sourceAddress;
        long remaining;
        DataView destination;
        int destinationSegment;
        int destinationOffset;
        int length;
        long correlationId;
        PullHandler handler;
    }
}
