package dev.ferry.bench;

import dev.ferry.buffer.BufferPool;
import dev.ferry.buffer.LeakDetection;
import dev.ferry.buffer.Segment;
import dev.ferry.bulk.BulkTransport;
import dev.ferry.bulk.BulkTransportException;
import dev.ferry.bulk.BulkTransportProvider;
import dev.ferry.bulk.BulkTransports;
import dev.ferry.bulk.DataDescriptor;
import dev.ferry.bulk.PeerInfo;
import dev.ferry.bulk.PullHandler;
import dev.ferry.event.DataView;
import dev.ferry.shm.ShmDirectory;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * RDMA pull bandwidth through Ferry's RDMA transport, to set beside {@code ib_read_bw} at the same
 * sizes in the same run: bytes/s = score × size.
 * <p>
 * Two transports in one JVM, made through the provider as the engines make them: the owner registers
 * a segment of its pool, the puller attaches it and keeps {@value #IN_FLIGHT} pulls in flight, each
 * completion issuing the next pull at once, as {@code ib_read_bw} keeps its transmit depth (perftest's
 * default {@code -t 128}) of RDMA READs posted. Like {@code ib_read_bw}, every pull reads the same
 * source into the same destination, so memory stays small at any depth. One operation is one pull, so
 * the score is pulls per second.
 * <p>
 * Needs an RDMA device (the soft-RoCE rig has one): without one, setup fails with the provider's
 * reason and JMH moves on. Run in the guest with {@code -f 0}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
public class RdmaPullBenchmark
{
    /**
     * Pulls kept in flight: perftest's default transmit depth for {@code ib_read_bw}.
     */
    public static final int IN_FLIGHT = 128;

    private static final long SEED = 0x5EEDF00DL;

    /**
     * Wait for {@value #IN_FLIGHT} more pulls to complete, each replaced by a new one as it completes.
     *
     * @param state owner, puller and the pulls in flight.
     * @return pulls completed so far.
     */
    @Benchmark
    @OperationsPerInvocation(IN_FLIGHT)
    public long rdmaPull(final PullState state)
    {
        return state.awaitCompletions(IN_FLIGHT);
    }

    /**
     * An owner that registered a filled segment of its pool, and a puller that attached it and pulls
     * into a registered segment of its own pool.
     */
    @State(Scope.Thread)
    public static class PullState implements PullHandler
    {
        @Param({ "65536", "1048576", "4194304" })
        int size;

        private BufferPool ownerPool;
        private BufferPool pullerPool;
        private BulkTransport owner;
        private BulkTransport puller;
        private PeerInfo ownerPeer;
        private Segment sourceSegment;
        private Segment destinationSegment;
        private DataDescriptor source;
        private DataView destination;
        private long completed;
        private long target;
        private boolean refill;
        private BulkTransportException failure;

        /**
         * Open both transports, pull once and check the bytes, then start {@value #IN_FLIGHT} pulls.
         */
        @Setup(Level.Trial)
        public void setUp()
        {
            final BulkTransportProvider provider = BulkTransports.provider("rdma");
            final Path root = ShmDirectory.defaultRoot();
            ownerPool = pool("bench-rdma-owner", root);
            pullerPool = pool("bench-rdma-puller", root);
            sourceSegment = ownerPool.tryAllocate(size);
            destinationSegment = pullerPool.tryAllocate(size);
            RandomBytes.fill(sourceSegment.buffer(), 0, size, SEED);
            destination = destinationSegment.view().slice(0, size);

            ownerPeer = PeerInfo.local(1);
            owner = provider.newTransport(ownerPeer, root);
            puller = provider.newTransport(PeerInfo.local(2), root);
            puller.register(destinationSegment.region());
            puller.attach(ownerPeer, owner.register(sourceSegment.region()));
            source = DataDescriptor.of(sourceSegment.region(), sourceSegment.regionOffset(), size);

            puller.pull(ownerPeer, source, 0, size, destination, 0, this);
            awaitCompletions(1);
            if (sourceSegment.view().slice(0, size).crc32c() != destination.crc32c())
            {
                throw new IllegalStateException("an RDMA pull of " + size + " bytes delivered wrong bytes");
            }

            refill = true;
            for (int i = 0; i < IN_FLIGHT; i++)
            {
                puller.pull(ownerPeer, source, 0, size, destination, i, this);
            }
        }

        /**
         * Let the pulls in flight finish, close transports and pools; fails the run if the puller's
         * count of bytes disagrees with the pulls completed.
         */
        @TearDown(Level.Trial)
        public void tearDown()
        {
            refill = false;
            if (null != puller)
            {
                awaitCompletions(puller.pendingPulls());
                final long bytesPulled = puller.bytesPulled();
                puller.close();
                owner.close();
                if (bytesPulled != completed * size)
                {
                    throw new IllegalStateException(
                        "the puller reports " + bytesPulled + " bytes pulled, but " + completed + " pulls of " +
                        size + " bytes completed");
                }
            }
            release(ownerPool, sourceSegment);
            release(pullerPool, destinationSegment);
        }

        long awaitCompletions(final int count)
        {
            target += count;
            while (completed < target)
            {
                owner.doWork();
                puller.doWork();
                if (null != failure)
                {
                    throw failure;
                }
            }
            return completed;
        }

        public void onPullComplete(final long correlationId)
        {
            completed++;
            if (refill)
            {
                puller.pull(ownerPeer, source, 0, size, destination, correlationId, this);
            }
        }

        public void onPullFailed(final long correlationId, final BulkTransportException cause)
        {
            failure = cause;
        }

        private BufferPool pool(final String name, final Path root)
        {
            return new BufferPool(new BufferPool.Context()
                .name(name)
                .directory(root)
                .slabBytes(Math.max(size, 1 << 20))
                .maxBytes(Math.max(size, 1 << 20) + BufferPool.Context.RESERVE_BYTES_DEFAULT)
                .leakDetection(LeakDetection.DISABLED));
        }

        private static void release(final BufferPool pool, final Segment segment)
        {
            if (null != pool)
            {
                if (null != segment)
                {
                    pool.release(segment);
                }
                pool.close();
            }
        }
    }
}
