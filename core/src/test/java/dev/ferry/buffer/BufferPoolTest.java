package dev.ferry.buffer;

import dev.ferry.agent.IoAgentThreads;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class BufferPoolTest
{
    private static final int KIB = 1024;

    @TempDir
    Path root;

    private final List<BufferPool> pools = new ArrayList<>();

    @AfterEach
    void closePools()
    {
        pools.forEach(BufferPool::close);
        IoAgentThreads.clearCurrentThread();
    }

    /**
     * One slab of 64 KiB, 4 KiB segments, 4 KiB reserve.
     */
    private BufferPool smallPool(final String name)
    {
        return pool(new BufferPool.Context().name(name).slabBytes(64 * KIB).minSegmentBytes(4 * KIB)
            .reserveBytes(4 * KIB).maxBytes(68 * KIB));
    }

    private BufferPool pool(final BufferPool.Context context)
    {
        final BufferPool pool = new BufferPool(context.directory(root).leakDetection(LeakDetection.PARANOID));
        pools.add(pool);
        return pool;
    }

    @Test
    void segmentsAreWritableReadableAndSizedToPowersOfTwo()
    {
        final BufferPool pool = smallPool("rw");
        final Segment segment = pool.tryAllocate(5000);

        assertEquals(5000, segment.length());
        assertEquals(8 * KIB, segment.capacity());
        for (int i = 0; i < segment.length(); i++)
        {
            segment.buffer().putByte(i, (byte)i);
        }
        for (int i = 0; i < segment.length(); i++)
        {
            assertEquals((byte)i, segment.view().getByte(i));
        }
        assertEquals(8 * KIB, pool.inUseBytes());
        segment.release();
        assertEquals(0, pool.inUseBytes());
        assertEquals(8 * KIB, pool.highWaterBytes());
    }

    @Test
    void neverGrowsPastItsBound()
    {
        final BufferPool pool = pool(new BufferPool.Context().name("bound").slabBytes(64 * KIB)
            .minSegmentBytes(4 * KIB).reserveBytes(4 * KIB).maxBytes(200 * KIB));
        final List<Segment> held = new ArrayList<>();
        Segment segment;
        while (null != (segment = pool.tryAllocate(4 * KIB)))
        {
            held.add(segment);
        }

        // (200 KiB - 4 KiB reserve) / 64 KiB = 3 slabs; the rest of the bound is never mapped
        assertEquals(3 * 64 / 4, held.size());
        assertEquals(3 * 64 * KIB + 4 * KIB, pool.mappedBytes());
        assertTrue(pool.mappedBytes() <= pool.maxBytes());
        held.forEach(Segment::release);
        assertEquals(0, pool.segmentsInUse());
    }

    @Test
    void premapMapsTheWholeBoundAtOnceAndLazyPoolsMapOnFirstNeed()
    {
        final BufferPool lazy = pool(new BufferPool.Context().name("lazy").slabBytes(64 * KIB)
            .minSegmentBytes(4 * KIB).reserveBytes(4 * KIB).maxBytes(3 * 64 * KIB + 4 * KIB));
        final BufferPool eager = pool(new BufferPool.Context().name("eager").slabBytes(64 * KIB)
            .minSegmentBytes(4 * KIB).reserveBytes(4 * KIB).maxBytes(3 * 64 * KIB + 4 * KIB).premap(true));

        assertEquals(4 * KIB, lazy.mappedBytes());
        assertEquals(3 * 64 * KIB + 4 * KIB, eager.mappedBytes());
        assertEquals(4, eager.regions().size());
        lazy.tryAllocate(4 * KIB).release();
        assertEquals(64 * KIB + 4 * KIB, lazy.mappedBytes());
    }

    @Test
    void freedMemoryOfOneSizeServesAnotherByMergingBuddies()
    {
        final BufferPool pool = smallPool("merge");
        final List<Segment> small = new ArrayList<>();
        for (int i = 0; i < 16; i++)
        {
            small.add(pool.tryAllocate(4 * KIB));
        }
        assertNull(pool.tryAllocate(64 * KIB));

        small.forEach(Segment::release);
        final Segment whole = pool.tryAllocate(64 * KIB);
        assertNotNull(whole, "sixteen freed 4 KiB buddies must merge back into the 64 KiB slab");
        whole.release();
    }

    @Test
    void handsReleasedMemoryToWaitersInFifoOrderWithoutLettingLaterRequestsBarge()
    {
        final BufferPool pool = smallPool("fifo");
        final Segment all = pool.tryAllocate(64 * KIB);
        final List<String> served = new CopyOnWriteArrayList<>();
        final RecordingWaiter a = new RecordingWaiter("a", 16 * KIB, served);
        final RecordingWaiter b = new RecordingWaiter("b", 16 * KIB, served);
        final RecordingWaiter c = new RecordingWaiter("c", 64 * KIB, served);
        final RecordingWaiter d = new RecordingWaiter("d", 4 * KIB, served);
        Stream.of(a, b, c, d).forEach(pool::subscribe);
        assertEquals(4, pool.waiters());

        all.release();
        // a and b fit in what was freed; c needs all 64 KiB, and d, behind c, must wait its turn
        assertEquals(List.of("a", "b"), served);
        assertNull(pool.tryAllocate(4 * KIB), "a new request must not take memory ahead of queued waiters");

        a.segment.release();
        assertEquals(List.of("a", "b"), served);
        b.segment.release();
        assertEquals(List.of("a", "b", "c"), served);
        c.segment.release();
        assertEquals(List.of("a", "b", "c", "d"), served);
        assertEquals(4, pool.handOffs());
        assertEquals(0, pool.waiters());
        d.segment.release();
        assertEquals(0, pool.inUseBytes());
    }

    @Test
    void aDecliningWaiterPassesTheSegmentToTheNext()
    {
        final BufferPool pool = smallPool("decline");
        final Segment all = pool.tryAllocate(64 * KIB);
        final List<String> served = new CopyOnWriteArrayList<>();
        final RecordingWaiter gaveUp = new RecordingWaiter("gave-up", 64 * KIB, served);
        gaveUp.decline = true;
        final RecordingWaiter next = new RecordingWaiter("next", 64 * KIB, served);
        pool.subscribe(gaveUp);
        pool.subscribe(next);

        all.release();

        assertEquals(1, gaveUp.offers);
        assertEquals(List.of("next"), served);
        assertEquals(1, pool.handOffs());
        assertEquals(64 * KIB, pool.inUseBytes());
        next.segment.release();
        assertEquals(0, pool.segmentsInUse());
    }

    @Test
    void aWaiterThatSubscribesWhenMemoryIsFreeIsServedAtOnce()
    {
        final BufferPool pool = smallPool("immediate");
        final List<String> served = new CopyOnWriteArrayList<>();
        final RecordingWaiter waiter = new RecordingWaiter("w", 4 * KIB, served);

        pool.subscribe(waiter);

        assertEquals(List.of("w"), served);
        assertEquals(0, pool.waiters());
        waiter.segment.release();
    }

    @Test
    void cancellingTheHeadWaiterLetsThoseBehindItBeServed()
    {
        final BufferPool pool = smallPool("cancel");
        final Segment half = pool.tryAllocate(32 * KIB);
        final List<String> served = new CopyOnWriteArrayList<>();
        final RecordingWaiter big = new RecordingWaiter("big", 64 * KIB, served);
        final RecordingWaiter small = new RecordingWaiter("small", 4 * KIB, served);
        pool.subscribe(big);
        pool.subscribe(small);
        assertEquals(List.of(), served);

        assertTrue(pool.cancel(big));
        assertFalse(pool.cancel(big));

        assertEquals(List.of("small"), served);
        small.segment.release();
        half.release();
    }

    @Test
    void blockingAllocateWaitsForARelease() throws Exception
    {
        final BufferPool pool = smallPool("blocking");
        final Segment all = pool.tryAllocate(64 * KIB);
        final ExecutorService executor = Executors.newSingleThreadExecutor();
        try
        {
            final Future<Segment> waiting = executor.submit(() -> pool.allocate(32 * KIB, Duration.ofSeconds(30)));
            awaitWaiters(pool, 1);

            all.release();

            final Segment segment = waiting.get(30, TimeUnit.SECONDS);
            assertEquals(32 * KIB, segment.length());
            assertEquals(1, pool.handOffs());
            segment.release();
        }
        finally
        {
            executor.shutdownNow();
        }
    }

    @Test
    void aDeadlinePassedGivesAnErrorNamingTheSizeTheBoundAndTheUse()
    {
        final BufferPool pool = smallPool("deadline");
        final Segment all = pool.tryAllocate(64 * KIB);

        final PoolExhaustedException error =
            assertThrows(PoolExhaustedException.class, () -> pool.allocate(16 * KIB, Duration.ofMillis(50)));

        final String message = error.getMessage();
        assertTrue(message.contains("'deadline'"), message);
        assertTrue(message.contains("16384 bytes"), message);
        assertTrue(message.contains("64 KiB of its 64 KiB bound are in use"), message);
        assertTrue(message.contains("raise the pool's bound"), message);
        assertEquals(1, pool.timeouts());
        assertEquals(0, pool.waiters(), "a timed-out waiter must leave nothing behind");
        all.release();
        assertEquals(0, pool.handOffs(), "memory released after the timeout must not go to the departed waiter");
        assertNotNull(pool.tryAllocate(64 * KIB));
    }

    @Test
    void closeFailsEveryWaiterWithAClearError() throws Exception
    {
        final BufferPool pool = smallPool("close");
        final Segment all = pool.tryAllocate(64 * KIB);
        final int blockedThreads = 3;
        final ExecutorService executor = Executors.newFixedThreadPool(blockedThreads);
        final List<RecordingWaiter> callbacks = new ArrayList<>();
        try
        {
            final List<Future<Segment>> blocked = new ArrayList<>();
            for (int i = 0; i < blockedThreads; i++)
            {
                blocked.add(executor.submit(() -> pool.allocate(4 * KIB, Duration.ofMinutes(5))));
            }
            for (int i = 0; i < 2; i++)
            {
                final RecordingWaiter waiter = new RecordingWaiter("cb" + i, 4 * KIB, new ArrayList<>());
                callbacks.add(waiter);
                pool.subscribe(waiter);
            }
            awaitWaiters(pool, blockedThreads + 2);

            pool.close();

            for (final Future<Segment> future : blocked)
            {
                final Exception error = assertThrows(Exception.class, () -> future.get(30, TimeUnit.SECONDS));
                assertTrue(error.getCause() instanceof PoolClosedException, String.valueOf(error.getCause()));
                assertTrue(error.getCause().getMessage().contains("buffer pool 'close' is closed"));
            }
            for (final RecordingWaiter waiter : callbacks)
            {
                assertNotNull(waiter.closedCause, waiter.name + " was not told of the close");
                assertNull(waiter.segment);
            }
            assertEquals(0, pool.waiters());
            assertThrows(PoolClosedException.class, () -> pool.tryAllocate(4 * KIB));

            final RecordingWaiter late = new RecordingWaiter("late", 4 * KIB, new ArrayList<>());
            pool.subscribe(late);
            assertNotNull(late.closedCause, "a waiter subscribing after close must be told at once");

            all.release();
            assertEquals(0, pool.segmentsInUse());
        }
        finally
        {
            executor.shutdownNow();
        }
    }

    @Test
    void blockingAllocateIsRefusedOnAnIoAgentThread()
    {
        final BufferPool pool = smallPool("agent");
        IoAgentThreads.markCurrentThread("server-io");

        final IllegalStateException error =
            assertThrows(IllegalStateException.class, () -> pool.allocate(4 * KIB, Duration.ofSeconds(1)));

        assertTrue(error.getMessage().contains("server-io"), error.getMessage());
        assertNotNull(pool.tryAllocate(4 * KIB), "the non-blocking path stays open to the agent");
    }

    @Test
    void theControlReserveServesWhenThePoolIsExhausted()
    {
        final BufferPool pool = smallPool("reserve");
        final Segment all = pool.tryAllocate(64 * KIB);
        assertNull(pool.tryAllocate(1));

        final Segment control = pool.tryAllocateControl(512);

        assertNotNull(control);
        assertEquals(4 * KIB, pool.reserveInUseBytes());
        assertEquals(64 * KIB, pool.inUseBytes());
        assertNull(pool.tryAllocateControl(512), "the 4 KiB reserve is one segment");
        control.release();
        all.release();
        assertEquals(0, pool.reserveInUseBytes());
        assertNotNull(pool.tryAllocateControl(512).view());
    }

    @Test
    void sizesOutOfRangeAreRefusedWithTheRange()
    {
        final BufferPool pool = smallPool("sizes");

        final IllegalArgumentException tooBig =
            assertThrows(IllegalArgumentException.class, () -> pool.tryAllocate(64 * KIB + 1));
        assertTrue(tooBig.getMessage().contains("1 byte to 64 KiB"), tooBig.getMessage());
        assertThrows(IllegalArgumentException.class, () -> pool.tryAllocate(0));
        assertThrows(IllegalArgumentException.class, () -> pool.tryAllocateControl(8 * KIB));
    }

    @Test
    void settingsAreCheckedWithMessagesThatSayWhatToChange()
    {
        final IllegalArgumentException notPowerOfTwo = assertThrows(IllegalArgumentException.class,
            () -> new BufferPool.Context().slabBytes(100_000).conclude());
        assertTrue(notPowerOfTwo.getMessage().contains("slab size must be a power of two"));

        final IllegalArgumentException tooSmall = assertThrows(IllegalArgumentException.class,
            () -> new BufferPool.Context().slabBytes(64 * KIB).reserveBytes(4 * KIB).maxBytes(64 * KIB).conclude());
        assertTrue(tooSmall.getMessage().contains("raise the bound to at least 68 KiB"), tooSmall.getMessage());

        assertThrows(IllegalArgumentException.class, () -> new BufferPool.Context().name("a/b").conclude());
    }

    @Test
    void aSecondReleaseIsCaught()
    {
        final BufferPool pool = smallPool("twice");
        final Segment segment = pool.tryAllocate(4 * KIB);
        segment.release();

        final IllegalStateException error = assertThrows(IllegalStateException.class, segment::release);
        assertTrue(error.getMessage().contains("already released"), error.getMessage());
        assertEquals(0, pool.segmentsInUse());
    }

    @Test
    void aSegmentFromAnotherPoolIsRefused()
    {
        final BufferPool one = smallPool("one");
        final BufferPool other = smallPool("other");
        final Segment segment = one.tryAllocate(4 * KIB);

        assertThrows(IllegalArgumentException.class, () -> other.release(segment));
        segment.release();
    }

    @Test
    void aLeakedSegmentIsReportedWithWhereItWasAllocatedAndItsMemoryTakenBack() throws Exception
    {
        final List<Throwable> reported = new CopyOnWriteArrayList<>();
        final BufferPool pool = pool(new BufferPool.Context().name("leaky").slabBytes(64 * KIB)
            .minSegmentBytes(4 * KIB).reserveBytes(4 * KIB).maxBytes(68 * KIB)
            .leakListener((name, length, allocatedAt) -> reported.add(allocatedAt)));
        allocateAndDrop(pool);
        assertEquals(64 * KIB, pool.inUseBytes());

        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (reported.isEmpty() && System.nanoTime() - deadline < 0)
        {
            System.gc();
            pool.pollLeaks();
            Thread.onSpinWait();
        }

        assertEquals(1, reported.size(), "the dropped segment was not reported");
        final boolean namesAllocationSite = Stream.of(reported.get(0).getStackTrace())
            .anyMatch((frame) -> frame.getMethodName().equals("allocateAndDrop"));
        assertTrue(namesAllocationSite, "the report must name where the segment was allocated");
        assertEquals(1, pool.leaks());
        assertEquals(0, pool.inUseBytes());
        assertNotNull(pool.tryAllocate(64 * KIB), "the leaked memory must be usable again");
    }

    private static void allocateAndDrop(final BufferPool pool)
    {
        assertNotNull(pool.tryAllocate(64 * KIB));
    }

    @Test
    void filesAreOwnerOnlyAndRemovedOnClose() throws Exception
    {
        final BufferPool pool = smallPool("files");
        final Segment segment = pool.tryAllocate(4 * KIB);
        final Path directory = pool.directory();
        final Path slab = segment.region().file();

        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(directory)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(slab)));
        assertEquals(64 * KIB, Files.size(slab));
        assertEquals(directory, slab.getParent());

        segment.release();
        pool.close();

        assertFalse(Files.exists(directory));
    }

    @Test
    void segmentsNeverOverlapAndBytesAddUpUnderRandomUse()
    {
        final BufferPool pool = pool(new BufferPool.Context().name("random").slabBytes(64 * KIB)
            .minSegmentBytes(KIB).reserveBytes(KIB).maxBytes(2 * 64 * KIB + KIB));
        final OccupancyMap occupancy = new OccupancyMap(KIB);
        final List<Segment> held = new ArrayList<>();
        final java.util.Random random = new java.util.Random(42);

        for (int step = 0; step < 20_000; step++)
        {
            if (held.isEmpty() || random.nextInt(100) < 55)
            {
                final Segment segment = pool.tryAllocate(1 + random.nextInt(16 * KIB));
                if (null != segment)
                {
                    occupancy.claim(segment);
                    held.add(segment);
                }
            }
            else
            {
                final Segment segment = held.remove(random.nextInt(held.size()));
                occupancy.vacate(segment);
                segment.release();
            }
            assertEquals(pool.mappedBytes() - KIB, pool.inUseBytes() + pool.freeBytesInSlabs());
        }

        Collections.shuffle(held, random);
        held.forEach(Segment::release);
        assertEquals(0, pool.inUseBytes());
        assertEquals(pool.mappedBytes() - KIB, pool.freeBytesInSlabs());
        assertNotNull(pool.tryAllocate(64 * KIB), "everything must merge back into whole slabs");
    }

    static void awaitWaiters(final BufferPool pool, final int count) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (pool.waiters() < count)
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("expected " + count + " waiters, have " + pool.waiters());
            }
            Thread.sleep(1);
        }
    }

    /**
     * A waiter that records the order it was served in.
     */
    static final class RecordingWaiter implements PoolWaiter
    {
        final String name;
        final int size;
        final List<String> served;
        volatile boolean decline;
        volatile int offers;
        volatile Segment segment;
        volatile PoolClosedException closedCause;

        RecordingWaiter(final String name, final int size, final List<String> served)
        {
            this.name = name;
            this.size = size;
            this.served = served;
        }

        public int size()
        {
            return size;
        }

        public boolean onSegment(final Segment segment)
        {
            offers++;
            if (decline)
            {
                return false;
            }
            this.segment = segment;
            served.add(name);
            return true;
        }

        public void onPoolClosed(final PoolClosedException cause)
        {
            closedCause = cause;
        }
    }

    /**
     * Which bytes of which slab are held, at a given granularity: claiming a byte twice fails.
     */
    static final class OccupancyMap
    {
        private final int granularity;
        private final java.util.concurrent.ConcurrentHashMap<Long, Segment> owners =
            new java.util.concurrent.ConcurrentHashMap<>();

        OccupancyMap(final int granularity)
        {
            this.granularity = granularity;
        }

        void claim(final Segment segment)
        {
            for (long at = segment.address(); at < segment.address() + segment.capacity(); at += granularity)
            {
                final Segment previous = owners.putIfAbsent(at, segment);
                if (null != previous)
                {
                    throw new AssertionError(segment + " overlaps " + previous + " held at the same time");
                }
            }
        }

        void vacate(final Segment segment)
        {
            for (long at = segment.address(); at < segment.address() + segment.capacity(); at += granularity)
            {
                if (owners.remove(at) != segment)
                {
                    throw new AssertionError(segment + " was not held where it is released");
                }
            }
        }
    }
}
