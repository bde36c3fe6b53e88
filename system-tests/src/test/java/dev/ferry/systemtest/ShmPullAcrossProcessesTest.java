package dev.ferry.systemtest;

import dev.ferry.buffer.BufferPool;
import dev.ferry.buffer.Segment;
import dev.ferry.bulk.BulkTransportException;
import dev.ferry.bulk.DataDescriptor;
import dev.ferry.bulk.PeerInfo;
import dev.ferry.bulk.PullHandler;
import dev.ferry.bulk.RegionDescriptor;
import dev.ferry.bulk.shm.ShmBulkTransport;
import dev.ferry.event.DataView;
import dev.ferry.shm.HostIdentity;
import dev.ferry.shm.ShmDirectory;
import dev.ferry.test.ChildJvm;
import dev.ferry.test.ShmTempDirFactory;
import dev.ferry.test.TestBytes;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two real JVMs on one host: a child allocates pool segments, fills them with seeded random bytes
 * and registers its slabs; this process attaches them, pulls every segment into its own pool and
 * reads them in place, and checks every byte; descriptors outside what the child registered are
 * refused before anything is read.
 */
@Timeout(300)
class ShmPullAcrossProcessesTest
{
    private static final Duration LINE_TIMEOUT = Duration.ofSeconds(60);
    private static final long SEED = 0x5EED_F3A7L;
    private static final int[] SIZES = {
        4096, 4097, 5000, 8191, 12_288, 12_345, 40_000, 65_536, 65_537, 100_000,
        262_143, 500_000, 777_777, 1 << 20, (1 << 20) + 1, 2 << 20, (3 << 20) - 5, (4 << 20) + 17, (8 << 20) - 1, 8 << 20 };
    private static final long CHILD_PEER_ID = 1;
    private static final byte UNTOUCHED = 0x5A;

    @TempDir(factory = ShmTempDirFactory.class)
    Path shmRoot;

    @Test
    void pullsAndViewsEveryByteAnotherProcessRegisteredAndRefusesWhatItDidNot()
    {
        try (ChildJvm child = ChildJvm.builder(ShmRegionOwner.class)
            .systemProperty(ShmDirectory.DIR_PROP_NAME, shmRoot.toString())
            .jvmFlags("-Xmx256m")
            .args(args())
            .start();
            BufferPool pool = new BufferPool(new BufferPool.Context()
                .name("puller")
                .directory(shmRoot)
                .slabBytes(ShmRegionOwner.SLAB_BYTES)
                .reserveBytes(4096)
                .maxBytes((long)ShmRegionOwner.SLAB_COUNT * ShmRegionOwner.SLAB_BYTES + 4096));
            ShmBulkTransport transport = new ShmBulkTransport(PeerInfo.local(0), shmRoot, 1 << 20))
        {
            try
            {
                pullViewAndRefuse(child, pool, transport);
            }
            catch (final Throwable ex)
            {
                child.attachStderrTo(ex);
                throw ex;
            }
        }
    }

    private static void pullViewAndRefuse(final ChildJvm child, final BufferPool pool, final ShmBulkTransport transport)
    {
        final Registered registered = readRegistered(child);
        assertEquals(HostIdentity.bootId(), registered.peer.bootId(), "both processes run under one kernel");
        assertEquals(child.pid(), registered.peer.pid());
        assertEquals(SIZES.length, registered.data.size());
        assertTrue(transport.reachable(registered.peer));
        for (final RegionDescriptor region : registered.regions.values())
        {
            transport.attach(registered.peer, region);
        }

        final List<Segment> held = new ArrayList<>();
        try
        {
            pullEverySegmentAndCheckEveryByte(child, registered, pool, transport, held);
            viewEverySegmentInPlace(registered, transport);
            refuseDescriptorsOutsideTheRegions(registered, pool, transport, held);
        }
        finally
        {
            held.forEach(Segment::release);
        }

        child.writeLine("exit");
        assertEquals(0, child.waitForExit(LINE_TIMEOUT));
        assertFalse(Files.exists(registered.directory), "the child's pool directory remains after its close");
    }

