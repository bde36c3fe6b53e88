package dev.ferry.bulk.shm;

import dev.ferry.buffer.BufferPool;
import dev.ferry.buffer.Segment;
import dev.ferry.bulk.BulkTransportException;
import dev.ferry.bulk.DataDescriptor;
import dev.ferry.bulk.PeerInfo;
import dev.ferry.bulk.Region;
import dev.ferry.bulk.RegionDescriptor;
import dev.ferry.event.DataView;
import dev.ferry.shm.HostIdentity;
import dev.ferry.test.RecordingPullHandler;
import dev.ferry.test.ShmTempDirFactory;
import dev.ferry.test.TestBytes;
import dev.ferry.test.TestPools;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.ferry.test.TestBytes.assertSameBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shared-memory transport in one process: an owner and a puller transport over real mappings
 * of pool slabs in a temporary shared-memory root.
 */
class ShmBulkTransportTest
{
    private static final int CHUNK_BYTES = 64 << 10;
    private static final int SLAB_BYTES = 4 << 20;
    private static final byte UNTOUCHED = 0x5A;
    private static final long UNKNOWN_REGION_ID = 999_999_999L;

    @TempDir(factory = ShmTempDirFactory.class)
    Path shmRoot;

    @TempDir
    Path outside;

    private final PeerInfo ownerPeer = PeerInfo.local(1);
    private final PeerInfo pullerPeer = PeerInfo.local(2);
    private final List<Segment> segments = new ArrayList<>();
    private final RecordingPullHandler handler = new RecordingPullHandler();
    private BufferPool ownerPool;
    private BufferPool pullerPool;
    private ShmBulkTransport owner;
    private ShmBulkTransport puller;

    @BeforeEach
    void setUp()
    {
        ownerPool = pool("owner");
        pullerPool = pool("puller");
        owner = new ShmBulkTransport(ownerPeer, shmRoot, CHUNK_BYTES);
        puller = new ShmBulkTransport(pullerPeer, shmRoot, CHUNK_BYTES);
    }

    @AfterEach
    void tearDown()
    {
        puller.close();
        owner.close();
        segments.forEach(Segment::release);
        pullerPool.close();
        ownerPool.close();
    }

    @Test
    void pullsEveryByteIntoOneDestinationSegment()
    {
        final byte[] bytes = TestBytes.seeded(1, 100_003);
        final DataDescriptor source = publish(bytes);
        final DataView destination = destination(bytes.length);

        puller.pull(ownerPeer, source, 0, bytes.length, destination, 7, handler);

        assertTrue(handler.outcomes.isEmpty(), "a pull completes from doWork, not at once");
        assertEquals(1, puller.pendingPulls());
        assertEquals(2, driveToCompletion(), "100,003 bytes in 64 KiB chunks");
        assertEquals(Map.of(7L, "complete"), handler.outcomes);
        assertSameBytes(bytes, destination, "pulled bytes");
        assertEquals(bytes.length, puller.bytesPulled());
        assertEquals(0, puller.pendingPulls());
    }

    @Test
    void pullsEveryByteAcrossSeveralDestinationSegmentsOverSeveralDutyCycles()
    {
        final byte[] bytes = TestBytes.seeded(2, (1 << 20) + 3);
        final DataDescriptor source = publish(bytes);
        final DataView destination = DataView.concat(
            destination(4096), destination(1), destination(300_001), destination(bytes.length - 304_098 + 10));
        fill(destination, UNTOUCHED);

        puller.pull(ownerPeer, source, 0, bytes.length, destination, 8, handler);

        int dutyCycles = 0;
        while (puller.pendingPulls() > 0)
        {
            assertTrue(handler.outcomes.isEmpty(), "completed after " + dutyCycles + " of 17 duty cycles");
            assertEquals(1, puller.doWork());
            dutyCycles++;
        }
        assertEquals(17, dutyCycles, "1 MiB + 3 bytes in 64 KiB chunks");
        assertEquals(Map.of(8L, "complete"), handler.outcomes);
        final byte[] pulled = TestBytes.toArray(destination);
        assertSameBytes(bytes, Arrays.copyOf(pulled, bytes.length), "pulled bytes");
        assertSameBytes(filled(10, UNTOUCHED), Arrays.copyOfRange(pulled, bytes.length, pulled.length), "past the pull");
        assertEquals(bytes.length, puller.bytesPulled());
    }

