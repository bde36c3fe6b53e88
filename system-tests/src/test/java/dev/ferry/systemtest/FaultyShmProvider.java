package dev.ferry.systemtest;

import dev.ferry.bulk.BulkTransport;
import dev.ferry.bulk.BulkTransportException;
import dev.ferry.bulk.BulkTransportProvider;
import dev.ferry.bulk.DataDescriptor;
import dev.ferry.bulk.PeerInfo;
import dev.ferry.bulk.PullHandler;
import dev.ferry.bulk.Region;
import dev.ferry.bulk.RegionDescriptor;
import dev.ferry.bulk.shm.ShmBulkTransport;
import dev.ferry.bulk.shm.ShmBulkTransportProvider;
import dev.ferry.event.DataView;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;

/**
 * A test's bulk transport {@code faulty-shm}: the real shared-memory transport, except that the k-th
 * distinct range pulled (counted from 0, in the order first asked for) fails a given number of times
 * before it is served, as a pull over a link that went down fails. It calls itself {@code shm}, so a
 * server on the real one chooses it for the session. Unsupported, and so skipped by {@code auto},
 * until a test {@link #arm arms} it.
 */
public final class FaultyShmProvider implements BulkTransportProvider
{
    /**
     * The name a test selects it by.
     */
    public static final String NAME = "faulty-shm";

    private static volatile IntUnaryOperator failuresOfRange;

    /**
     * @param failuresOfRange how many times the k-th distinct range fails before it is served.
     * @return disarms it when closed.
     */
    public static AutoCloseable arm(final IntUnaryOperator failuresOfRange)
    {
        FaultyShmProvider.failuresOfRange = failuresOfRange;
        return () -> FaultyShmProvider.failuresOfRange = null;
    }

    public String name()
    {
        return NAME;
    }

    public String unsupportedReason()
    {
        return null == failuresOfRange ? "a fault-injecting test transport, selectable only while a test arms it" : null;
    }

    public BulkTransport newTransport(final PeerInfo localPeer, final Path shmRoot)
    {
        return new Faulty(new ShmBulkTransportProvider().newTransport(localPeer, shmRoot), failuresOfRange);
    }

    /**
     * @return how many pulls every faulty transport has failed so far.
     */
    public static int failedPulls()
    {
        return Faulty.FAILED.get();
    }

    private static final class Faulty implements BulkTransport
    {
        static final AtomicInteger FAILED = new AtomicInteger();

        private final BulkTransport shm;
        private final IntUnaryOperator failuresOfRange;
        private final Map<DataDescriptor, int[]> failuresLeft = new HashMap<>();
        private final ArrayDeque<Runnable> failures = new ArrayDeque<>();

        Faulty(final BulkTransport shm, final IntUnaryOperator failuresOfRange)
        {
            this.shm = shm;
            this.failuresOfRange = failuresOfRange;
        }

        public String name()
        {
            return ShmBulkTransport.NAME;
        }

        public boolean reachable(final PeerInfo peer)
        {
            return shm.reachable(peer);
        }

        public RegionDescriptor register(final Region region)
        {
            return shm.register(region);
        }

        public void deregister(final Region region)
        {
            shm.deregister(region);
        }

        public void attach(final PeerInfo peer, final RegionDescriptor descriptor)
        {
            shm.attach(peer, descriptor);
        }

        public void detach(final PeerInfo peer)
        {
            shm.detach(peer);
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
            final int[] left = failuresLeft.computeIfAbsent(
                source, (d) -> new int[]{ failuresOfRange.applyAsInt(failuresLeft.size()) });
            if (left[0] > 0)
            {
                left[0]--;
                FAILED.incrementAndGet();
                failures.add(() -> handler.onPullFailed(
                    correlationId, new BulkTransportException("injected failure: the link to " + peer + " went down")));
                return;
            }
            shm.pull(peer, source, offset, length, destination, correlationId, handler);
        }

        public int doWork()
        {
            int work = 0;
            Runnable failure;
            while (null != (failure = failures.pollFirst()))
            {
                failure.run();
                work++;
            }
            return work + shm.doWork();
        }

        public int pendingPulls()
        {
            return failures.size() + shm.pendingPulls();
        }

        public long bytesPulled()
        {
            return shm.bytesPulled();
        }

        public void close()
        {
            shm.close();
        }
    }
}