    private static void pullEverySegmentAndCheckEveryByte(
        final ChildJvm child,
        final Registered registered,
        final BufferPool pool,
        final ShmBulkTransport transport,
        final List<Segment> held)
    {
        final Handler handler = new Handler();
        final List<DataView> destinations = new ArrayList<>();
        long total = 0;
        for (int i = 0; i < SIZES.length; i++)
        {
            final DataDescriptor source = registered.data.get(i);
            assertEquals(SIZES[i], source.length(), "length of data " + i);
            final DataView destination = destination(pool, SIZES[i], held);
            destinations.add(destination);
            transport.pull(registered.peer, source, 0, SIZES[i], destination, i, handler);
            total += SIZES[i];
        }

        int dutyCycles = 0;
        while (transport.pendingPulls() > 0)
        {
            if (dutyCycles++ > 100_000)
            {
                throw child.failure("left " + transport.pendingPulls() + " pulls pending after 100,000 duty cycles");
            }
            transport.doWork();
        }

        assertEquals(SIZES.length, handler.completed.size(), "failed: " + handler.failed);
        assertTrue(handler.failed.isEmpty(), handler.failed.toString());
        assertEquals(total, transport.bytesPulled());
        for (int i = 0; i < SIZES.length; i++)
        {
            final String what = "data " + i + " (" + SIZES[i] + " bytes) pulled";
            TestBytes.assertSameBytes(TestBytes.seeded(SEED + i, SIZES[i]), destinations.get(i), what);
        }
    }

    private static void viewEverySegmentInPlace(final Registered registered, final ShmBulkTransport transport)
    {
        for (int i = 0; i < SIZES.length; i++)
        {
            final DataView view = transport.view(registered.peer, registered.data.get(i), 0, SIZES[i]);
            TestBytes.assertSameBytes(
                TestBytes.seeded(SEED + i, SIZES[i]), view, "data " + i + " (" + SIZES[i] + " bytes) in place");
        }

        final int last = SIZES.length - 1;
        final DataView middle = transport.view(registered.peer, registered.data.get(last), 1000, 5000);
        TestBytes.assertSameBytes(
            Arrays.copyOfRange(TestBytes.seeded(SEED + last, SIZES[last]), 1000, 6000), middle, "a range in place");
    }

    private static void refuseDescriptorsOutsideTheRegions(
        final Registered registered, final BufferPool pool, final ShmBulkTransport transport, final List<Segment> held)
    {
        final long pulledBefore = transport.bytesPulled();
        final DataDescriptor first = registered.data.get(0);
        final long regionLength = registered.regions.get(first.regionId()).length();
        final long unknownRegionId = registered.regions.keySet().stream().mapToLong(Long::longValue).max().orElse(0) + 1000;

        final DataDescriptor unknown = new DataDescriptor(unknownRegionId, 0, 4096);
        assertRefused(registered, pool, transport, held, unknown, 0, 4096,
            "refusing to read " + unknown + " of " + registered.peer + ": the peer attached no region " + unknownRegionId);

        final DataDescriptor pastEnd = new DataDescriptor(first.regionId(), regionLength - 100, 200);
        assertRefused(registered, pool, transport, held, pastEnd, 0, 200,
            "refusing to read " + pastEnd + " of " + registered.peer + ": it reaches past the end of region " +
            first.regionId() + " (" + regionLength + " bytes)");

        final DataDescriptor atEnd = new DataDescriptor(first.regionId(), regionLength, 1);
        assertRefused(registered, pool, transport, held, atEnd, 0, 1, "it reaches past the end of region");

        assertRefused(registered, pool, transport, held, first, 1, (int)first.length(),
            "refusing to read [1, " + first.length() + "] of " + first + " of " + registered.peer +
            ": the range lies outside the descriptor");

        final PeerInfo impostor = new PeerInfo(CHILD_PEER_ID + 1, registered.peer.bootId(), registered.peer.pid());
        final BulkTransportException notAttached = assertThrows(
            BulkTransportException.class, () -> transport.view(impostor, first, 0, 10));
        assertTrue(notAttached.getMessage().contains("(it attached none)"), notAttached.getMessage());

        assertEquals(pulledBefore, transport.bytesPulled(), "a refused descriptor moved bytes");
    }