    @Test
    void pullsARangeWithinTheDescriptorAndQueuedPullsCompleteInOrder()
    {
        final byte[] first = TestBytes.seeded(3, 200_000);
        final byte[] second = TestBytes.seeded(4, 5000);
        final DataDescriptor firstSource = publish(first);
        final DataDescriptor secondSource = publish(second);
        final DataView firstDestination = destination(150_000);
        final DataView secondDestination = DataView.concat(destination(1), destination(4998));

        puller.pull(ownerPeer, firstSource, 1000, 150_000, firstDestination, 1, handler);
        puller.pull(ownerPeer, secondSource, 1, 4999, secondDestination, 2, handler);
        driveToCompletion();

        assertEquals(List.of(1L, 2L), new ArrayList<>(handler.outcomes.keySet()));
        assertEquals(List.of("complete", "complete"), new ArrayList<>(handler.outcomes.values()));
        assertSameBytes(Arrays.copyOfRange(first, 1000, 151_000), firstDestination, "range of the first source");
        assertSameBytes(Arrays.copyOfRange(second, 1, 5000), secondDestination, "range of the second source");
        assertEquals(154_999, puller.bytesPulled());
    }

    @Test
    void viewShowsThePeersBytesInPlace()
    {
        final byte[] bytes = TestBytes.seeded(5, 70_000);
        final Segment segment = ownerSegment(bytes);
        final DataDescriptor source = describe(segment);

        final DataView whole = puller.view(ownerPeer, source, 0, bytes.length);
        final DataView part = puller.view(ownerPeer, source, 100, 1000);

        assertSameBytes(bytes, whole, "in-place view");
        assertSameBytes(Arrays.copyOfRange(bytes, 100, 1100), part, "in-place view of a range");

        segment.buffer().putByte(150, (byte)(bytes[150] + 1));
        assertEquals((byte)(bytes[150] + 1), part.getByte(50), "the view reads the owner's memory, not a copy");
        assertEquals(0, puller.pendingPulls());
        assertEquals(0, puller.bytesPulled());
    }

    @Test
    void refusesARegionThePeerDidNotAttach()
    {
        final DataDescriptor source = publish(TestBytes.seeded(6, 4096));
        final DataDescriptor unknown = new DataDescriptor(source.regionId() + 1000, 0, 100);

        assertPullRefused(
            unknown, 0, 100,
            "refusing to read " + unknown + " of " + ownerPeer + ": the peer attached no region " + unknown.regionId());

        final PeerInfo stranger = new PeerInfo(3, HostIdentity.bootId(), 4242);
        final BulkTransportException ex = assertThrows(
            BulkTransportException.class,
            () -> puller.pull(stranger, source, 0, 100, destination(100), 1, handler));
        assertTrue(ex.getMessage().contains("the peer attached no region " + source.regionId() + " (it attached none)"),
            "a region is reachable only through the peer that sent it: " + ex.getMessage());
        assertNothingRead();
    }

    @Test
    void refusesADescriptorBeyondTheRegion()
    {
        final DataDescriptor source = publish(TestBytes.seeded(7, 4096));
        final long regionLength = SLAB_BYTES;

        final DataDescriptor pastEnd = new DataDescriptor(source.regionId(), regionLength - 100, 200);
        assertPullRefused(pastEnd, 0, 100, "it reaches past the end of region " + source.regionId() + " (" +
            regionLength + " bytes)");

        final DataDescriptor startsPastEnd = new DataDescriptor(source.regionId(), regionLength, 1);
        assertPullRefused(startsPastEnd, 0, 1, "reaches past the end of region");

        final DataDescriptor huge = new DataDescriptor(source.regionId(), 1, Long.MAX_VALUE);
        assertPullRefused(huge, 0, 1, "reaches past the end of region");
    }

