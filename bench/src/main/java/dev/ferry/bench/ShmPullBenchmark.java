package dev.ferry.bench;

import dev.ferry.buffer.BufferPool;
import dev.ferry.buffer.LeakDetection;
import dev.ferry.buffer.Segment;
import dev.ferry.bulk.BulkTransportException;
import dev.ferry.bulk.DataDescriptor;
import dev.ferry.bulk.PeerInfo;
import dev.ferry.bulk.PullHandler;
import dev.ferry.bulk.RegionDescriptor;
import dev.ferry.bulk.shm.ShmBulkTransport;
import dev.ferry.event.DataView;
import dev.ferry.shm.ShmDirectory;
import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Shared-memory pull bandwidth beside a plain off-heap copy of the same size, so that the cost of
 * the transport over {@code memcpy} can be read off one run.
 * <p>
 * {@link #shmPull} is one pull through {@link ShmBulkTransport}: the puller maps the owner's pool
 * slab read-only (as a consumer on the same host does), and each operation queues a pull into a
 * segment of the puller's own pool and calls {@code doWork()} until the completion handler fires,
 * 4 MiB per call. {@link #memcpy} is {@link UnsafeApi#copyMemory(long, long, long)} between two
 * page-aligned direct buffers. Bandwidth is size / time per operation.
 * <p>
 * Both setups copy once and compare CRC-32C of source and destination, so a pull that moves the
 * wrong bytes fails the run instead of posting a number.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
public class ShmPullBenchmark
{
    private static final long SEED = 0x5EEDF00DL;
    private static final int PAGE_BYTES = 4096;

    /**
     * One pull of {@code size} bytes from the owner's region into the puller's segment.
     *
     * @param state owner, puller and their pools.
     * @return the last byte pulled, so the copy cannot be optimised away.
     */
    @Benchmark
    public byte shmPull(final PullState state)
    {
        state.pull();
        return UnsafeApi.getByte(state.destinationAddress + state.size - 1);
    }

    /**
     * The baseline: one plain copy of {@code size} bytes between off-heap buffers.
     *
     * @param state the two buffers.
     * @return the last byte copied, so the copy cannot be optimised away.
     */
    @Benchmark
    public byte memcpy(final CopyState state)
    {
        UnsafeApi.copyMemory(state.sourceAddress, state.destinationAddress, state.size);
        return UnsafeApi.getByte(state.destinationAddress + state.size - 1);
    }

    /**
     * An owner that registered a filled segment of its pool, and a puller on the same host that
     * attached it and pulls into a segment of its own pool.
     */
    @State(Scope.Thread)
    public static class PullState implements PullHandler
    {
        /**
         * The owner's slab, large enough for the largest pull.
         */
        private static final int SLAB_BYTES = 64 << 20;

        @Param({ "4096", "65536", "1048576", "4194304", "67108864" })
        int size;

        long destinationAddress;

        private BufferPool ownerPool;
        private BufferPool pullerPool;
        private ShmBulkTransport owner;
        private ShmBulkTransport puller;
        private PeerInfo ownerPeer;
        private Segment sourceSegment;
        private Segment destinationSegment;
        private DataDescriptor source;
        private DataView destination;
        private long pulls;
        private boolean done;
        private BulkTransportException failure;

        /**
         * Fill the source, register and attach it, pull once and check the bytes arrived.
         */
        @Setup(Level.Trial)
        public void setUp()
        {
            final Path root = ShmDirectory.defaultRoot();
            ownerPool = new BufferPool(new BufferPool.Context()
                .name("bench-owner")
                .directory(root)
                .slabBytes(SLAB_BYTES)
                .maxBytes(2L * SLAB_BYTES + BufferPool.Context.RESERVE_BYTES_DEFAULT)
                .leakDetection(LeakDetection.DISABLED));
            pullerPool = new BufferPool(new BufferPool.Context()
                .name("bench-puller")
                .directory(root)
                .slabBytes(SLAB_BYTES)
                .maxBytes(SLAB_BYTES + BufferPool.Context.RESERVE_BYTES_DEFAULT)
                .leakDetection(LeakDetection.DISABLED));

            sourceSegment = ownerPool.tryAllocate(size);
            destinationSegment = pullerPool.tryAllocate(size);
            RandomBytes.fill(sourceSegment.buffer(), 0, size, SEED);
            destinationAddress = destinationSegment.address();
            destination = destinationSegment.view();

            ownerPeer = PeerInfo.local(1);
            owner = new ShmBulkTransport(ownerPeer, root, ShmBulkTransport.CHUNK_BYTES_DEFAULT);
            puller = new ShmBulkTransport(PeerInfo.local(2), root, ShmBulkTransport.CHUNK_BYTES_DEFAULT);
            final RegionDescriptor region = owner.register(sourceSegment.region());
            puller.attach(ownerPeer, region);
            source = DataDescriptor.of(sourceSegment.region(), sourceSegment.regionOffset(), size);

            pull();
            requireSameBytes("shared-memory pull", sourceSegment.view(), destination);
        }

        /**
         * Close transports and pools, removing their files; fails the run if the transport's count of
         * bytes pulled disagrees with the pulls made.
         */
        @TearDown(Level.Trial)
        public void tearDown()
        {
            final long bytesPulled = puller.bytesPulled();
            puller.close();
            owner.close();
            ownerPool.release(sourceSegment);
            pullerPool.release(destinationSegment);
            pullerPool.close();
            ownerPool.close();
            if (bytesPulled != pulls * size)
            {
                throw new IllegalStateException(
                    "the puller reports " + bytesPulled + " bytes pulled, but " + pulls + " pulls of " + size +
                    " bytes completed");
            }
        }

        /**
         * Pull the whole source into the destination, driving the transport until the pull completes.
         */
        void pull()
        {
            done = false;
            puller.pull(ownerPeer, source, 0, size, destination, pulls, this);
            while (!done)
            {
                if (0 == puller.doWork())
                {
                    throw new IllegalStateException(
                        "pull " + pulls + " of " + size + " bytes made no progress; " + puller.pendingPulls() +
                        " pulls pending");
                }
            }
            if (null != failure)
            {
                throw failure;
            }
        }

        public void onPullComplete(final long correlationId)
        {
            pulls++;
            done = true;
        }

        public void onPullFailed(final long correlationId, final BulkTransportException cause)
        {
            failure = cause;
            done = true;
        }
    }

    /**
     * Two page-aligned direct buffers, the source filled as the pull's is.
     */
    @State(Scope.Thread)
    public static class CopyState
    {
        @Param({ "4096", "65536", "1048576", "4194304", "67108864" })
        int size;

        long sourceAddress;
        long destinationAddress;

        private ByteBuffer source;
        private ByteBuffer destination;

        /**
         * Allocate and fill the buffers, copy once and check the bytes arrived.
         */
        @Setup(Level.Trial)
        public void setUp()
        {
            source = BufferUtil.allocateDirectAligned(size, PAGE_BYTES);
            destination = BufferUtil.allocateDirectAligned(size, PAGE_BYTES);
            RandomBytes.fill(new UnsafeBuffer(source), 0, size, SEED);
            sourceAddress = BufferUtil.address(source);
            destinationAddress = BufferUtil.address(destination);

            UnsafeApi.copyMemory(sourceAddress, destinationAddress, size);
            requireSameBytes("off-heap copy", DataView.of(source), DataView.of(destination));
        }
    }

    private static void requireSameBytes(final String what, final DataView source, final DataView destination)
    {
        final int expected = source.crc32c();
        final int actual = destination.crc32c();
        if (expected != actual || source.length() != destination.length())
        {
            throw new IllegalStateException(
                what + " of " + source.length() + " bytes delivered wrong bytes: CRC-32C " +
                Integer.toHexString(actual) + " where the source has " + Integer.toHexString(expected));
        }
    }
}