    private static void assertRefused(
        final Registered registered,
        final BufferPool pool,
        final ShmBulkTransport transport,
        final List<Segment> held,
        final DataDescriptor source,
        final long offset,
        final int length,
        final String expectedMessage)
    {
        final Handler handler = new Handler();
        final DataView destination = destination(pool, length, held);
        final UnsafeBuffer marker = new UnsafeBuffer(destination.segmentAddress(0), destination.segmentLength(0));
        marker.setMemory(0, marker.capacity(), UNTOUCHED);

        final BulkTransportException pullRefused = assertThrows(
            BulkTransportException.class,
            () -> transport.pull(registered.peer, source, offset, length, destination, 1, handler));
        final BulkTransportException viewRefused = assertThrows(
            BulkTransportException.class, () -> transport.view(registered.peer, source, offset, length));
        transport.doWork();

        assertTrue(pullRefused.getMessage().contains(expectedMessage),
            "expected '" + expectedMessage + "' in: " + pullRefused.getMessage());
        assertEquals(pullRefused.getMessage(), viewRefused.getMessage(), "pull and view refuse alike");
        assertEquals(0, transport.pendingPulls(), "a refused pull was queued");
        assertTrue(handler.completed.isEmpty() && handler.failed.isEmpty(), "the handler heard of a refused pull");
        for (int i = 0; i < marker.capacity(); i++)
        {
            assertEquals(UNTOUCHED, marker.getByte(i), "byte " + i + " of the destination of a refused pull");
        }
    }

    private static DataView destination(final BufferPool pool, final int length, final List<Segment> held)
    {
        if (length <= 65_536)
        {
            return allocate(pool, length, held).view();
        }
        final int firstPart = length / 3;
        return DataView.concat(
            allocate(pool, firstPart, held).view(), allocate(pool, length - firstPart, held).view());
    }

    private static Segment allocate(final BufferPool pool, final int length, final List<Segment> held)
    {
        final Segment segment = pool.tryAllocate(length);
        assertTrue(null != segment, "the test's pool cannot hold " + length + " more bytes: " + pool);
        held.add(segment);
        return segment;
    }

    private static String[] args()
    {
        final String[] args = new String[SIZES.length + 1];
        args[0] = Long.toString(SEED);
        for (int i = 0; i < SIZES.length; i++)
        {
            args[i + 1] = Integer.toString(SIZES[i]);
        }
        return args;
    }

    private static Registered readRegistered(final ChildJvm child)
    {
        final Registered registered = new Registered();
        String line;
        while (!DescriptorLines.READY.equals(line = child.readLine(LINE_TIMEOUT)))
        {
            final String[] fields = line.split(" ");
            switch (fields[0])
            {
                case DescriptorLines.PEER:
                    registered.peer = DescriptorLines.parsePeer(fields, CHILD_PEER_ID);
                    break;

                case DescriptorLines.DIR:
                    registered.directory = Paths.get(fields[1]);
                    break;

                case DescriptorLines.REGION:
                    final RegionDescriptor region = DescriptorLines.parseRegion(fields);
                    assertNull(registered.regions.put(region.regionId(), region), "region sent twice: " + line);
                    break;

                case DescriptorLines.DATA:
                    registered.data.add(DescriptorLines.parseData(fields));
                    break;

                default:
                    throw child.failure("printed '" + line + "', which is no descriptor line");
            }
        }

        if (null == registered.peer || null == registered.directory || registered.regions.isEmpty())
        {
            throw child.failure("printed no PEER, DIR or REGION line before READY");
        }
        return registered;
    }

    /**
     * What the child said it registered.
     */
    private static final class Registered
    {
        final Map<Long, RegionDescriptor> regions = new HashMap<>();
        final List<DataDescriptor> data = new ArrayList<>();
        PeerInfo peer;
        Path directory;
    }

    private static final class Handler implements PullHandler
    {
        final List<Long> completed = new ArrayList<>();
        final Map<Long, String> failed = new HashMap<>();

        public void onPullComplete(final long correlationId)
        {
            completed.add(correlationId);
        }

        public void onPullFailed(final long correlationId, final BulkTransportException cause)
        {
            failed.put(correlationId, cause.getMessage());
        }
    }
}