    @Test
    void refusesNegativeOffsetsAndLengthsInTheDescriptor()
    {
        final DataDescriptor source = publish(TestBytes.seeded(8, 4096));

        assertPullRefused(new DataDescriptor(source.regionId(), -1, 100), 0, 10, "offset and length must not be negative");
        assertPullRefused(new DataDescriptor(source.regionId(), 0, -1), 0, 0, "offset and length must not be negative");
        assertPullRefused(
            new DataDescriptor(source.regionId(), Long.MIN_VALUE, 10), 0, 10, "offset and length must not be negative");
    }

    @Test
    void refusesARangeOutsideTheDescriptor()
    {
        final DataDescriptor source = publish(TestBytes.seeded(9, 4096));

        assertPullRefused(source, 1, 4096, "refusing to read [1, 4096] of " + source + " of " + ownerPeer +
            ": the range lies outside the descriptor");
        assertPullRefused(source, 4097, 0, "the range lies outside the descriptor");
        assertPullRefused(source, -1, 10, "refusing to read [-1, 10]");
        assertPullRefused(source, 0, -1, "refusing to read [0, -1]");
        assertViewRefused(source, 4000, 97, "the range lies outside the descriptor");
        assertViewRefused(new DataDescriptor(source.regionId(), SLAB_BYTES, 1), 0, 1, "reaches past the end of region");
    }

    @Test
    void refusesADestinationTooShort()
    {
        final DataDescriptor source = publish(TestBytes.seeded(10, 4096));
        final DataView destination = destination(4095);
        fill(destination, UNTOUCHED);

        final BulkTransportException ex = assertThrows(
            BulkTransportException.class, () -> puller.pull(ownerPeer, source, 0, 4096, destination, 1, handler));

        assertEquals("cannot pull 4096 bytes into a destination of 4095 bytes", ex.getMessage());
        assertNothingRead();
        assertSameBytes(filled(4095, UNTOUCHED), destination, "destination of a refused pull");
    }

    @Test
    void refusesADescriptorOfAnotherTransport()
    {
        final RegionDescriptor real = ownerRegion();
        final RegionDescriptor rdma = new RegionDescriptor("rdma", real.regionId(), real.length(), real.locator());

        assertAttachRefused(ownerPeer, rdma, "it is a 'rdma' descriptor, not a shared-memory one");
    }

    @Test
    void refusesAPeerOnAnotherHost()
    {
        final RegionDescriptor real = ownerRegion();
        final PeerInfo remote = new PeerInfo(1, "another-boot-id", ownerPeer.pid());

        assertFalse(puller.reachable(remote));
        assertAttachRefused(remote, real,
            "the peer runs on another host (boot id another-boot-id, ours " + HostIdentity.bootId() + ")");
    }

    @Test
    void refusesALocatorNamingAnotherBootId()
    {
        final RegionDescriptor real = ownerRegion();
        final String path = locatorPath(real);

        assertAttachRefused(ownerPeer, withLocator(real, "another-boot-id\n" + path),
            "its locator names another host or is malformed");
        assertAttachRefused(ownerPeer, withLocator(real, path), "its locator names another host or is malformed");
    }

    @Test
    void refusesAFileOutsideTheSharedMemoryRoot()
    {
        final RegionDescriptor real = ownerRegion();

        assertAttachRefused(ownerPeer, withLocator(real, HostIdentity.bootId() + "\n/etc/passwd"),
            "its file /etc/passwd is not under Ferry's shared-memory root " + shmRoot);
        assertAttachRefused(ownerPeer, withLocator(real, HostIdentity.bootId() + "\n" + shmRoot + "/../../etc/passwd"),
            "is not under Ferry's shared-memory root");
        assertAttachRefused(ownerPeer, withLocator(real, HostIdentity.bootId() + "\netc/passwd"),
            "is not under Ferry's shared-memory root");
    }

