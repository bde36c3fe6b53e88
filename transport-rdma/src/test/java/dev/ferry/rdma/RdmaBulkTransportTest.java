package dev.ferry.rdma;

import dev.ferry.buffer.BufferPool;
import dev.ferry.buffer.Segment;
import dev.ferry.bulk.BulkTransport;
import dev.ferry.bulk.BulkTransportException;
import dev.ferry.bulk.BulkTransports;
import dev.ferry.bulk.DataDescriptor;
import dev.ferry.bulk.PeerInfo;
import dev.ferry.bulk.RegionDescriptor;
import dev.ferry.event.DataView;
import dev.ferry.test.RecordingPullHandler;
import dev.ferry.test.ShmTempDirFactory;
import dev.ferry.test.TestBytes;
import dev.ferry.test.TestPools;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static dev.ferry.test.TestBytes.assertSameBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two RDMA transports in one JVM, made through the provider as the engines make them: an owner that
 * registers pool slabs and a puller that attaches them and pulls with RDMA READ. Needs an RDMA device
 * (the soft-RoCE rig has one); skipped with the reason otherwise.
 */
@Tag("rdma")
@Timeout(120)
class RdmaBulkTransportTest
{
    private static final int SLAB_BYTES = 8 << 20;
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final byte UNTOUCHED = 0x5A;

    @TempDir(factory = ShmTempDirFactory.class)
    Path shmRoot;

    private final PeerInfo ownerPeer = PeerInfo.local(1);
    private final PeerInfo pullerPeer = PeerInfo.local(2);
    private final List<Segment> segments = new ArrayList<>();
    private final RecordingPullHandler handler = new RecordingPullHandler();
    private BufferPool ownerPool;
    private BufferPool pullerPool;
    private BulkTransport owner;
    private BulkTransport puller;

    @BeforeEach
    void setUp()
    {
        final String reason = new RdmaBulkTransportProvider().unsupportedReason();
        Assumptions.assumeTrue(null == reason, () -> "RDMA cannot run here: " + reason);

        ownerPool = pool("owner");
        pullerPool = pool("puller");
        owner = BulkTransports.provider("rdma").newTransport(ownerPeer, shmRoot);
        puller = BulkTransports.provider("rdma").newTransport(pullerPeer, shmRoot);
    }

    @AfterEach
    void tearDown()
    {
        if (null != puller)
        {
            puller.close();
            owner.close();
            segments.forEach(Segment::release);
            pullerPool.close();
            ownerPool.close();
        }
    }

    @Test
    void pullsEveryByteOfRangesFromOneByteToFourMebibytes()
    {
        final byte[] bytes = TestBytes.seeded(1, 4 << 20);
        final DataDescriptor source = publish(bytes);

        long expectedBytes = 0;
        int correlationId = 0;
        for (final int length : new int[]{ 1, 100, 4096, 65_537, 1 << 20, (4 << 20) - 3, 4 << 20 })
        {
            final int offset = (4 << 20) - length;
            final DataView destination = destination(length);
            puller.pull(ownerPeer, source, offset, length, destination, correlationId, handler);
            driveUntil(() -> 0 == puller.pendingPulls(), "pull of " + length + " bytes");

            assertEquals("complete", handler.outcomes.get((long)correlationId), "pull of " + length + " bytes");
            assertSameBytes(Arrays.copyOfRange(bytes, offset, offset + length), destination, length + " bytes pulled");
            expectedBytes += length;
            correlationId++;
        }
        assertEquals(expectedBytes, puller.bytesPulled());
    }

    @Test
    void manyPullsInFlightAllCompleteWithTheirOwnBytes()
    {
        final int pulls = 300;
        final int length = 16 << 10;
        final byte[] bytes = TestBytes.seeded(2, pulls * length);
        final DataDescriptor source = publish(bytes);
        final DataView[] destinations = new DataView[pulls];

        for (int i = 0; i < pulls; i++)
        {
            destinations[i] = destination(length);
            puller.pull(ownerPeer, source, (long)i * length, length, destinations[i], i, handler);
        }
        assertEquals(pulls, puller.pendingPulls(), "every pull waits for the link or a completion");
        driveUntil(() -> 0 == puller.pendingPulls(), pulls + " pulls");

        assertEquals(pulls, handler.outcomes.size());
        for (int i = 0; i < pulls; i++)
        {
            assertEquals("complete", handler.outcomes.get((long)i), "pull " + i);
            assertSameBytes(Arrays.copyOfRange(bytes, i * length, (i + 1) * length), destinations[i], "pull " + i);
        }
        assertEquals((long)pulls * length, puller.bytesPulled());
    }

