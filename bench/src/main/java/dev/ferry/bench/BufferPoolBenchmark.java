package dev.ferry.bench;

import dev.ferry.buffer.BufferPool;
import dev.ferry.buffer.LeakDetection;
import dev.ferry.buffer.Segment;
import dev.ferry.shm.ShmDirectory;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * What one allocation and release of a {@link BufferPool} segment costs: alone, and with two threads
 * contending for the same pool, with leak detection off and sampled.
 * <p>
 * Run with {@code -prof gc}: with {@link LeakDetection#DISABLED} the pool must allocate nothing in
 * steady state ({@code gc.alloc.rate.norm} = 0 B/op); with {@link LeakDetection#SAMPLED} the figure is
 * what sampling costs, one tracked allocation (handle, tracker, stack trace) in
 * {@link BufferPool.Context#LEAK_SAMPLING_INTERVAL_DEFAULT}.
 * <p>
 * The pool is otherwise empty, so each 4 KiB allocation splits the free slab down to a 4 KiB block
 * and its release merges it back up: the buddy allocator's worst case for that size.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
@State(Scope.Benchmark)
public class BufferPoolBenchmark
{
    /**
     * Room for a segment of the largest size per contending thread, in one slab.
     */
    private static final int SLAB_BYTES = 4 << 20;

    @Param({ "4096", "1048576" })
    int size;

    @Param({ "DISABLED", "SAMPLED" })
    LeakDetection leakDetection;

    private BufferPool pool;

    /**
     * Create the pool under Ferry's shared-memory root (or {@code -Dferry.dir}) and map its slab.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        pool = new BufferPool(new BufferPool.Context()
            .name("bench-pool")
            .directory(ShmDirectory.defaultRoot())
            .slabBytes(SLAB_BYTES)
            .maxBytes(SLAB_BYTES + BufferPool.Context.RESERVE_BYTES_DEFAULT)
            .leakDetection(leakDetection));
        allocateRelease();
        if (0 != pool.segmentsInUse() || pool.highWaterBytes() < size)
        {
            throw new IllegalStateException(
                "pool '" + pool.name() + "' did not hand out and take back " + size + " bytes: " + pool);
        }
    }

    /**
     * Close the pool, removing its files; fails the run if a segment was not given back.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        final int segmentsInUse = pool.segmentsInUse();
        pool.close();
        if (0 != segmentsInUse)
        {
            throw new IllegalStateException(
                "pool '" + pool.name() + "' closed with " + segmentsInUse + " segments in use after the benchmark");
        }
    }

    /**
     * One thread alone: allocate a segment and release it.
     *
     * @return the segment's address, so the allocation cannot be optimised away.
     */
    @Benchmark
    public long uncontended()
    {
        return allocateRelease();
    }

    /**
     * Two threads allocating and releasing on the same pool at once.
     *
     * @return the segment's address, so the allocation cannot be optimised away.
     */
    @Benchmark
    @Group("contended")
    @GroupThreads(2)
    public long allocateReleaseContended()
    {
        return allocateRelease();
    }

    private long allocateRelease()
    {
        final Segment segment = pool.tryAllocate(size);
        if (null == segment)
        {
            throw new IllegalStateException("pool '" + pool.name() + "' refused " + size + " bytes: " + pool);
        }
        final long address = segment.address();
        pool.release(segment);

        return address;
    }
}