    @Test
    void refusesASymlinkInTheRootThatPointsOutside() throws IOException
    {
        final Path secret = Files.write(outside.resolve("secret"), TestBytes.seeded(11, 8192));
        final Path fileLink = Files.createSymbolicLink(shmRoot.resolve("innocent"), secret);
        final Path dirLink = Files.createSymbolicLink(shmRoot.resolve("innocent-dir"), outside);
        final RegionDescriptor real = ownerRegion();

        assertAttachRefused(ownerPeer, region(real.regionId(), 8192, fileLink), "leads through a symbolic link");
        assertAttachRefused(ownerPeer, region(real.regionId(), 8192, dirLink.resolve("secret")),
            "leads through a symbolic link");
        Files.delete(fileLink);
        Files.delete(dirLink);
    }

    @Test
    void refusesAFileShorterThanTheRegionClaims() throws IOException
    {
        final Path small = Files.write(shmRoot.resolve("small"), new byte[4096]);

        assertAttachRefused(ownerPeer, region(UNKNOWN_REGION_ID, 8192, small),
            "its file " + small + " holds 4096 bytes, fewer than the 8192 claimed");
        assertAttachRefused(ownerPeer, region(UNKNOWN_REGION_ID, 0, small), "its length 0 is not from 1 byte to 2 GiB");
        assertAttachRefused(ownerPeer, region(UNKNOWN_REGION_ID, 1L << 31, small), "is not from 1 byte to 2 GiB");
    }

    @Test
    void refusesAFileThatIsNotRegular() throws IOException
    {
        final Path dir = Files.createDirectory(shmRoot.resolve("a-directory"));

        assertAttachRefused(ownerPeer, region(UNKNOWN_REGION_ID, 10, dir), "its file " + dir + " is not a regular file");
    }

    @Test
    void registeringARegionAgainReturnsTheSameDescriptorAndPeersStillReadIt()
    {
        final byte[] bytes = TestBytes.seeded(21, 10_000);
        final Segment segment = ownerSegment(bytes);
        final RegionDescriptor first = owner.register(segment.region());

        final RegionDescriptor again = owner.register(segment.region());

        assertEquals(first, again);
        puller.attach(ownerPeer, again);
        final DataView destination = destination(bytes.length);
        puller.pull(ownerPeer, DataDescriptor.of(segment.region(), segment.regionOffset(), bytes.length), 0,
            bytes.length, destination, 1, handler);
        driveToCompletion();
        assertEquals("complete", handler.outcomes.remove(1L), handler.outcomes.toString());
        assertSameBytes(bytes, destination, "pulled through the descriptor of the second registration");
    }