    @Test
    void pullsIntoADestinationOfSeveralSegments()
    {
        final byte[] bytes = TestBytes.seeded(3, 300_001);
        final DataDescriptor source = publish(bytes);
        final DataView destination = DataView.concat(destination(4096), destination(1), destination(295_904 + 10));
        fill(destination, UNTOUCHED);

        puller.pull(ownerPeer, source, 0, bytes.length, destination, 9, handler);
        driveUntil(() -> 0 == puller.pendingPulls(), "pull into three segments");

        assertEquals(Map.of(9L, "complete"), handler.outcomes);
        final byte[] pulled = TestBytes.toArray(destination);
        assertSameBytes(bytes, Arrays.copyOf(pulled, bytes.length), "pulled bytes");
        final byte[] untouched = new byte[10];
        Arrays.fill(untouched, UNTOUCHED);
        assertSameBytes(untouched, Arrays.copyOfRange(pulled, bytes.length, pulled.length), "past the pull");
    }

    @Test
    void registeringAgainReturnsTheSameDescriptor()
    {
        final Segment segment = ownerSegment(new byte[10]);

        final RegionDescriptor first = owner.register(segment.region());
        final RegionDescriptor second = owner.register(segment.region());

        assertSame(first, second);
        assertEquals("rdma", first.transport());
        assertEquals(segment.region().length(), first.length());
    }

