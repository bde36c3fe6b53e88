package dev.ferry.log;

import dev.ferry.bulk.BulkTransportException;
import dev.ferry.bulk.Region;
import dev.ferry.event.DataView;
import dev.ferry.test.Conditions;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class PartitionLogTest
{
    private static final int KIB = 1024;
    private static final int SEGMENT = 4 * KIB;

    @TempDir
    Path root;

    private final List<PartitionLog> logs = new ArrayList<>();
    private final List<Region> announced = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeLogs()
    {
        logs.forEach(PartitionLog::close);
    }

    private PartitionLog log(final String name, final int segmentBytes, final long maxBytes)
    {
        final PartitionLog log = new PartitionLog(new PartitionLog.Context()
            .directory(root.resolve(name))
            .segmentBytes(segmentBytes)
            .maxBytes(maxBytes)
            .segmentListener(announced::add));
        logs.add(log);
        return log;
    }

    static byte[] pattern(final long seed, final int length)
    {
        final byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /**
     * Append an event with seeded metadata and data, fill its data, and return its id.
     */
    static long appendFilled(
        final PartitionLog log, final long seed, final int metadataLength, final int dataLength)
    {
        final long eventId = log.append(
            new UnsafeBuffer(pattern(seed, metadataLength)), 0, metadataLength, dataLength, 1_000_000L * seed);
        final DataView destination = log.dataDestination(eventId);
        assertEquals(dataLength, destination.length());
        if (dataLength > 0)
        {
            assertEquals(1, destination.segmentCount());
            new UnsafeBuffer(destination.segmentAddress(0), dataLength).putBytes(0, pattern(~seed, dataLength));
        }
        else
        {
            assertSame(DataView.EMPTY, destination);
        }
        return eventId;
    }

    static void assertEvent(
        final PartitionLog log, final long eventId, final long seed, final int metadataLength, final int dataLength)
    {
        final LogEntry entry = new LogEntry();
        assertTrue(log.read(eventId, entry), "event " + eventId + " should be readable");
        assertEntry(entry, eventId, seed, metadataLength, dataLength);
    }

    private static void assertEntry(
        final LogEntry entry, final long eventId, final long seed, final int metadataLength, final int dataLength)
    {
        assertEquals(eventId, entry.eventId());
        assertEquals(1_000_000L * seed, entry.timestampNanos());
        assertEquals(metadataLength, entry.metadataLength());
        final byte[] metadata = new byte[metadataLength];
        entry.metadataBuffer().getBytes(entry.metadataOffset(), metadata);
        assertArrayEquals(pattern(seed, metadataLength), metadata, "metadata of event " + eventId);

        assertEquals(dataLength, entry.dataLength());
        assertTrue(entry.dataOffset() + dataLength <= entry.region().length(), "data lies within its region");
        final long dataAddress = entry.region().address() + entry.dataOffset();
        assertEquals(0, dataAddress % 64, "data of event " + eventId + " is 64-byte aligned");
        final byte[] data = new byte[dataLength];
        if (dataLength > 0)
        {
            new UnsafeBuffer(dataAddress, dataLength).getBytes(0, data);
        }
        assertArrayEquals(pattern(~seed, dataLength), data, "data of event " + eventId);
    }

    @Test
    void appendedEventsReadBackByteForByteOnceCommitted()
    {
        final PartitionLog log = log("round-trip", 64 * KIB, 64 * KIB);
        final int[] metadataLengths = { 0, 1, 31, 32, 33, 63, 64, 100, 1000, 7 };
        final int[] dataLengths = { 0, 1, 63, 64, 65, 5000, 0, 4096, 12345, 3 };

        for (int i = 0; i < metadataLengths.length; i++)
        {
            assertEquals(i, appendFilled(log, i, metadataLengths[i], dataLengths[i]));
        }
        log.commit(metadataLengths.length - 1);

        for (int i = 0; i < metadataLengths.length; i++)
        {
            assertEvent(log, i, i, metadataLengths[i], dataLengths[i]);
        }
    }

    @Test
    void metadataIsTakenFromTheGivenRangeOfItsBuffer()
    {
        final PartitionLog log = log("range", SEGMENT, SEGMENT);
        final byte[] bytes = "xx{\"run\":7}yy".getBytes(StandardCharsets.US_ASCII);
        log.append(new UnsafeBuffer(bytes), 2, 9, 0, 5);
        log.commit(0);

        final LogEntry entry = new LogEntry();
        assertTrue(log.read(0, entry));
        assertEquals("{\"run\":7}", entry.metadataBuffer().getStringWithoutLengthAscii(entry.metadataOffset(), 9));
        assertThrows(IndexOutOfBoundsException.class, () -> log.append(new UnsafeBuffer(bytes), 5, 9, 0, 0));
        assertEquals(1, log.nextEventId(), "a refused append takes no id");
    }

    @Test
    void eventsStayInvisibleUntilCommittedAndCommitsOnlyMoveForward()
    {
        final PartitionLog log = log("commit", SEGMENT, SEGMENT);
        final LogEntry entry = new LogEntry();
        for (int i = 0; i < 3; i++)
        {
            appendFilled(log, i, 8, 16);
        }

        assertEquals(0, log.committedEnd());
        assertFalse(log.read(0, entry));
        assertFalse(log.read(3, entry), "an event not even appended is not readable");
        assertEquals(-1, entry.eventId(), "a failed read leaves the entry as it was");

        log.commit(1);
        assertEquals(2, log.committedEnd());
        assertEvent(log, 0, 0, 8, 16);
        assertEvent(log, 1, 1, 8, 16);
        assertFalse(log.read(2, entry));

        log.commit(0);
        assertEquals(2, log.committedEnd(), "committing an older event changes nothing");
        assertFalse(log.read(2, entry));

        final IllegalArgumentException notAppended = assertThrows(IllegalArgumentException.class, () -> log.commit(3));
        assertTrue(notAppended.getMessage().contains("cannot commit event 3"), notAppended.getMessage());
        assertTrue(notAppended.getMessage().contains("0 to 2"), notAppended.getMessage());
        assertThrows(IllegalArgumentException.class, () -> log.commit(-1));
        assertThrows(IllegalArgumentException.class, () -> log.read(-1, entry));
        assertEquals(2, log.committedEnd());

        log.commit(2);
        assertEquals(3, log.committedEnd());
        assertEvent(log, 2, 2, 8, 16);
    }

    @Test
    void dataDestinationIsOnlyForAppendedUncommittedEvents()
    {
        final PartitionLog log = log("destination", SEGMENT, SEGMENT);
        appendFilled(log, 1, 4, 100);
        appendFilled(log, 2, 4, 0);
        log.commit(0);

        final IllegalArgumentException committed =
            assertThrows(IllegalArgumentException.class, () -> log.dataDestination(0));
        assertTrue(committed.getMessage().contains("is committed"), committed.getMessage());
        final IllegalArgumentException unknown =
            assertThrows(IllegalArgumentException.class, () -> log.dataDestination(2));
        assertTrue(unknown.getMessage().contains("has no event 2"), unknown.getMessage());
        assertSame(DataView.EMPTY, log.dataDestination(1));
    }

    @Test
    void eventIdsAreDenseFromZero()
    {
        final PartitionLog log = log("dense", SEGMENT, 128 * SEGMENT);
        final UnsafeBuffer metadata = new UnsafeBuffer(new byte[20]);
        for (long expected = 0; expected < 2000; expected++)
        {
            assertEquals(expected, log.nextEventId());
            metadata.putLong(0, expected);
            assertEquals(expected, log.append(metadata, 0, 20, expected % 3, 0));
        }
        log.commit(1999);

        final LogEntry entry = new LogEntry();
        for (long eventId = 0; eventId < 2000; eventId++)
        {
            assertTrue(log.read(eventId, entry));
            assertEquals(eventId, entry.eventId());
            assertEquals(eventId, entry.metadataBuffer().getLong(entry.metadataOffset()));
            assertEquals(eventId % 3, entry.dataLength());
        }
        assertFalse(log.read(2000, entry));
    }

    @Test
    void exactlyFittingRecordsFillSegmentsWithoutPadding()
    {
        final PartitionLog log = log("exact", SEGMENT, 4 * SEGMENT);
        // no metadata: data starts at 64, so 960 bytes of data make a record of exactly 1 KiB
        for (int i = 0; i < 9; i++)
        {
            appendFilled(log, i, 0, 960);
        }
        log.commit(8);

        assertEquals(3, log.regions().size());
        final LogEntry entry = new LogEntry();
        for (int i = 0; i < 9; i++)
        {
            assertTrue(log.read(i, entry));
            assertSame(log.regions().get(i / 4), entry.region(), "event " + i + " is in segment " + i / 4);
            assertEquals((i % 4) * 1024L + 64, entry.dataOffset());
            assertEntry(entry, i, i, 0, 960);
        }

        final ByteBuffer first = raw(log.regions().get(0));
        assertEquals(1024, first.getInt(3 * 1024 + LogRecordDescriptor.RECORD_LENGTH_OFFSET));
        assertEquals(3, first.getLong(3 * 1024 + LogRecordDescriptor.EVENT_ID_OFFSET), "no padding record");
    }

    @Test
    void aRecordThatDoesNotFitClosesTheSegmentWithPadding()
    {
        final PartitionLog log = log("padding", SEGMENT, 4 * SEGMENT);
        appendFilled(log, 1, 10, 2880); // record of align(64 + 10, 64) + 2880 = 3008 bytes
        appendFilled(log, 2, 10, 1984); // 2112 bytes: does not fit the remaining 1088
        appendFilled(log, 3, 0, 4032);  // exactly a whole segment, after a partly filled one
        appendFilled(log, 4, 0, 0);
        log.commit(3);

        assertEquals(4, log.regions().size());
        final ByteBuffer first = raw(log.regions().get(0));
        assertEquals(3008, first.getInt(LogRecordDescriptor.RECORD_LENGTH_OFFSET));
        assertEquals(SEGMENT - 3008, first.getInt(3008 + LogRecordDescriptor.RECORD_LENGTH_OFFSET));
        assertEquals(LogRecordDescriptor.PADDING_EVENT_ID, first.getLong(3008 + LogRecordDescriptor.EVENT_ID_OFFSET));
        assertEquals(0, first.getInt(3008 + LogRecordDescriptor.METADATA_LENGTH_OFFSET));
        assertEquals(0, first.getLong(3008 + LogRecordDescriptor.DATA_LENGTH_OFFSET));

        final ByteBuffer second = raw(log.regions().get(1));
        assertEquals(SEGMENT - 2112, second.getInt(2112 + LogRecordDescriptor.RECORD_LENGTH_OFFSET));
        assertEquals(LogRecordDescriptor.PADDING_EVENT_ID, second.getLong(2112 + LogRecordDescriptor.EVENT_ID_OFFSET));
        assertEquals(SEGMENT, raw(log.regions().get(2)).getInt(LogRecordDescriptor.RECORD_LENGTH_OFFSET));

        assertEvent(log, 0, 1, 10, 2880);
        assertEvent(log, 1, 2, 10, 1984);
        assertEvent(log, 2, 3, 0, 4032);
        assertEvent(log, 3, 4, 0, 0);
    }

    @Test
    void manyRecordsOfRandomSizesSurviveAndTheSegmentsDescribeThemselves()
    {
        final PartitionLog log = log("random", 8 * KIB, 2048 * KIB);
        final Random random = new Random(42);
        final int count = 300;
        final int[] metadataLengths = new int[count];
        final int[] dataLengths = new int[count];
        for (int i = 0; i < count; i++)
        {
            metadataLengths[i] = random.nextInt(300);
            dataLengths[i] = random.nextInt(4) == 0 ? 0 : random.nextInt(3000);
            assertEquals(i, appendFilled(log, i, metadataLengths[i], dataLengths[i]));
            if (random.nextBoolean())
            {
                log.commit(i);
            }
        }
        log.commit(count - 1);
        assertTrue(log.regions().size() > 10, "records spanned " + log.regions().size() + " segments");

        for (int i = 0; i < count; i++)
        {
            assertEvent(log, i, i, metadataLengths[i], dataLengths[i]);
        }

        // what a restart would do: walk each segment by record length, skipping padding
        long expectedEventId = 0;
        for (final Region region : log.regions())
        {
            final ByteBuffer segment = raw(region);
            int offset = 0;
            int recordLength;
            while (offset < segment.capacity() &&
                0 != (recordLength = segment.getInt(offset + LogRecordDescriptor.RECORD_LENGTH_OFFSET)))
            {
                final long eventId = segment.getLong(offset + LogRecordDescriptor.EVENT_ID_OFFSET);
                assertEquals(0, recordLength % 64);
                if (LogRecordDescriptor.PADDING_EVENT_ID == eventId)
                {
                    assertEquals(segment.capacity(), offset + recordLength, "padding runs to the segment's end");
                }
                else
                {
                    assertEquals(expectedEventId, eventId);
                    assertEquals(metadataLengths[(int)eventId],
                        segment.getInt(offset + LogRecordDescriptor.METADATA_LENGTH_OFFSET));
                    assertEquals(dataLengths[(int)eventId],
                        segment.getLong(offset + LogRecordDescriptor.DATA_LENGTH_OFFSET));
                    expectedEventId++;
                }
                offset += recordLength;
            }
        }
        assertEquals(count, expectedEventId, "the scan found every event, in order");
    }

    @Test
    void aRecordLargerThanASegmentIsRefusedNamingTheSizesAndTheSetting()
    {
        final PartitionLog log = log("too-large", SEGMENT, 4 * SEGMENT);
        final UnsafeBuffer metadata = new UnsafeBuffer(new byte[100]);

        final LogException error = assertThrows(LogException.class, () -> log.append(metadata, 0, 100, 4000, 0));
        final String message = error.getMessage();
        assertTrue(message.contains("100 bytes of metadata and 4000 bytes of data"), message);
        assertTrue(message.contains("needs 4224 bytes"), message);
        assertTrue(message.contains("segment of 4 KiB"), message);
        assertTrue(message.contains("segment size (segmentBytes) to at least 8 KiB"), message);
        assertEquals(0, log.nextEventId(), "nothing was appended");
        assertTrue(log.regions().isEmpty(), "no segment was created for it");

        final LogException huge = assertThrows(LogException.class, () -> log.append(metadata, 0, 0, 3L << 30, 0));
        assertTrue(huge.getMessage().contains("split the data over several events"), huge.getMessage());

        assertEquals(0, appendFilled(log, 5, 100, 3000), "the log still takes events that fit");
    }

    @Test
    void appendingBeyondTheBoundIsRefusedAndLeavesTheLogUnchanged()
    {
        final PartitionLog log = log("bounded", SEGMENT, 2 * SEGMENT + 100);
        appendFilled(log, 0, 0, 3000); // 3072 bytes: segment 0
        appendFilled(log, 1, 0, 3000); // segment 1
        assertEquals(2, log.regions().size());

        final LogFullException full = assertThrows(LogFullException.class, () -> appendFilled(log, 2, 0, 3000));
        final String message = full.getMessage();
        assertTrue(message.contains("is full"), message);
        assertTrue(message.contains("2 segments of 4 KiB"), message);
        assertTrue(message.contains("bound of 8.1 KiB"), message);
        assertTrue(message.contains("(maxBytes)"), message);
        assertEquals(2, log.nextEventId());
        assertEquals(2, log.regions().size());
        assertEquals(2, announced.size());
        assertEquals(0, raw(log.regions().get(1)).getInt(3072), "no padding was written by the refusal");

        assertEquals(2, appendFilled(log, 3, 0, 900), "a record that fits the current segment is still taken");
        log.commit(2);
        assertEvent(log, 0, 0, 0, 3000);
        assertEvent(log, 1, 1, 0, 3000);
        assertEvent(log, 2, 3, 0, 900);
    }

    @Test
    void cursorsStartAtZeroMoveOnlyForwardAndAreKeptPerName()
    {
        final PartitionLog log = log("cursors", SEGMENT, SEGMENT);
        assertEquals(0, log.cursor("analysis"));

        final IllegalArgumentException nothingCommitted =
            assertThrows(IllegalArgumentException.class, () -> log.acknowledge("analysis", 0));
        assertTrue(nothingCommitted.getMessage().contains("no event is committed yet"), nothingCommitted.getMessage());

        for (int i = 0; i < 10; i++)
        {
            appendFilled(log, i, 4, 0);
        }
        log.commit(6);

        log.acknowledge("analysis", 4);
        assertEquals(5, log.cursor("analysis"));
        log.acknowledge("analysis", 2);
        assertEquals(5, log.cursor("analysis"), "an older acknowledgement does not move the cursor back");
        assertEquals(0, log.cursor("storage"), "another name is independent");

        log.acknowledge("storage", 0);
        assertEquals(1, log.cursor("storage"));
        assertEquals(5, log.cursor("analysis"));

        final IllegalArgumentException notCommitted =
            assertThrows(IllegalArgumentException.class, () -> log.acknowledge("analysis", 7));
        final String message = notCommitted.getMessage();
        assertTrue(message.contains("consumer 'analysis' cannot acknowledge event 7"), message);
        assertTrue(message.contains("committed events are 0 to 6"), message);
        assertEquals(5, log.cursor("analysis"), "a refused acknowledgement changes nothing");
        assertThrows(IllegalArgumentException.class, () -> log.acknowledge("analysis", -1));

        log.acknowledge("analysis", 6);
        assertEquals(7, log.cursor("analysis"));
    }

    @Test
    void segmentFilesAreOwnerOnlyAndRemovedOnClose() throws IOException
    {
        final PartitionLog log = log("files", SEGMENT, 4 * SEGMENT);
        final Path directory = root.resolve("files");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(directory)));

        appendFilled(log, 0, 0, 3000);
        appendFilled(log, 1, 0, 3000);
        final List<Path> files = new ArrayList<>();
        for (final Region region : log.regions())
        {
            files.add(region.file());
            assertEquals(directory, region.file().getParent());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(region.file())));
            assertEquals(SEGMENT, Files.size(region.file()));
        }
        assertEquals(List.of(directory.resolve("seg-0"), directory.resolve("seg-1")), files);

        log.close();
        assertTrue(log.isClosed());
        for (final Path file : files)
        {
            assertFalse(Files.exists(file), file + " removed");
        }
        assertFalse(Files.exists(directory), "the directory the log created is removed");
        assertTrue(log.regions().isEmpty());
        assertThrows(IllegalStateException.class, () -> log.append(new UnsafeBuffer(new byte[0]), 0, 0, 0, 0));
        assertThrows(IllegalStateException.class, () -> log.read(0, new LogEntry()));
        log.close();
    }

    @Test
    void aDirectoryGivenByTheCallerIsKeptButMustNotHoldSegments() throws IOException
    {
        final Path directory = Files.createDirectory(root.resolve("given"));
        final PartitionLog log = log("given", SEGMENT, SEGMENT);
        appendFilled(log, 0, 0, 10);
        log.close();
        assertTrue(Files.isDirectory(directory), "a directory the log did not create stays");
        assertFalse(Files.exists(directory.resolve("seg-0")));

        Files.createFile(directory.resolve("seg-3"));
        final PartitionLog.Context context = new PartitionLog.Context().directory(directory);
        final RuntimeException error = assertThrows(RuntimeException.class, () -> new PartitionLog(context));
        assertTrue(error.getMessage().contains("already holds segment files"), error.getMessage());
    }

    @Test
    void theListenerIsToldOfEachSegmentOnceWithProcessWideUniqueIds()
    {
        final PartitionLog first = log("first", SEGMENT, 16 * SEGMENT);
        final PartitionLog second = log("second", SEGMENT, 16 * SEGMENT);
        assertTrue(announced.isEmpty(), "no segment before the first append");

        for (int i = 0; i < 10; i++)
        {
            appendFilled(first, i, 0, 1984); // two records of 2 KiB fill a segment
            appendFilled(second, i, 0, 1984);
        }

        assertEquals(first.regions().size() + second.regions().size(), announced.size());
        assertEquals(5, first.regions().size());
        assertTrue(announced.containsAll(first.regions()));
        assertTrue(announced.containsAll(second.regions()));
        final Set<Long> ids = new HashSet<>();
        for (final Region region : announced)
        {
            assertTrue(ids.add(region.regionId()), "region id " + region.regionId() + " is unique");
        }
    }

    @Test
    void theHeaderIsLaidOutAsDocumented()
    {
        final PartitionLog log = log("layout", SEGMENT, SEGMENT);
        final byte[] metadata = pattern(9, 40);
        log.append(new UnsafeBuffer(new byte[1]), 0, 0, 0, 0);
        log.batch(7, 8, 9);
        final long eventId = log.append(new UnsafeBuffer(metadata), 0, 40, 130, 0x1122334455667788L);
        new UnsafeBuffer(log.dataDestination(eventId).segmentAddress(0), 130).setMemory(0, 130, (byte)0x5A);

        final ByteBuffer segment = raw(log.regions().get(0));
        final int record = 64; // after the first record: a header alone, padded to 64
        assertEquals(64, segment.getInt(LogRecordDescriptor.RECORD_LENGTH_OFFSET));
        assertEquals(320, segment.getInt(record), "record length at 0: header and metadata to 128, 130 data, padded");
        assertEquals(40, segment.getInt(record + 4), "metadata length at 4");
        assertEquals(1, segment.getLong(record + 8), "event id at 8");
        assertEquals(130, segment.getLong(record + 16), "data length at 16");
        assertEquals(0x1122334455667788L, segment.getLong(record + 24), "timestamp at 24");
        assertEquals(0, segment.getInt(record + 32), "flags at 32: not committed yet");
        assertEquals(0, segment.getInt(record + 36), "reserved at 36");
        assertEquals(7, segment.getLong(record + 40), "client id at 40");
        assertEquals(8, segment.getLong(record + 48), "producer id at 48");
        assertEquals(9, segment.getLong(record + 56), "batch sequence at 56");
        assertEquals(-1, segment.getLong(LogRecordDescriptor.BATCH_SEQ_OFFSET), "no batch before batch(...)");
        for (int i = 0; i < 40; i++)
        {
            assertEquals(metadata[i], segment.get(record + 64 + i), "metadata byte " + i + " at 64 + " + i);
        }
        for (int i = 104; i < 128; i++)
        {
            assertEquals(0, segment.get(record + i), "padding before the data at " + i);
        }
        for (int i = 0; i < 130; i++)
        {
            assertEquals((byte)0x5A, segment.get(record + 128 + i), "data byte " + i + " at align(64 + 40, 64)");
        }
        for (int i = 128 + 130; i < 320; i++)
        {
            assertEquals(0, segment.get(record + i), "padding after the data at " + i);
        }
        assertEquals(0, segment.getInt(record + 320), "no record after the last");

        log.commit(eventId);
        final ByteBuffer committed = raw(log.regions().get(0));
        assertEquals(LogRecordDescriptor.COMMITTED_FLAG, committed.getInt(LogRecordDescriptor.FLAGS_OFFSET));
        assertEquals(LogRecordDescriptor.COMMITTED_FLAG, committed.getInt(record + 32), "flags at 32: committed");

        assertEquals(64, LogRecordDescriptor.HEADER_LENGTH);
        assertEquals(64, LogRecordDescriptor.dataOffset(0));
        assertEquals(128, LogRecordDescriptor.dataOffset(1));
        assertEquals(128, LogRecordDescriptor.dataOffset(64));
        assertEquals(192, LogRecordDescriptor.dataOffset(65));
        assertEquals(320, LogRecordDescriptor.recordLength(40, 130));
    }

    @Test
    void readingCommittingAndAcknowledgingAllocateNothing()
    {
        final PartitionLog log = log("no-garbage", 128 * KIB, 128 * KIB);
        final UnsafeBuffer metadata = new UnsafeBuffer(new byte[32]);
        for (int i = 0; i < 500; i++)
        {
            log.append(metadata, 0, 32, 64, i);
        }
        final LogEntry entry = new LogEntry();
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

        // The JIT may allocate on this thread now and then while it compiles and deoptimises, so the
        // claim is that some round allocates nothing: code that allocated per call never would.
        long fewest = Long.MAX_VALUE;
        long checksum = 0;
        for (int round = 0; round < 50 && 0 != fewest; round++)
        {
            final long start = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 500; i++)
            {
                log.commit(i);
                log.read(i, entry);
                checksum += entry.dataOffset() + entry.metadataBuffer().getByte(entry.metadataOffset());
                log.acknowledge("analysis", i);
            }
            final long allocated = threads.getCurrentThreadAllocatedBytes() - start;
            fewest = round > 0 ? Math.min(fewest, allocated) : fewest;
        }
        assertEquals(0, fewest, "fewest bytes allocated by a round of 500 commits, reads and acknowledgements");
        assertEquals(500, log.cursor("analysis"));
        assertTrue(checksum > 0);
    }

    @Test
    void settingsAreCheckedWithMessagesNamingThem()
    {
        final IllegalArgumentException noDirectory =
            assertThrows(IllegalArgumentException.class, () -> new PartitionLog(new PartitionLog.Context()));
        assertTrue(noDirectory.getMessage().contains("needs a directory"), noDirectory.getMessage());

        final IllegalArgumentException oddSize = assertThrows(IllegalArgumentException.class, () -> new PartitionLog(
            new PartitionLog.Context().directory(root.resolve("odd")).segmentBytes(5000)));
        assertTrue(oddSize.getMessage().contains("multiple of 4 KiB"), oddSize.getMessage());

        final IllegalArgumentException smallBound = assertThrows(IllegalArgumentException.class, () -> new PartitionLog(
            new PartitionLog.Context().directory(root.resolve("small")).segmentBytes(8 * KIB).maxBytes(4 * KIB)));
        assertTrue(smallBound.getMessage().contains("raise the bound (maxBytes) to at least 8 KiB"),
            smallBound.getMessage());

        final PartitionLog.Context defaults = new PartitionLog.Context().directory(root.resolve("defaults")).conclude();
        assertEquals(64 << 20, defaults.segmentBytes());
        assertEquals(1L << 30, defaults.maxBytes());
        assertFalse(Files.exists(root.resolve("odd")), "a refused log creates no directory");
    }

    /**
     * The segment's bytes as its file holds them, read little-endian as the layout documents.
     */
    @Test
    void rollbackDiscardsUncommittedEventsSoTheirIdsAndSpaceAreReused()
    {
        final PartitionLog log = log("rollback", 4096, 1 << 20);
        appendFilled(log, 1, 10, 100);
        log.commit(0);
        appendFilled(log, 2, 10, 1500);
        appendFilled(log, 3, 10, 1500);
        appendFilled(log, 4, 10, 1500); // rolls into a second segment
        assertEquals(2, log.regions().size());

        assertEquals(3, log.rollback());

        assertEquals(1, log.nextEventId());
        assertEquals(1, log.committedEnd());
        assertFalse(log.read(1, new LogEntry()));
        assertEquals(0, log.rollback(), "nothing uncommitted is left");
        assertEquals(1, appendFilled(log, 5, 20, 1000), "the first discarded id is given again");
        assertEquals(2, appendFilled(log, 6, 20, 1000));
        log.commit(2);
        assertEvent(log, 0, 1, 10, 100);
        assertEvent(log, 1, 5, 20, 1000);
        assertEvent(log, 2, 6, 20, 1000);
    }

    @Test
    void aPreparerCreatesAndAnnouncesTheNextSegmentAheadOfNeedAndCloseRemovesItToo() throws Exception
    {
        final Map<Long, String> announcingThreads = new ConcurrentHashMap<>();
        final ExecutorService preparer = Executors.newSingleThreadExecutor((task) -> new Thread(task, "test-preparer"));
        try
        {
            final PartitionLog log = new PartitionLog(new PartitionLog.Context()
                .directory(root.resolve("prepared"))
                .segmentBytes(4096)
                .maxBytes(1 << 20)
                .segmentListener((segment) -> announcingThreads.put(
                    (long)((LogSegment)segment).index(), Thread.currentThread().getName()))
                .segmentPreparer(preparer));
            logs.add(log);
            appendFilled(log, 1, 10, 1000);
            log.commit(0);

            final Path next = log.directory().resolve("seg-1");
            Conditions.await("segment 1 prepared and announced while segment 0 is still in use",
                () -> announcingThreads.containsKey(1L));
            assertTrue(Files.exists(next));
            assertEquals(Thread.currentThread().getName(), announcingThreads.get(0L),
                "the first segment, needed at once, is made and announced by the appending thread");
            assertEquals("test-preparer", announcingThreads.get(1L),
                "a segment made ahead of need is announced on the preparer's thread, off the log's");

            for (int i = 2; i <= 12; i++)
            {
                appendFilled(log, i, 10, 1000);
                log.commit(i - 1);
            }
            assertEquals(4, log.regions().size());
            Conditions.await("the segment after the fourth prepared too", () -> announcingThreads.size() == 5);
            for (long index = 1; index <= 4; index++)
            {
                assertEquals("test-preparer", announcingThreads.get(index));
            }
            for (int i = 1; i <= 12; i++)
            {
                assertEvent(log, i - 1, i, 10, 1000);
            }

            log.close();
            try (Stream<Path> left = Files.list(root))
            {
                assertEquals(0, left.count(), "close must remove every segment, the prepared one included");
            }
        }
        finally
        {
            preparer.shutdownNow();
        }
    }

    @Test
    void aSegmentTheListenerRefusesIsDeletedAndFailsTheAppendThatNeedsItAndTheNextAppendTriesAgain() throws Exception
    {
        final AtomicBoolean refuse = new AtomicBoolean(true);
        final ExecutorService preparer = Executors.newSingleThreadExecutor();
        try
        {
            final PartitionLog log = new PartitionLog(new PartitionLog.Context()
                .directory(root.resolve("refused"))
                .segmentBytes(4096)
                .maxBytes(1 << 20)
                .segmentListener((segment) ->
                {
                    if (((LogSegment)segment).index() == 1 && refuse.get())
                    {
                        throw new BulkTransportException("test refuses segment 1");
                    }
                    announced.add(segment);
                })
                .segmentPreparer(preparer));
            logs.add(log);
            appendFilled(log, 1, 10, 1000);
            appendFilled(log, 2, 10, 1000);
            appendFilled(log, 3, 10, 1000);
            log.commit(2);

            final BulkTransportException refused =
                assertThrows(BulkTransportException.class, () -> appendFilled(log, 4, 10, 1000));
            assertEquals("test refuses segment 1", refused.getMessage());
            assertFalse(Files.exists(log.directory().resolve("seg-1")), "a refused segment's file is deleted");
            assertEquals(3, log.nextEventId(), "the refused append took no event id");
            assertEquals(1, log.regions().size());

            refuse.set(false);
            assertEquals(3, appendFilled(log, 4, 10, 1000), "the next append makes the segment again");
            log.commit(3);
            assertEquals(2, log.regions().size());
            assertTrue(announced.contains(log.regions().get(1)));
            for (int i = 1; i <= 4; i++)
            {
                assertEvent(log, i - 1, i, 10, 1000);
            }
            log.close(); // before the preparer stops, or close would wait for a segment it never prepares
        }
        finally
        {
            preparer.shutdownNow();
        }
    }


    static ByteBuffer raw(final Region region)
    {
        try
        {
            return ByteBuffer.wrap(Files.readAllBytes(region.file())).order(ByteOrder.LITTLE_ENDIAN);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