    @Test
    void regionsRegisteredFromManyThreadsAtOnceAreEachRegisteredOnce() throws Exception
    {
        final int threads = 8;
        final int regionsPerThread = 5_000;
        final ExecutorService registrars = Executors.newFixedThreadPool(threads);
        try
        {
            final CountDownLatch start = new CountDownLatch(1);
            final List<Future<List<RegionDescriptor>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final int first = t * regionsPerThread;
                results.add(registrars.submit(() ->
                {
                    start.await(30, TimeUnit.SECONDS);
                    final List<RegionDescriptor> descriptors = new ArrayList<>();
                    for (int id = first; id < first + regionsPerThread; id++)
                    {
                        descriptors.add(owner.register(new TestRegion(id, shmRoot.resolve("slab-" + id))));
                        descriptors.add(owner.register(new TestRegion(id % threads, shmRoot.resolve("slab-" + id % threads))));
                    }
                    return descriptors;
                }));
            }
            start.countDown();
            final Map<Long, RegionDescriptor> byRegion = new HashMap<>();
            for (final Future<List<RegionDescriptor>> result : results)
            {
                for (final RegionDescriptor descriptor : result.get(60, TimeUnit.SECONDS))
                {
                    final RegionDescriptor earlier = byRegion.putIfAbsent(descriptor.regionId(), descriptor);
                    assertTrue(null == earlier || earlier == descriptor,
                        "region " + descriptor.regionId() + " was registered twice: two descriptors came back");
                }
            }
            assertEquals(threads * regionsPerThread, byRegion.size());
            for (final RegionDescriptor descriptor : byRegion.values())
            {
                final long id = descriptor.regionId();
                assertSame(descriptor, owner.register(new TestRegion(id, shmRoot.resolve("slab-" + id))),
                    "region " + id + " was not kept: registering it again made a new descriptor");
            }
        }
        finally
        {
            registrars.shutdownNow();
        }
    }

    @Test
    void registerRefusesRegionsPeersCannotMap()
    {
        final BulkTransportException anonymous =
            assertThrows(BulkTransportException.class, () -> owner.register(new TestRegion(77, null)));
        assertTrue(anonymous.getMessage().contains("region 77 is not file-backed, so peers cannot map it"),
            anonymous.getMessage());

        final Path elsewhere = outside.resolve("slab");
        final BulkTransportException outsideRoot =
            assertThrows(BulkTransportException.class, () -> owner.register(new TestRegion(78, elsewhere)));
        assertTrue(outsideRoot.getMessage().contains(
            "region 78 is mapped from " + elsewhere + ", outside Ferry's shared-memory root " + shmRoot),
            outsideRoot.getMessage());
    }

    @Test
    void detachFailsPendingPullsAndForgetsThePeersRegions()
    {
        final byte[] bytes = TestBytes.seeded(12, 300_000);
        final DataDescriptor source = publish(bytes);
        final DataView view = puller.view(ownerPeer, source, 0, bytes.length);
        puller.pull(ownerPeer, source, 0, bytes.length, destination(bytes.length), 5, handler);
        puller.doWork();

        puller.detach(ownerPeer);

        assertEquals(0, puller.pendingPulls());
        assertTrue(handler.outcomes.remove(5L).startsWith("failed: region " + source.regionId() + " of " + ownerPeer +
            " was detached with the pull pending"), handler.outcomes.toString());
        assertEquals(0, puller.doWork());
        assertEquals(0, puller.bytesPulled());
        assertPullRefused(source, 0, 10, "(it attached none)");
        assertSameBytes(bytes, view, "an in-place view taken before the detach stays mapped");
    }

    @Test
    void closeFailsPendingPullsAndRefusesWhatFollows()
    {
        final byte[] bytes = TestBytes.seeded(13, 300_000);
        final DataDescriptor source = publish(bytes);
        puller.pull(ownerPeer, source, 0, bytes.length, destination(bytes.length), 6, handler);
        puller.pull(ownerPeer, source, 0, 10, destination(10), 7, handler);
        puller.doWork();

        puller.close();

        assertEquals(0, puller.pendingPulls());
        assertEquals("failed: shared-memory transport closed with the pull pending", handler.outcomes.get(6L));
        assertEquals("failed: shared-memory transport closed with the pull pending", handler.outcomes.get(7L));
        final BulkTransportException afterClose = assertThrows(
            BulkTransportException.class,
            () -> puller.pull(ownerPeer, source, 0, 10, destination(10), 8, handler));
        assertEquals("the shared-memory transport is closed", afterClose.getMessage());
        assertThrows(BulkTransportException.class, () -> puller.attach(ownerPeer, ownerRegion()));
        assertEquals(2, handler.outcomes.size());
        puller.close();
    }

    private BufferPool pool(final String name)
    {
        return TestPools.pool(shmRoot, name, SLAB_BYTES, 2);
    }

    private Segment ownerSegment(final byte[] bytes)
    {
        return TestPools.filled(ownerPool, bytes, segments);
    }

    private DataDescriptor describe(final Segment segment)
    {
        puller.attach(ownerPeer, owner.register(segment.region()));
        return DataDescriptor.of(segment.region(), segment.regionOffset(), segment.length());
    }

    private DataDescriptor publish(final byte[] bytes)
    {
        return describe(ownerSegment(bytes));
    }

    private RegionDescriptor ownerRegion()
    {
        final Segment segment = ownerSegment(new byte[1]);
        return owner.register(segment.region());
    }

    private DataView destination(final int length)
    {
        final Segment segment = pullerPool.tryAllocate(length);
        segments.add(segment);
        return segment.view();
    }

    private int driveToCompletion()
    {
        int dutyCycles = 0;
        while (puller.pendingPulls() > 0)
        {
            assertTrue(dutyCycles < 10_000, "pulls still pending after " + dutyCycles + " duty cycles");
            puller.doWork();
            dutyCycles++;
        }
        return dutyCycles;
    }

    private void assertPullRefused(
        final DataDescriptor source, final long offset, final int length, final String expectedMessage)
    {
        final DataView destination = destination(Math.max(1, Math.min(length, SLAB_BYTES)));
        fill(destination, UNTOUCHED);

        assertRefused(
            () -> puller.pull(ownerPeer, source, offset, length, destination, 99, handler), expectedMessage);
        assertSameBytes(filled((int)destination.length(), UNTOUCHED), destination, "destination of a refused pull");
    }

    private void assertViewRefused(
        final DataDescriptor source, final long offset, final long length, final String expectedMessage)
    {
        assertRefused(() -> puller.view(ownerPeer, source, offset, length), expectedMessage);
    }

    private void assertRefused(final Executable operation, final String expectedMessage)
    {
        final long pulledBefore = puller.bytesPulled();
        final BulkTransportException ex = assertThrows(BulkTransportException.class, operation);

        assertTrue(ex.getMessage().contains(expectedMessage), "expected '" + expectedMessage + "' in: " + ex.getMessage());
        assertEquals(0, puller.pendingPulls(), "a refused pull was queued");
        assertEquals(0, puller.doWork(), "a refused pull did work");
        assertEquals(pulledBefore, puller.bytesPulled());
        assertNothingRead();
    }

    private void assertNothingRead()
    {
        assertTrue(handler.outcomes.isEmpty(), "the handler was called for a refused pull: " + handler.outcomes);
        assertEquals(0, puller.pendingPulls());
    }

    private void assertAttachRefused(final PeerInfo peer, final RegionDescriptor descriptor, final String expectedMessage)
    {
        final BulkTransportException ex =
            assertThrows(BulkTransportException.class, () -> puller.attach(peer, descriptor));

        assertTrue(
            ex.getMessage().startsWith("refusing region " + descriptor.regionId() + " of " + peer + ": "), ex.getMessage());
        assertTrue(ex.getMessage().contains(expectedMessage), "expected '" + expectedMessage + "' in: " + ex.getMessage());
        assertPullRefused(new DataDescriptor(descriptor.regionId(), 0, 1), 0, 1, "the peer attached no region");
    }

    private static String locatorPath(final RegionDescriptor descriptor)
    {
        final String locator = new String(descriptor.locator(), StandardCharsets.UTF_8);
        return locator.substring(locator.indexOf('\n') + 1);
    }

    private static RegionDescriptor withLocator(final RegionDescriptor descriptor, final String locator)
    {
        return new RegionDescriptor(
            descriptor.transport(), descriptor.regionId(), descriptor.length(), locator.getBytes(StandardCharsets.UTF_8));
    }

    private static RegionDescriptor region(final long regionId, final long length, final Path file)
    {
        final String locator = HostIdentity.bootId() + "\n" + file;
        return new RegionDescriptor(ShmBulkTransport.NAME, regionId, length, locator.getBytes(StandardCharsets.UTF_8));
    }

    private static void fill(final DataView view, final byte value)
    {
        for (int i = 0; i < view.segmentCount(); i++)
        {
            new UnsafeBuffer(view.segmentAddress(i), view.segmentLength(i)).setMemory(0, view.segmentLength(i), value);
        }
    }

    private static byte[] filled(final int length, final byte value)
    {
        final byte[] bytes = new byte[length];
        Arrays.fill(bytes, value);
        return bytes;
    }


    private static final class TestRegion implements Region
    {
        private final long regionId;
        private final Path file;

        TestRegion(final long regionId, final Path file)
        {
            this.regionId = regionId;
            this.file = file;
        }

        public long regionId()
        {
            return regionId;
        }

        public long address()
        {
            return 0x10000;
        }

        public long length()
        {
            return 4096;
        }

        public Path file()
        {
            return file;
        }
    }
}