    @Test
    void regionsRegisteredOnAnotherThreadWhilePullsRunBecomeDestinations() throws Exception
    {
        final byte[] bytes = TestBytes.seeded(7, 1 << 20);
        final DataDescriptor source = publish(bytes);
        final DataView busy = destination(bytes.length);
        final BufferPool latePool = pool("late");
        final List<Segment> late = new ArrayList<>();
        final ExecutorService registrar = Executors.newSingleThreadExecutor();
        try
        {
            for (int slab = 0; slab < 4; slab++)
            {
                late.add(latePool.tryAllocate(SLAB_BYTES)); // a slab each
            }
            final Future<?> registered = registrar.submit(() -> late.forEach((segment) -> puller.register(segment.region())));

            int pullsMeanwhile = 0;
            while (!registered.isDone())
            {
                puller.pull(ownerPeer, source, 0, bytes.length, busy, 100 + pullsMeanwhile, handler);
                driveUntil(() -> 0 == puller.pendingPulls(), "pull while another thread registers");
                pullsMeanwhile++;
            }
            registered.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);

            for (int i = 0; i < late.size(); i++)
            {
                final DataView destination = late.get(i).view().slice(SLAB_BYTES - bytes.length, bytes.length);
                puller.pull(ownerPeer, source, 0, bytes.length, destination, i, handler);
                driveUntil(() -> 0 == puller.pendingPulls(), "pull into a region registered on another thread");
                assertEquals("complete", handler.outcomes.get((long)i), "pull into late slab " + i);
                assertSameBytes(bytes, destination, "pulled into late slab " + i);
            }
            for (int i = 0; i < pullsMeanwhile; i++)
            {
                assertEquals("complete", handler.outcomes.get(100L + i), "pull " + i + " made during the registrations");
            }
            assertSameBytes(bytes, busy, "pulled while another thread registered");
        }
        finally
        {
            registrar.shutdownNow();
            late.forEach(Segment::release);
            latePool.close();
        }
    }

    @Test
    void refusesRangesOutsideTheRegionBeforeAnyByteIsRead()
    {
        final DataDescriptor source = publish(TestBytes.seeded(4, 4096));
        final DataView destination = destination(4096);
        fill(destination, UNTOUCHED);

        assertRefused(new DataDescriptor(source.regionId(), SLAB_BYTES - 100, 200), 0, 100, destination,
            "it reaches past the end of region " + source.regionId() + " (" + SLAB_BYTES + " bytes)");
        assertRefused(source, 1, 4096, destination, "the range lies outside the descriptor");
        assertRefused(source, 0, -1, destination, "refusing to read [0, -1]");
        assertRefused(new DataDescriptor(source.regionId() + 1000, 0, 10), 0, 10, destination,
            "the peer attached no region " + (source.regionId() + 1000));
        assertRefused(source, 0, 4096, destination(4095), "cannot pull 4096 bytes into a destination of 4095 bytes");

        final byte[] untouched = new byte[4096];
        Arrays.fill(untouched, UNTOUCHED);
        assertSameBytes(untouched, destination, "destination of refused pulls");
    }

    @Test
    void refusesADestinationNotRegisteredWithTheTransport()
    {
        final DataDescriptor source = publish(TestBytes.seeded(5, 4096));
        final DataView plain = DataView.of(ByteBuffer.allocateDirect(4096));

        assertRefused(source, 0, 4096, plain, "the destination must lie in a region registered with this RDMA transport");
    }

    @Test
    void pullFromAPortNobodyListensOnFailsWithinTheDeadline()
    {
        final BulkTransport gone = BulkTransports.provider("rdma").newTransport(PeerInfo.local(3), shmRoot);
        final Segment segment = ownerSegment(new byte[4096]);
        final RegionDescriptor descriptor = gone.register(segment.region());
        gone.close();

        puller.attach(ownerPeer, descriptor);
        puller.pull(ownerPeer, DataDescriptor.of(segment.region(), segment.regionOffset(), 4096), 0, 4096,
            destination(4096), 11, handler);
        driveUntil(() -> 0 == puller.pendingPulls(), "pull from a closed listener");

        final String outcome = handler.outcomes.get(11L);
        assertTrue(outcome.startsWith("failed: pull of 4096 bytes from region " + segment.region().regionId() +
            " of " + ownerPeer + " failed: step '"), outcome);

        puller.pull(ownerPeer, DataDescriptor.of(segment.region(), segment.regionOffset(), 4096), 0, 4096,
            destination(4096), 12, handler);
        driveUntil(() -> 0 == puller.pendingPulls(), "the next pull, over a new connection to the closed listener");
        final String again = handler.outcomes.get(12L);
        assertTrue(again.startsWith("failed: pull of 4096 bytes from region " + segment.region().regionId() +
            " of " + ownerPeer + " failed: step '"), again);
    }

    @Test
    void ownerClosedMidTransferFailsEveryPendingPull()
    {
        final int pulls = 32;
        final int length = 4 << 20;
        final DataDescriptor source = publish(TestBytes.seeded(6, length));
        final DataView destination = destination(length);
        for (int i = 0; i < pulls; i++)
        {
            puller.pull(ownerPeer, source, 0, length, destination, i, handler);
        }
        driveUntil(() -> !handler.outcomes.isEmpty(), "the first pull");

        owner.close();
        driveUntil(() -> 0 == puller.pendingPulls(), "pulls after the owner closed");

        assertEquals(pulls, handler.outcomes.size());
        final long failed = handler.outcomes.values().stream().filter((outcome) -> outcome.startsWith("failed")).count();
        assertTrue(failed > 0, "the owner closed with pulls in flight, yet every pull completed: " + handler.outcomes);
        for (final String outcome : handler.outcomes.values())
        {
            assertTrue(outcome.equals("complete") || outcome.startsWith(
                "failed: pull of " + length + " bytes from region " + source.regionId() + " of " + ownerPeer + " failed: "),
                outcome);
        }
    }

    private void assertRefused(
        final DataDescriptor source, final long offset, final int length, final DataView destination,
        final String expectedMessage)
    {
        final BulkTransportException ex = assertThrows(
            BulkTransportException.class, () -> puller.pull(ownerPeer, source, offset, length, destination, 99, handler));
        assertTrue(ex.getMessage().contains(expectedMessage), "expected '" + expectedMessage + "' in: " + ex.getMessage());
        assertEquals(0, puller.pendingPulls(), "a refused pull was queued");
        puller.doWork();
        assertTrue(handler.outcomes.isEmpty(), "the handler was called for a refused pull: " + handler.outcomes);
    }

    private void driveUntil(final BooleanSupplier done, final String what)
    {
        final long deadlineNs = System.nanoTime() + DEADLINE.toNanos();
        while (!done.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError(what + " not done within " + DEADLINE + "; " + puller.pendingPulls() +
                    " pulls pending, outcomes " + handler.outcomes);
            }
            owner.doWork();
            puller.doWork();
        }
    }

    private BufferPool pool(final String name)
    {
        return TestPools.pool(shmRoot, name, SLAB_BYTES, 4);
    }

    private Segment ownerSegment(final byte[] bytes)
    {
        return TestPools.filled(ownerPool, bytes, segments);
    }

    private DataDescriptor publish(final byte[] bytes)
    {
        final Segment segment = ownerSegment(bytes);
        puller.attach(ownerPeer, owner.register(segment.region()));
        return DataDescriptor.of(segment.region(), segment.regionOffset(), segment.length());
    }

    private DataView destination(final int length)
    {
        final Segment segment = pullerPool.tryAllocate(length);
        segments.add(segment);
        puller.register(segment.region());
        return segment.view().slice(0, length);
    }

    private static void fill(final DataView view, final byte value)
    {
        for (int i = 0; i < view.segmentCount(); i++)
        {
            new UnsafeBuffer(view.segmentAddress(i), view.segmentLength(i)).setMemory(0, view.segmentLength(i), value);
        }
    }

}
