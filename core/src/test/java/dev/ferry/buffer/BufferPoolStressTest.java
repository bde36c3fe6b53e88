package dev.ferry.buffer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Threads allocate, release, wait with short deadlines and cancel, for a fixed count of operations,
 * on a pool small enough to be exhausted all the time; the invariants are checked at the end.
 */
@Timeout(120)
class BufferPoolStressTest
{
    private static final int KIB = 1024;
    private static final int THREADS = 4;
    private static final int OPERATIONS_PER_THREAD = 20_000;
    private static final int MAX_HELD_PER_THREAD = 6;

    @TempDir
    Path root;

    @Test
    void invariantsHoldAfterAllocateReleaseTimeoutAndCancelFromManyThreads() throws Exception
    {
        final AtomicInteger leaksReported = new AtomicInteger();
        final BufferPool pool = new BufferPool(new BufferPool.Context().name("stress").directory(root)
            .slabBytes(64 * KIB).minSegmentBytes(KIB).reserveBytes(KIB).maxBytes(2 * 64 * KIB + KIB)
            .leakDetection(LeakDetection.PARANOID)
            .leakListener((name, length, allocatedAt) -> leaksReported.incrementAndGet()));
        final BufferPoolTest.OccupancyMap occupancy = new BufferPoolTest.OccupancyMap(KIB);
        final Counts counts = new Counts();

        final ExecutorService executor = Executors.newFixedThreadPool(THREADS);
        try
        {
            final List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++)
            {
                workers.add(executor.submit(() -> work(pool, occupancy, counts)));
            }
            for (final Future<?> worker : workers)
            {
                worker.get(100, TimeUnit.SECONDS);
            }
        }
        finally
        {
            executor.shutdownNow();
        }

        // every waiter was served, timed out or cancelled; none is left queued
        assertEquals(counts.subscribed.get(), counts.served.get() + counts.cancelled.get(),
            "subscribed waiters must each be served or cancelled");
        assertEquals(counts.blocking.get(), counts.blockingServed.get() + counts.timedOut.get(),
            "blocking allocations must each be served or time out");
        assertEquals(counts.timedOut.get(), pool.timeouts());
        assertEquals(0, pool.waiters());
        assertTrue(counts.allocated.get() > OPERATIONS_PER_THREAD, "the run must actually allocate");
        assertTrue(counts.timedOut.get() + counts.cancelled.get() > 0, "the pool must have been exhausted at times");

        // bytes accounted exactly: everything is back and merged
        assertEquals(0, pool.segmentsInUse());
        assertEquals(0, pool.inUseBytes());
        assertEquals(pool.mappedBytes() - KIB, pool.freeBytesInSlabs());
        assertTrue(pool.highWaterBytes() <= pool.maxBytes());

        // no segment was dropped without release
        System.gc();
        pool.pollLeaks();
        assertEquals(0, leaksReported.get());
        assertEquals(0, pool.leaks());
        pool.close();
    }

    private static void work(final BufferPool pool, final BufferPoolTest.OccupancyMap occupancy, final Counts counts)
    {
        final ThreadLocalRandom random = ThreadLocalRandom.current();
        final List<Segment> held = new ArrayList<>();
        for (int op = 0; op < OPERATIONS_PER_THREAD; op++)
        {
            final int size = 1 + random.nextInt(24 * KIB);
            final int choice = random.nextInt(100);
            Segment segment = null;
            if (held.size() >= MAX_HELD_PER_THREAD || (!held.isEmpty() && choice < 45))
            {
                final Segment released = held.remove(random.nextInt(held.size()));
                occupancy.vacate(released);
                released.release();
            }
            else if (choice < 75)
            {
                segment = pool.tryAllocate(size);
            }
            else if (choice < 90)
            {
                counts.blocking.incrementAndGet();
                try
                {
                    segment = pool.allocate(size, Duration.ofMillis(random.nextInt(1, 3)));
                    counts.blockingServed.incrementAndGet();
                }
                catch (final PoolExhaustedException ex)
                {
                    counts.timedOut.incrementAndGet();
                }
            }
            else
            {
                segment = subscribeThenMaybeCancel(pool, size, random, counts);
            }

            if (null != segment)
            {
                counts.allocated.incrementAndGet();
                occupancy.claim(segment);
                writeAndCheck(segment, op);
                held.add(segment);
            }
        }

        for (final Segment segment : held)
        {
            occupancy.vacate(segment);
            segment.release();
        }
    }

    /**
     * Subscribe a callback waiter, then either cancel it at once or spin briefly for it. A segment that
     * arrives after the cancel was decided is declined, as the agent's waiters do.
     */
    private static Segment subscribeThenMaybeCancel(
        final BufferPool pool, final int size, final ThreadLocalRandom random, final Counts counts)
    {
        final HandOffWaiter waiter = new HandOffWaiter(size);
        counts.subscribed.incrementAndGet();
        pool.subscribe(waiter);
        final long deadline = System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(random.nextInt(0, 200));
        while (null == waiter.segment && System.nanoTime() - deadline < 0)
        {
            Thread.onSpinWait();
        }

        if (waiter.giveUp())
        {
            // still queued: cancel removes it; already dequeued: the offer in flight is declined and passed on
            pool.cancel(waiter);
            counts.cancelled.incrementAndGet();
            return null;
        }

        while (null == waiter.segment)
        {
            Thread.onSpinWait(); // onSegment has won the race and is storing the segment
        }
        counts.served.incrementAndGet();
        return waiter.segment;
    }

    private static void writeAndCheck(final Segment segment, final int op)
    {
        final byte value = (byte)op;
        segment.buffer().setMemory(0, segment.length(), value);
        if (segment.buffer().getByte(segment.length() - 1) != value || segment.buffer().getByte(0) != value)
        {
            throw new AssertionError(segment + " does not hold what was written to it");
        }
    }

    static final class HandOffWaiter implements PoolWaiter
    {
        private final int size;
        private final AtomicInteger state = new AtomicInteger();
        volatile Segment segment;

        HandOffWaiter(final int size)
        {
            this.size = size;
        }

        public int size()
        {
            return size;
        }

        public boolean onSegment(final Segment segment)
        {
            if (!state.compareAndSet(0, 1))
            {
                return false;
            }
            this.segment = segment;
            return true;
        }

        public void onPoolClosed(final PoolClosedException cause)
        {
            throw new AssertionError("the pool is not closed during the run", cause);
        }

        boolean giveUp()
        {
            return state.compareAndSet(0, 2);
        }
    }

    static final class Counts
    {
        final AtomicLong allocated = new AtomicLong();
        final AtomicLong blocking = new AtomicLong();
        final AtomicLong blockingServed = new AtomicLong();
        final AtomicLong timedOut = new AtomicLong();
        final AtomicLong subscribed = new AtomicLong();
        final AtomicLong served = new AtomicLong();
        final AtomicLong cancelled = new AtomicLong();
    }
}
