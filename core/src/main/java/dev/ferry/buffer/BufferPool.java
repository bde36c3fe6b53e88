package dev.ferry.buffer;

import dev.ferry.FerryException;
import dev.ferry.agent.IoAgentThreads;
import dev.ferry.bulk.Region;
import dev.ferry.shm.OwnedDirectory;
import dev.ferry.shm.ShmDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The dynamic buffer pool event data lives in: off-heap slabs mapped from owner-only files in
 * Ferry's shared-memory directory (so peers on the host can map them, and RDMA can register them
 * once), cut into power-of-two segments by a buddy allocator, never larger in total than its bound.
 * <p>
 * <b>Ways to get memory.</b>
 * <ul>
 *     <li>{@link #tryAllocate(int)} never blocks: a segment, or null when the pool is exhausted or
 *     others are already waiting (first come, first served).</li>
 *     <li>{@link #subscribe(PoolWaiter)} queues a waiter that is offered a segment when memory is
 *     released: how the I/O agent waits without blocking, pausing its I/O meanwhile.</li>
 *     <li>{@link #allocate(int, long)} blocks until a segment or the deadline; refused on an I/O agent thread.</li>
 *     <li>{@link #tryAllocateControl(int)} may also draw on a small reserve, kept so that control-path
 *     messages (an error report, say) still find memory when the pool is exhausted.</li>
 * </ul>
 * <b>Hand-off.</b> {@link #release(Segment)} frees the segment's block and then, while the first
 * waiter's request can be met, sets a segment aside for it under the lock and offers it; a waiter
 * that declines gives it straight back and the next is served. No wake-up is lost: a waiter that
 * subscribes when memory is free is served at once.
 * <p>
 * <b>Memory.</b> Slabs are mapped on first need, up to {@code maxBytes}, and kept until close, since
 * registering memory with RDMA is costly and the next burst will want them again. Each slab is
 * zero-filled when created so that a full tmpfs is reported then, not as SIGBUS later. Mapping runs
 * under the pool's lock, so the allocations that grow a cold pool pay for it (milliseconds for a
 * 64 MiB slab); {@link Context#premap(boolean)} pays it all at construction instead.
 * <p>
 * Thread-safe. Allocation and release each take one monitor (release takes it again only when
 * waiters are queued) and create no garbage when leak detection is disabled (see {@link LeakDetection} for what sampling costs).
 */
public final class BufferPool implements AutoCloseable
{
    private static final Logger LOGGER = LoggerFactory.getLogger(BufferPool.class);

    private final Object lock = new Object();
    private final String name;
    private final long maxBytes;
    private final int reserveBytes;
    private final OwnedDirectory directory;
    private final BuddyArena arena;
    private final BuddyArena reserve;
    private final ArrayDeque<PoolWaiter> waiters = new ArrayDeque<>(64);
    private final LeakDetection leakDetection;
    private final int leakSamplingInterval;
    private final LeakListener leakListener;
    private final ReferenceQueue<Segment> leakQueue = new ReferenceQueue<>();
    private final Set<LeakTracker> trackers = new HashSet<>();

    private Segment recycled;
    private long allocationCount;
    private boolean closed;

    private volatile long inUseBytes;
    private volatile long highWaterBytes;
    private volatile long reserveInUseBytes;
    private volatile int segmentsInUse;
    private volatile int waiterCount;
    private volatile long handOffs;
    private volatile long timeouts;
    private volatile long leaks;

    /**
     * Create a pool. Maps the reserve at once; data slabs are mapped on first need.
     *
     * @param context the pool's settings; concluded here.
     */
    public BufferPool(final Context context)
    {
        context.conclude();
        this.name = context.name();
        this.maxBytes = context.maxBytes();
        this.reserveBytes = context.reserveBytes();
        this.leakDetection = context.leakDetection();
        this.leakSamplingInterval = context.leakSamplingInterval();
        this.leakListener = context.leakListener();
        this.directory = ShmDirectory.open(context.directory()).createOwned("pool-" + name);

        final Path dir = directory.path();
        try
        {
            this.arena = new BuddyArena(
                context.slabBytes(),
                context.minSegmentBytes(),
                (int)((maxBytes - reserveBytes) / context.slabBytes()),
                (index, length) -> Slab.map(dir.resolve("slab-" + index), index, length));
            this.reserve = new BuddyArena(
                reserveBytes,
                Math.min(context.minSegmentBytes(), reserveBytes),
                1,
                (index, length) -> Slab.map(dir.resolve("reserve"), index, length));
            reserve.mapAll();
            if (context.premap())
            {
                arena.mapAll();
            }
        }
        catch (final RuntimeException ex)
        {
            directory.close();
            throw ex;
        }
    }

    /**
     * @return the pool's name, used in file names and messages.
     */
    public String name()
    {
        return name;
    }

    /**
     * @return the largest segment the pool hands out, its slab size.
     */
    public int maxSegmentBytes()
    {
        return arena.maxBlockBytes();
    }

    /**
     * Allocate without blocking.
     *
     * @param size bytes wanted, from 1 to {@link #maxSegmentBytes()}.
     * @return a segment of {@code size} bytes, or null if the pool is exhausted or waiters are queued
     * ahead of this request.
     * @throws IllegalArgumentException if the size is out of range.
     * @throws PoolClosedException      if the pool is closed.
     * @throws FerryException if a new slab was needed and could not be created.
     */
    public Segment tryAllocate(final int size)
    {
        checkSize(size, arena);
        final Segment segment;
        synchronized (lock)
        {
            checkOpen(size);
            segment = waiters.isEmpty() ? allocateLocked(arena, size, true) : null;
        }
        pollLeaks();

        return segment;
    }

    /**
     * Allocate without blocking for a control-path message: from the pool if it can serve at once,
     * else from the reserve kept for this purpose.
     *
     * @param size bytes wanted, from 1 to the reserve's size.
     * @return a segment, or null if both the pool and the reserve are exhausted.
     */
    public Segment tryAllocateControl(final int size)
    {
        checkSize(size, reserve);
        final Segment segment;
        synchronized (lock)
        {
            checkOpen(size);
            final Segment fromPool = waiters.isEmpty() ? allocateLocked(arena, size, true) : null;
            segment = null != fromPool ? fromPool : allocateLocked(reserve, size, false);
        }
        pollLeaks();

        return segment;
    }

    /**
     * Allocate, waiting for memory to be released until the deadline.
     * <p>
     * <b>Blocks.</b> Must not be called on an I/O agent thread.
     *
     * @param size       bytes wanted, from 1 to {@link #maxSegmentBytes()}.
     * @param deadlineNs {@link System#nanoTime()} by which to give up.
     * @return a segment of {@code size} bytes.
     * @throws PoolExhaustedException if the deadline passes first; the message names the size, the
     *                                bound and the use.
     * @throws PoolClosedException    if the pool is or gets closed.
     * @throws IllegalStateException  on an I/O agent thread.
     * @throws FerryException if interrupted (the interrupt flag is kept set).
     */
    public Segment allocate(final int size, final long deadlineNs)
    {
        IoAgentThreads.checkMayBlock("BufferPool.allocate");
        final Segment immediate = tryAllocate(size);
        if (null != immediate)
        {
            return immediate;
        }

        final long startNs = System.nanoTime();
        final BlockingWaiter waiter = new BlockingWaiter(size, Thread.currentThread());
        subscribe(waiter);
        while (true)
        {
            final Segment segment = waiter.segment;
            if (null != segment)
            {
                return segment;
            }

            final PoolClosedException closedCause = waiter.closedCause;
            if (null != closedCause)
            {
                throw closedCause;
            }

            final long remainingNs = deadlineNs - System.nanoTime();
            if (remainingNs <= 0 || Thread.currentThread().isInterrupted())
            {
                if (waiter.giveUp())
                {
                    cancel(waiter);
                    if (Thread.currentThread().isInterrupted())
                    {
                        throw new FerryException(
                            "interrupted while waiting for " + size + " bytes from buffer pool '" + name + "'");
                    }
                    synchronized (lock)
                    {
                        timeouts++;
                    }
                    throw new PoolExhaustedException(exhaustedMessage(size, System.nanoTime() - startNs));
                }
                continue; // served or closed at the last moment: take what came
            }

            LockSupport.parkNanos(this, remainingNs);
        }
    }

    /**
     * Allocate, waiting for memory at most {@code timeout}; see {@link #allocate(int, long)}.
     * <p>
     * <b>Blocks.</b>
     *
     * @param size    bytes wanted.
     * @param timeout longest wait.
     * @return a segment of {@code size} bytes.
     */
    public Segment allocate(final int size, final Duration timeout)
    {
        return allocate(size, System.nanoTime() + timeout.toNanos());
    }

    /**
     * Queue a waiter for memory. If the pool can serve it at once (no one ahead and memory free),
     * it is offered a segment before this method returns.
     * If the pool is closed, the waiter is told so before this method returns.
     *
     * @param waiter to queue.
     * @throws IllegalArgumentException if its size is out of range.
     */
    public void subscribe(final PoolWaiter waiter)
    {
        final int size = waiter.size();
        checkSize(size, arena);
        final Segment segment;
        synchronized (lock)
        {
            if (closed)
            {
                segment = null;
            }
            else
            {
                segment = waiters.isEmpty() ? allocateLocked(arena, size, true) : null;
                if (null == segment)
                {
                    waiters.addLast(waiter);
                    waiterCount = waiters.size();
                    return;
                }
            }
        }

        if (null == segment)
        {
            waiter.onPoolClosed(new PoolClosedException(closedMessage(size)));
        }
        else
        {
            offer(waiter, segment);
            serveWaiters();
        }
    }

    /**
     * Remove a queued waiter.
     *
     * @param waiter to remove.
     * @return true if it was queued; false if it was already served, told of close, or never queued.
     */
    public boolean cancel(final PoolWaiter waiter)
    {
        final boolean removed;
        synchronized (lock)
        {
            removed = waiters.remove(waiter);
            waiterCount = waiters.size();
        }

        if (removed)
        {
            serveWaiters(); // the head may have been holding back those behind it
        }

        return removed;
    }

    /**
     * Give a segment back and hand its memory to waiters. Safe after {@link #close()}.
     *
     * @param segment allocated from this pool and not yet released.
     * @throws IllegalArgumentException if the segment is from another pool.
     * @throws IllegalStateException    if it was already released (caught reliably in paranoid mode).
     */
    public void release(final Segment segment)
    {
        if (segment.pool != this)
        {
            throw new IllegalArgumentException(
                "segment from pool '" + segment.pool.name + "' released to pool '" + name + "'");
        }

        synchronized (lock)
        {
            if (!segment.allocated)
            {
                throw new IllegalStateException(segment + " was already released; release each segment once");
            }
            releaseLocked(segment);
        }

        serveWaiters();
        pollLeaks();
    }

    /**
     * Find segments garbage-collected without release: report each to the leak listener and take
     * its memory back. Called on every allocation and release; call it from a duty cycle to find
     * leaks sooner in a quiet pool.
     *
     * @return how many leaks were found.
     */
    public int pollLeaks()
    {
        if (LeakDetection.DISABLED == leakDetection)
        {
            return 0;
        }

        Reference<? extends Segment> reference = leakQueue.poll();
        if (null == reference)
        {
            return 0;
        }

        final List<LeakTracker> found = new ArrayList<>();
        synchronized (lock)
        {
            for (; null != reference; reference = leakQueue.poll())
            {
                final LeakTracker tracker = (LeakTracker)reference;
                if (trackers.remove(tracker))
                {
                    freeLocked(tracker.arena, tracker.blockId);
                    leaks++;
                    found.add(tracker);
                }
            }
        }

        for (final LeakTracker tracker : found)
        {
            leakListener.onLeak(name, tracker.length, tracker.allocatedAt);
        }
        serveWaiters();

        return found.size();
    }

    /**
     * Close the pool: every queued waiter is told, and slabs whose segments are all back are
     * unmapped and their files removed. Memory of segments still held stays mapped until they are
     * released or garbage-collected, so a late writer never touches unmapped memory. Idempotent.
     */
    public void close()
    {
        final PoolWaiter[] toFail;
        synchronized (lock)
        {
            if (closed)
            {
                return;
            }
            closed = true;
            toFail = waiters.toArray(new PoolWaiter[0]);
            waiters.clear();
            waiterCount = 0;

            unmapUnused(arena);
            unmapUnused(reserve);
        }

        for (final PoolWaiter waiter : toFail)
        {
            waiter.onPoolClosed(new PoolClosedException(closedMessage(waiter.size())));
        }

        if (segmentsInUse > 0)
        {
            LOGGER.warn(
                "buffer pool '{}' closed with {} segments ({}) still in use; their memory stays mapped until " +
                "they are released", name, segmentsInUse, Sizes.format(inUseBytes));
        }
        directory.close();
    }

    /**
     * @return true once {@link #close()} was called.
     */
    public boolean isClosed()
    {
        synchronized (lock)
        {
            return closed;
        }
    }

    /**
     * @return the pool's bound: slabs plus reserve never exceed it.
     */
    public long maxBytes()
    {
        return maxBytes;
    }

    /**
     * @return bytes in segments handed out from the slabs (block sizes, not requested lengths).
     */
    public long inUseBytes()
    {
        return inUseBytes;
    }

    /**
     * @return the most {@link #inUseBytes()} ever reached.
     */
    public long highWaterBytes()
    {
        return highWaterBytes;
    }

    /**
     * @return bytes handed out from the control-path reserve.
     */
    public long reserveInUseBytes()
    {
        return reserveInUseBytes;
    }

    /**
     * @return segments handed out and not released, reserve included.
     */
    public int segmentsInUse()
    {
        return segmentsInUse;
    }

    /**
     * @return waiters queued now.
     */
    public int waiters()
    {
        return waiterCount;
    }

    /**
     * @return segments handed to waiters (and taken) since the pool was created.
     */
    public long handOffs()
    {
        return handOffs;
    }

    /**
     * @return blocking allocations that reached their deadline.
     */
    public long timeouts()
    {
        return timeouts;
    }

    /**
     * @return segments found garbage-collected without release.
     */
    public long leaks()
    {
        return leaks;
    }

    /**
     * @return bytes of slabs mapped now, reserve included.
     */
    public long mappedBytes()
    {
        synchronized (lock)
        {
            return arena.mappedBytes() + reserve.mappedBytes();
        }
    }

    /**
     * @return the free bytes in the mapped slabs, for invariant checks: with {@link #inUseBytes()}
     * it adds up to the mapped data slabs exactly.
     */
    long freeBytesInSlabs()
    {
        synchronized (lock)
        {
            return arena.freeBytes();
        }
    }

    /**
     * @return the slabs mapped now, for transports that register them.
     */
    public List<Region> regions()
    {
        synchronized (lock)
        {
            final List<Region> regions = new ArrayList<>(arena.slabCount() + 1);
            for (int i = 0; i < arena.slabCount(); i++)
            {
                regions.add(arena.slabAt(i));
            }
            regions.add(reserve.slabAt(0));
            return regions;
        }
    }

    /**
     * @return the directory the pool's files are in.
     */
    public Path directory()
    {
        return directory.path();
    }

    public String toString()
    {
        return "BufferPool{name=" + name + ", inUse=" + Sizes.format(inUseBytes) + ", bound=" + Sizes.format(maxBytes) +
            ", segments=" + segmentsInUse + ", waiters=" + waiterCount + "}";
    }

    private Segment allocateLocked(final BuddyArena from, final int size, final boolean allowGrow)
    {
        final int blockId = from.allocate(from.orderFor(size), allowGrow);
        if (BuddyArena.NIL == blockId)
        {
            return null;
        }

        final Segment segment = newHandle();
        segment.bind(from, blockId, size);
        if (!segment.recyclable)
        {
            segment.tracker = new LeakTracker(segment, leakQueue, new Throwable("segment allocated here"));
            trackers.add(segment.tracker);
        }

        final int capacity = segment.capacity;
        if (from == arena)
        {
            final long inUse = inUseBytes + capacity;
            inUseBytes = inUse;
            if (inUse > highWaterBytes)
            {
                highWaterBytes = inUse;
            }
        }
        else
        {
            reserveInUseBytes = reserveInUseBytes + capacity;
        }
        segmentsInUse = segmentsInUse + 1;

        return segment;
    }

    private Segment newHandle()
    {
        final boolean tracked = LeakDetection.PARANOID == leakDetection ||
            (LeakDetection.SAMPLED == leakDetection && 0 == (allocationCount++ % leakSamplingInterval));
        if (tracked)
        {
            final Segment segment = new Segment(this);
            segment.recyclable = false;
            return segment;
        }

        Segment segment = recycled;
        if (null != segment)
        {
            recycled = segment.nextRecycled;
            segment.nextRecycled = null;
        }
        else
        {
            segment = new Segment(this);
            segment.recyclable = true;
        }

        return segment;
    }

    private void freeLocked(final BuddyArena from, final int blockId)
    {
        final int capacity = from.blockBytes(from.orderOf(blockId));
        final Slab slab = from.free(blockId);
        if (from == arena)
        {
            inUseBytes = inUseBytes - capacity;
        }
        else
        {
            reserveInUseBytes = reserveInUseBytes - capacity;
        }
        segmentsInUse = segmentsInUse - 1;

        if (closed && 0 == slab.usedBlocks)
        {
            slab.unmap();
        }
    }

    private static void unmapUnused(final BuddyArena from)
    {
        for (int i = 0; i < from.slabCount(); i++)
        {
            final Slab slab = from.slabAt(i);
            if (0 == slab.usedBlocks)
            {
                slab.unmap();
            }
        }
    }

    private void serveWaiters()
    {
        // No lost wake-up: a waiter that queues after memory was freed finds that memory when it subscribes.
        if (0 == waiterCount)
        {
            return;
        }

        while (true)
        {
            final PoolWaiter waiter;
            final Segment segment;
            synchronized (lock)
            {
                waiter = waiters.peekFirst();
                if (closed || null == waiter)
                {
                    return;
                }

                segment = allocateLocked(arena, waiter.size(), false);
                if (null == segment)
                {
                    return;
                }
                waiters.pollFirst();
                waiterCount = waiters.size();
            }

            offer(waiter, segment);
        }
    }

    private void offer(final PoolWaiter waiter, final Segment segment)
    {
        boolean taken = false;
        try
        {
            taken = waiter.onSegment(segment);
        }
        catch (final RuntimeException ex)
        {
            LOGGER.error("pool waiter {} failed on being offered {}; the segment is passed on", waiter, segment, ex);
        }

        if (taken)
        {
            synchronized (lock)
            {
                handOffs++;
            }
        }
        else
        {
            synchronized (lock)
            {
                releaseLocked(segment);
            }
        }
    }

    private void releaseLocked(final Segment segment)
    {
        freeLocked(segment.arena, segment.blockId);
        final LeakTracker tracker = segment.tracker;
        if (null != tracker)
        {
            tracker.clear();
            trackers.remove(tracker);
            segment.tracker = null;
        }
        segment.allocated = false;
        if (segment.recyclable)
        {
            segment.slab = null;
            segment.nextRecycled = recycled;
            recycled = segment;
        }
    }

    private void checkSize(final int size, final BuddyArena from)
    {
        if (size <= 0 || size > from.maxBlockBytes())
        {
            throw new IllegalArgumentException(
                "cannot allocate " + size + " bytes from buffer pool '" + name + "': sizes run from 1 byte to " +
                Sizes.format(from.maxBlockBytes()) + (from == arena ?
                " (its slab size); split larger data over several segments or raise the slab size" : " (its reserve)"));
        }
    }

    private void checkOpen(final int size)
    {
        if (closed)
        {
            throw new PoolClosedException(closedMessage(size));
        }
    }

    private String closedMessage(final int size)
    {
        return "buffer pool '" + name + "' is closed; the request for " + size + " bytes cannot be served " +
            "(the producer, consumer or server that owns the pool has shut down)";
    }

    private String exhaustedMessage(final int size, final long waitedNs)
    {
        final long inUse;
        final int segments;
        final int queued;
        synchronized (lock)
        {
            inUse = inUseBytes;
            segments = segmentsInUse;
            queued = waiters.size();
        }

        return "buffer pool '" + name + "' could not allocate " + size + " bytes (" + Sizes.format(size) + ") within " +
            TimeUnit.NANOSECONDS.toMillis(waitedNs) + " ms: " + Sizes.format(inUse) + " of its " +
            Sizes.format(maxBytes - reserveBytes) + " bound are in use in " + segments + " segments, " + queued +
            " other requests waiting; release segments sooner, raise the pool's bound, or lower the rate";
    }

    /**
     * A thread parked in {@link #allocate(int, long)}. Exactly one of serve, close and give-up wins.
     */
    private static final class BlockingWaiter implements PoolWaiter
    {
        private static final int WAITING = 0;
        private static final int DONE = 1;

        private final int size;
        private final Thread thread;
        private final AtomicInteger state = new AtomicInteger(WAITING);
        volatile Segment segment;
        volatile PoolClosedException closedCause;

        BlockingWaiter(final int size, final Thread thread)
        {
            this.size = size;
            this.thread = thread;
        }

        public int size()
        {
            return size;
        }

        public boolean onSegment(final Segment segment)
        {
            if (!state.compareAndSet(WAITING, DONE))
            {
                return false;
            }
            this.segment = segment;
            LockSupport.unpark(thread);
            return true;
        }

        public void onPoolClosed(final PoolClosedException cause)
        {
            if (state.compareAndSet(WAITING, DONE))
            {
                closedCause = cause;
                LockSupport.unpark(thread);
            }
        }

        boolean giveUp()
        {
            return state.compareAndSet(WAITING, DONE);
        }

        public String toString()
        {
            return "BlockingWaiter{size=" + size + ", thread=" + thread.getName() + "}";
        }
    }

    /**
     * A pool's settings. Setters return this; {@link #conclude()} checks them once and fills defaults.
     */
    public static final class Context
    {
        /**
         * Default bound: 1 GiB.
         */
        public static final long MAX_BYTES_DEFAULT = 1L << 30;

        /**
         * Default slab size and so largest segment: 64 MiB.
         */
        public static final int SLAB_BYTES_DEFAULT = 64 << 20;

        /**
         * Default smallest segment: 4 KiB, a page.
         */
        public static final int MIN_SEGMENT_BYTES_DEFAULT = 4 << 10;

        /**
         * Default control-path reserve: 256 KiB.
         */
        public static final int RESERVE_BYTES_DEFAULT = 256 << 10;

        /**
         * Default leak sampling: one allocation in 128.
         */
        public static final int LEAK_SAMPLING_INTERVAL_DEFAULT = 128;

        private String name = "pool";
        private Path directory;
        private long maxBytes = MAX_BYTES_DEFAULT;
        private int slabBytes = SLAB_BYTES_DEFAULT;
        private int minSegmentBytes = MIN_SEGMENT_BYTES_DEFAULT;
        private int reserveBytes = RESERVE_BYTES_DEFAULT;
        private LeakDetection leakDetection;
        private int leakSamplingInterval = LEAK_SAMPLING_INTERVAL_DEFAULT;
        private LeakListener leakListener;
        private boolean premap;
        private boolean concluded;

        /**
         * Check the settings and fill defaults. Called by the pool; idempotent.
         *
         * @return this.
         * @throws IllegalArgumentException naming the setting at fault and what it must be.
         */
        public Context conclude()
        {
            if (concluded)
            {
                return this;
            }

            if (!name.matches("[A-Za-z0-9._-]{1,64}"))
            {
                throw new IllegalArgumentException(
                    "pool name '" + name + "' must be 1 to 64 letters, digits, '.', '_' or '-'");
            }
            requirePowerOfTwo("slab size", slabBytes, 4 << 10, 1 << 30);
            requirePowerOfTwo("smallest segment", minSegmentBytes, 64, slabBytes);
            requirePowerOfTwo("control reserve", reserveBytes, 64, slabBytes);
            if (maxBytes < (long)slabBytes + reserveBytes)
            {
                throw new IllegalArgumentException(
                    "pool '" + name + "': a bound of " + Sizes.format(maxBytes) + " holds no " + Sizes.format(slabBytes) +
                    " slab besides the " + Sizes.format(reserveBytes) + " reserve; raise the bound to at least " +
                    Sizes.format((long)slabBytes + reserveBytes) + " or lower the slab size");
            }
            if (((maxBytes - reserveBytes) / slabBytes) * ((long)slabBytes / minSegmentBytes) > Integer.MAX_VALUE)
            {
                throw new IllegalArgumentException(
                    "pool '" + name + "': " + Sizes.format(maxBytes) + " in " + Sizes.format(minSegmentBytes) +
                    " pieces is too many segments to index; raise the smallest segment size");
            }
            if (leakSamplingInterval < 1)
            {
                throw new IllegalArgumentException("leak sampling interval must be at least 1, was " + leakSamplingInterval);
            }
            if (null == directory)
            {
                directory = ShmDirectory.defaultRoot();
            }
            if (null == leakDetection)
            {
                leakDetection = LeakDetection.fromSystemProperty();
            }
            if (null == leakListener)
            {
                leakListener = (pool, length, allocatedAt) -> LOGGER.error(
                    "LEAK: a segment of {} bytes from buffer pool '{}' was garbage-collected without release(); " +
                    "its memory was taken back. Release every segment you allocate. It was allocated here:",
                    length, pool, allocatedAt);
            }
            concluded = true;

            return this;
        }

        private static void requirePowerOfTwo(final String what, final long value, final long min, final long max)
        {
            if (value < min || value > max || Long.bitCount(value) != 1)
            {
                throw new IllegalArgumentException(
                    what + " must be a power of two from " + Sizes.format(min) + " to " + Sizes.format(max) +
                    ", was " + value + " bytes");
            }
        }

        public String name()
        {
            return name;
        }

        /**
         * @param name of the pool, in file names and messages.
         * @return this.
         */
        public Context name(final String name)
        {
            this.name = name;
            return this;
        }

        public Path directory()
        {
            return directory;
        }

        /**
         * @param directory Ferry's shared-memory root; default {@link ShmDirectory#defaultRoot()}.
         * @return this.
         */
        public Context directory(final Path directory)
        {
            this.directory = directory;
            return this;
        }

        public long maxBytes()
        {
            return maxBytes;
        }

        /**
         * @param maxBytes the bound on mapped memory, reserve included.
         * @return this.
         */
        public Context maxBytes(final long maxBytes)
        {
            this.maxBytes = maxBytes;
            return this;
        }

        public int slabBytes()
        {
            return slabBytes;
        }

        /**
         * @param slabBytes size of each mapped file, and the largest segment; a power of two.
         * @return this.
         */
        public Context slabBytes(final int slabBytes)
        {
            this.slabBytes = slabBytes;
            return this;
        }

        public int minSegmentBytes()
        {
            return minSegmentBytes;
        }

        /**
         * @param minSegmentBytes the smallest segment; a power of two.
         * @return this.
         */
        public Context minSegmentBytes(final int minSegmentBytes)
        {
            this.minSegmentBytes = minSegmentBytes;
            return this;
        }

        public int reserveBytes()
        {
            return reserveBytes;
        }

        /**
         * @param reserveBytes memory kept for control-path messages; a power of two.
         * @return this.
         */
        public Context reserveBytes(final int reserveBytes)
        {
            this.reserveBytes = reserveBytes;
            return this;
        }

        public LeakDetection leakDetection()
        {
            return leakDetection;
        }

        /**
         * @param leakDetection level; default from {@link LeakDetection#fromSystemProperty()}.
         * @return this.
         */
        public Context leakDetection(final LeakDetection leakDetection)
        {
            this.leakDetection = leakDetection;
            return this;
        }

        public int leakSamplingInterval()
        {
            return leakSamplingInterval;
        }

        /**
         * @param leakSamplingInterval track one allocation in this many when sampling.
         * @return this.
         */
        public Context leakSamplingInterval(final int leakSamplingInterval)
        {
            this.leakSamplingInterval = leakSamplingInterval;
            return this;
        }

        public boolean premap()
        {
            return premap;
        }

        /**
         * @param premap map every slab the bound allows when the pool is created, rather than on
         *               first need; default false.
         * @return this.
         */
        public Context premap(final boolean premap)
        {
            this.premap = premap;
            return this;
        }

        public LeakListener leakListener()
        {
            return leakListener;
        }

        /**
         * @param leakListener told of each leak; default logs it at ERROR with the allocation's stack trace.
         * @return this.
         */
        public Context leakListener(final LeakListener leakListener)
        {
            this.leakListener = leakListener;
            return this;
        }
    }
}
