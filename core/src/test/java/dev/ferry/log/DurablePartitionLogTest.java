package dev.ferry.log;

import dev.ferry.FerryException;
import dev.ferry.bulk.Region;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static dev.ferry.log.PartitionLogTest.appendFilled;
import static dev.ferry.log.PartitionLogTest.assertEvent;
import static dev.ferry.log.PartitionLogTest.raw;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The durable mode of {@link PartitionLog}: what a log recovers from the files a crashed or closed log
 * left, what it cuts, its stored cursors and batch identities, and its fsync policies. A crash is
 * simulated by abandoning a log without closing it: its writes are in the files' page cache, as a
 * process crash leaves them.
 */
@Timeout(60)
class DurablePartitionLogTest
{
    private static final int KIB = 1024;
    private static final int SEGMENT = 8 * KIB;

    @TempDir
    Path root;

    private final List<PartitionLog> logs = new ArrayList<>();
    private final List<Region> announced = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeLogs()
    {
        logs.forEach(PartitionLog::close);
    }

    private PartitionLog.Context context(final String name, final FsyncPolicy policy)
    {
        return new PartitionLog.Context()
            .directory(root.resolve(name))
            .durable(true)
            .fsyncPolicy(policy)
            .segmentBytes(SEGMENT)
            .maxBytes(1 << 20)
            .segmentListener(announced::add);
    }

    private PartitionLog open(final PartitionLog.Context context)
    {
        final PartitionLog log = new PartitionLog(context);
        logs.add(log);
        return log;
    }

    private PartitionLog durable(final String name)
    {
        return open(context(name, FsyncPolicy.BATCH));
    }

    private static List<String> segmentFiles(final Path directory) throws IOException
    {
        final List<String> names = new ArrayList<>();
        try (var files = Files.newDirectoryStream(directory, LogSegment.FILE_PREFIX + "*"))
        {
            files.forEach((file) -> names.add(file.getFileName().toString()));
        }
        names.sort(String::compareTo);
        return names;
    }

    private static void write(final Path file, final long position, final byte[] bytes) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            final ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining())
            {
                channel.write(buffer, position + buffer.position());
            }
        }
    }

    private static void assertZerosFrom(final ByteBuffer segment, final int offset)
    {
        for (int i = offset; i < segment.capacity(); i++)
        {
            assertEquals(0, segment.get(i), "byte " + i + " after the last record is 0");
        }
    }

    @Test
    void committedEventsSurviveAnAbandonedLogAndAClosedOneAcrossSegments()
    {
        final Random random = new Random(7);
        final int count = 60;
        final int[] metadataLengths = new int[count + 2];
        final int[] dataLengths = new int[count + 2];
        final PartitionLog first = durable("crash");
        for (int i = 0; i < count; i++)
        {
            metadataLengths[i] = random.nextInt(300);
            dataLengths[i] = random.nextInt(4) == 0 ? 0 : random.nextInt(3000);
            assertEquals(i, appendFilled(first, i, metadataLengths[i], dataLengths[i]));
            if (random.nextBoolean())
            {
                first.commit(i);
            }
        }
        first.commit(count - 1);
        final int segments = first.regions().size();
        assertTrue(segments > 5, "events spanned " + segments + " segments");
        announced.clear();

        final PartitionLog second = durable("crash"); // the first is abandoned, as a crash leaves it
        assertTrue(second.isDurable());
        assertEquals(count, second.committedEnd());
        assertEquals(count, second.nextEventId());
        assertEquals(segments, second.regions().size());
        assertEquals(second.regions(), announced, "each recovered segment is told to the listener, oldest first");
        for (int i = 0; i < count; i++)
        {
            assertEvent(second, i, i, metadataLengths[i], dataLengths[i]);
        }

        metadataLengths[count] = 40;
        dataLengths[count] = 2000;
        assertEquals(count, appendFilled(second, count, 40, 2000), "appending continues with the next id");
        second.commit(count);
        second.close();

        final PartitionLog third = durable("crash");
        assertEquals(count + 1, third.committedEnd());
        for (int i = 0; i <= count; i++)
        {
            assertEvent(third, i, i, metadataLengths[i], dataLengths[i]);
        }
        assertEquals(count + 1, appendFilled(third, count + 1, 0, 0));
    }

    @Test
    void closeKeepsTheFilesAndTheDirectory() throws IOException
    {
        final PartitionLog log = durable("kept");
        appendFilled(log, 1, 10, 100);
        log.commit(0);
        log.acknowledge("analysis", 0);
        log.close();

        final Path directory = root.resolve("kept");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(directory)));
        assertEquals(List.of("seg-0"), segmentFiles(directory));
        final Path cursors = directory.resolve(CursorFile.FILE_NAME);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cursors)));
        assertEquals(CursorFile.INITIAL_LENGTH, Files.size(cursors));
    }

    @Test
    void appendedButUncommittedEventsAreGoneAfterReopenAndALaterSegmentIsDeleted() throws IOException
    {
        final PartitionLog first = durable("uncommitted");
        for (int i = 0; i < 5; i++)
        {
            appendFilled(first, i, 10, 3000); // 3136-byte records: two fill most of a segment
        }
        first.commit(2);
        assertEquals(3, first.regions().size());
        final Path directory = first.directory();

        final PartitionLog second = durable("uncommitted");
        assertEquals(3, second.committedEnd());
        assertEquals(3, second.nextEventId(), "appended but uncommitted events take no id");
        assertEquals(List.of("seg-0", "seg-1"), segmentFiles(directory), "the segment beyond the cut is deleted");
        assertFalse(second.read(3, new LogEntry()));
        assertZerosFrom(raw(second.regions().get(1)), 3136);

        assertEquals(3, appendFilled(second, 33, 20, 100), "the first cut id is given again");
        second.commit(3);

        final PartitionLog third = durable("uncommitted");
        assertEquals(4, third.committedEnd());
        for (int i = 0; i < 3; i++)
        {
            assertEvent(third, i, i, 10, 3000);
        }
        assertEvent(third, 3, 33, 20, 100);
    }

    @Test
    void aTornTailIsCutAndItsIdGivenAgainAndSegmentsBeyondItAreDeleted() throws IOException
    {
        final PartitionLog first = durable("torn");
        for (int i = 0; i < 3; i++)
        {
            appendFilled(first, i, 10, 1000); // 1152-byte records
        }
        first.commit(2);
        first.close();
        final Path segment = root.resolve("torn").resolve("seg-0");
        final int tail = 3 * 1152;

        // a header torn before its length was written, then bytes of data beyond it
        final ByteBuffer header = ByteBuffer.allocate(LogRecordDescriptor.HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(LogRecordDescriptor.METADATA_LENGTH_OFFSET, 10);
        header.putLong(LogRecordDescriptor.EVENT_ID_OFFSET, 3);
        header.putLong(LogRecordDescriptor.DATA_LENGTH_OFFSET, 1000);
        write(segment, tail, header.array());
        write(segment, tail + 700, "garbage".getBytes(StandardCharsets.US_ASCII));
        write(segment, SEGMENT - 8, new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 });
        final Path later = root.resolve("torn").resolve("seg-4");
        Files.write(later, PartitionLogTest.pattern(4, SEGMENT));

        final PartitionLog second = durable("torn");
        assertEquals(3, second.committedEnd());
        assertEquals(3, second.nextEventId());
        assertEquals(List.of("seg-0"), segmentFiles(root.resolve("torn")));
        assertZerosFrom(raw(second.regions().get(0)), tail);

        assertEquals(3, appendFilled(second, 30, 5, 50), "the torn record's id is given again");
        second.commit(3);
        second.close();

        // now, after the 192-byte record 3, a length that is no multiple of 64
        write(segment, tail + 192, new byte[] { 100, 0, 0, 0, 1, 1, 1, 1 });
        final PartitionLog third = durable("torn");
        assertEquals(4, third.committedEnd());
        assertEvent(third, 3, 30, 5, 50);
        assertZerosFrom(raw(third.regions().get(0)), tail + 192);
        assertEquals(4, appendFilled(third, 40, 0, 10));
    }

    @Test
    void aRecordWithTheWrongEventIdOrLengthsEndsTheLog() throws IOException
    {
        final PartitionLog first = durable("invalid");
        for (int i = 0; i < 4; i++)
        {
            appendFilled(first, i, 10, 1000);
            first.commit(i); // one commit each: a damaged record then cuts only itself and what follows
        }
        first.close();
        final Path segment = root.resolve("invalid").resolve("seg-0");

        final ByteBuffer eventId = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 9);
        write(segment, 3 * 1152 + LogRecordDescriptor.EVENT_ID_OFFSET, eventId.array());
        final PartitionLog second = durable("invalid");
        assertEquals(3, second.committedEnd(), "event 3 with the id 9 is cut");
        second.close();

        final ByteBuffer dataLength = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 5000);
        appendFilled(durable("invalid"), 3, 10, 1000);
        logs.get(logs.size() - 1).commit(3);
        logs.get(logs.size() - 1).close();
        write(segment, 2 * 1152 + LogRecordDescriptor.DATA_LENGTH_OFFSET, dataLength.array());
        final PartitionLog third = durable("invalid");
        assertEquals(2, third.committedEnd(), "event 2, whose data length does not fit its record, is cut");
        assertEvent(third, 1, 1, 10, 1000);
    }

    @Test
    void aSegmentPreparedAheadAndNeverUsedIsDroppedAndTheLogGoesOn() throws Exception
    {
        final ExecutorService preparer = Executors.newSingleThreadExecutor();
        try
        {
            final PartitionLog first = open(context("prepared", FsyncPolicy.NONE).segmentPreparer(preparer));
            appendFilled(first, 1, 10, 1000);
            first.commit(0);
            dev.ferry.test.Conditions.await("segment 1 prepared",
                () -> Files.exists(root.resolve("prepared").resolve("seg-1")));

            final PartitionLog second = open(context("prepared", FsyncPolicy.NONE).segmentPreparer(preparer));
            assertEquals(1, second.committedEnd());
            assertEquals(1, second.regions().size());
            for (int i = 2; i <= 12; i++)
            {
                appendFilled(second, i, 10, 1000);
                second.commit(i - 1);
            }
            second.commit(11);
            second.close();
            assertEquals(List.of("seg-0", "seg-1"), segmentFiles(root.resolve("prepared")),
                "close keeps the segments written and removes the one prepared ahead");

            final PartitionLog third = open(context("prepared", FsyncPolicy.NONE));
            assertEquals(12, third.committedEnd());
            for (int i = 1; i <= 12; i++)
            {
                assertEvent(third, i - 1, i, 10, 1000);
            }
        }
        finally
        {
            logs.forEach(PartitionLog::close);
            preparer.shutdownNow();
        }
    }

    @Test
    void aFullSegmentWithoutPaddingIsFollowedByTheNextOnReopen()
    {
        final PartitionLog first = durable("exact");
        appendFilled(first, 1, 0, SEGMENT - 64); // exactly a whole segment
        first.commit(0);

        final PartitionLog second = durable("exact");
        assertEquals(1, second.committedEnd());
        assertEquals(1, appendFilled(second, 2, 0, 10));
        second.commit(1);
        assertEquals(2, second.regions().size());

        final PartitionLog third = durable("exact");
        assertEvent(third, 0, 1, 0, SEGMENT - 64);
        assertEvent(third, 1, 2, 0, 10);
    }

    @Test
    void rollbackKeepsWorkingAndWhatItDiscardedIsNeverRecovered()
    {
        final PartitionLog first = durable("rollback");
        appendFilled(first, 1, 10, 100);
        first.commit(0);
        appendFilled(first, 2, 10, 3000);
        appendFilled(first, 3, 10, 3000);
        appendFilled(first, 4, 10, 3000); // rolls into a second segment
        assertEquals(3, first.rollback());
        assertEquals(1, appendFilled(first, 5, 20, 1000));
        first.commit(1);
        appendFilled(first, 6, 20, 1000); // appended, never committed

        final PartitionLog second = durable("rollback");
        assertEquals(2, second.committedEnd());
        assertEvent(second, 0, 1, 10, 100);
        assertEvent(second, 1, 5, 20, 1000);
    }

    @Test
    void theSegmentSizeMustBeTheOneTheLogWasWrittenWith()
    {
        final PartitionLog first = durable("resized");
        appendFilled(first, 1, 10, 100);
        first.commit(0);
        first.close();

        final PartitionLog.Context context = context("resized", FsyncPolicy.BATCH).segmentBytes(2 * SEGMENT);
        final FerryException error = assertThrows(FerryException.class, () -> new PartitionLog(context));
        assertTrue(error.getMessage().contains("is 8192 bytes, but the log's segment size (segmentBytes) is 16384"),
            error.getMessage());
    }

    @Test
    void cursorsSurviveReopenAndTheirFileGrowsForManyNames() throws IOException
    {
        final PartitionLog first = durable("cursors");
        for (int i = 0; i < 100; i++)
        {
            appendFilled(first, i, 4, 0);
        }
        first.commit(99);

        final Map<String, Long> expected = new LinkedHashMap<>();
        expected.put("x".repeat(255), 51L);
        expected.put("données-é", 7L);
        for (int i = 0; i < 30; i++)
        {
            expected.put("consumer-" + i, (long)(i * 3 + 1));
        }
        for (final Map.Entry<String, Long> cursor : expected.entrySet())
        {
            first.acknowledge(cursor.getKey(), cursor.getValue() / 2);
            first.acknowledge(cursor.getKey(), cursor.getValue() - 1);
            assertEquals(cursor.getValue(), first.cursor(cursor.getKey()));
        }
        final Path file = first.directory().resolve(CursorFile.FILE_NAME);
        assertTrue(Files.size(file) > CursorFile.INITIAL_LENGTH, "the cursor file grew to " + Files.size(file));

        final IllegalArgumentException tooLong =
            assertThrows(IllegalArgumentException.class, () -> first.acknowledge("y".repeat(256), 0));
        assertTrue(tooLong.getMessage().contains("is 256 bytes in UTF-8"), tooLong.getMessage());
        assertTrue(tooLong.getMessage().contains("at most 255 bytes"), tooLong.getMessage());

        final PartitionLog second = durable("cursors"); // the first abandoned
        for (final Map.Entry<String, Long> cursor : expected.entrySet())
        {
            assertEquals(cursor.getValue(), second.cursor(cursor.getKey()), "cursor of " + cursor.getKey());
        }
        assertEquals(0, second.cursor("never-seen"));
        second.acknowledge("consumer-0", 2);
        second.acknowledge("consumer-1", 0);
        second.acknowledge("late", 9);
        second.close();

        final PartitionLog third = durable("cursors");
        assertEquals(3, third.cursor("consumer-0"));
        assertEquals(4, third.cursor("consumer-1"), "a cursor never moves back");
        assertEquals(10, third.cursor("late"));
        assertEquals(51, third.cursor("x".repeat(255)));
    }

    @Test
    void aCommitIsRecoveredWholeOrNotAtAllWhateverMarksAPowerLossKept() throws IOException
    {
        final PartitionLog first = durable("whole");
        appendFilled(first, 0, 10, 1000);
        first.commit(0);
        first.batch(7, 1, 5);
        for (int i = 1; i <= 3; i++)
        {
            appendFilled(first, i, 10, 1000);
        }
        first.commit(3);
        assertTrue(first.findBatch(7, 1, 5, new StoredBatch()));
        first.close();

        // the first and last marks of the three-event commit reached the disk, the middle one did not
        final Path segment = root.resolve("whole").resolve("seg-0");
        write(segment, 2 * 1152 + LogRecordDescriptor.FLAGS_OFFSET, new byte[4]);

        final PartitionLog second = durable("whole");
        assertEquals(1, second.committedEnd(), "none of the commit's events, not the first of them alone");
        assertFalse(second.findBatch(7, 1, 5, new StoredBatch()), "so a producer sending it again stores it whole");
        assertZerosFrom(raw(second.regions().get(0)), 1152);
        assertEquals(1, appendFilled(second, 1, 10, 1000));
    }

    @Test
    void aCursorBeyondTheRecoveredEventsComesBackToThem() throws IOException
    {
        final PartitionLog first = durable("cursor-back");
        for (int i = 0; i < 10; i++)
        {
            appendFilled(first, i, 10, 1000);
            first.commit(i);
        }
        first.acknowledge("analysis", 8);
        first.acknowledge("storage", 2);
        first.close();

        // event 5's record is damaged, as a power loss without forcing could leave it
        final Path segment = root.resolve("cursor-back").resolve("seg-0");
        write(segment, 5 * 1152 + LogRecordDescriptor.FLAGS_OFFSET, new byte[4]);

        final PartitionLog second = durable("cursor-back");
        assertEquals(5, second.committedEnd());
        assertEquals(5, second.cursor("analysis"));
        assertEquals(3, second.cursor("storage"));
    }

    @Test
    void aFileThatIsNoCursorFileIsRefusedNamingIt() throws IOException
    {
        final Path directory = Files.createDirectory(root.resolve("foreign"));
        Files.write(directory.resolve(CursorFile.FILE_NAME), PartitionLogTest.pattern(3, 4096));

        final FerryException error = assertThrows(FerryException.class, () -> durable("foreign"));
        assertTrue(error.getMessage().contains("is not a cursor file"), error.getMessage());
        assertTrue(error.getMessage().contains("move it away"), error.getMessage());
    }

    @Test
    void filesWhoseCreationACrashCutShortAreMadeAgain() throws IOException
    {
        final PartitionLog first = durable("unfinished");
        appendFilled(first, 1, 0, SEGMENT - 64); // exactly a whole segment
        first.commit(0);
        first.close();
        final Path directory = root.resolve("unfinished");
        Files.write(directory.resolve("seg-1"), new byte[100]); // zero-filling stopped short
        Files.write(directory.resolve(CursorFile.FILE_NAME), new byte[10]);

        final PartitionLog second = durable("unfinished");
        assertEquals(1, second.committedEnd());
        assertEquals(List.of("seg-0"), segmentFiles(directory));
        assertEquals(CursorFile.INITIAL_LENGTH, Files.size(directory.resolve(CursorFile.FILE_NAME)));
        assertEquals(0, second.cursor("analysis"));
        second.acknowledge("analysis", 0);
        assertEquals(1, appendFilled(second, 2, 0, 10));
        second.commit(1);
        second.close();

        final PartitionLog third = durable("unfinished");
        assertEvent(third, 0, 1, 0, SEGMENT - 64);
        assertEvent(third, 1, 2, 0, 10);
        assertEquals(1, third.cursor("analysis"));
    }

    @Test
    void batchesAreFoundOnceCommittedNeverWhenRolledBackAndAgainAfterReopen()
    {
        final PartitionLog first = durable("batches");
        final StoredBatch found = new StoredBatch();
        appendFilled(first, 0, 4, 10); // no batch
        first.batch(1, 2, 0);
        appendFilled(first, 1, 4, 10);
        appendFilled(first, 2, 4, 10);
        appendFilled(first, 3, 4, 10);
        first.batch(1, 2, 1);
        appendFilled(first, 4, 4, 10);
        appendFilled(first, 5, 4, 10);
        first.batch(9, 2, 0);
        appendFilled(first, 6, 4, 10);
        assertFalse(first.findBatch(1, 2, 0, found), "not committed yet");

        first.commit(4);
        assertTrue(first.findBatch(1, 2, 0, found));
        assertEquals(1, found.firstEventId());
        assertEquals(3, found.count());
        assertTrue(first.findBatch(1, 2, 1, found), "the part of a batch committed so far");
        assertEquals(4, found.firstEventId());
        assertEquals(1, found.count());
        first.commit(6);
        assertTrue(first.findBatch(1, 2, 1, found));
        assertEquals(4, found.firstEventId());
        assertEquals(2, found.count());
        assertTrue(first.findBatch(9, 2, 0, found));
        assertEquals(6, found.firstEventId());
        assertFalse(first.findBatch(1, 2, 2, found));
        assertFalse(first.findBatch(1, 3, 0, found));
        assertFalse(first.findBatch(0, 0, PartitionLog.NO_BATCH_SEQ, found), "events of no batch are no batch");

        first.batch(1, 2, 2);
        appendFilled(first, 7, 4, 10);
        appendFilled(first, 8, 4, 10);
        assertEquals(2, first.rollback());
        assertFalse(first.findBatch(1, 2, 2, found), "a rolled-back batch is not stored");
        first.batch(1, 2, 3);
        appendFilled(first, 9, 4, 10);
        first.commit(7);
        first.batch(1, 2, 4);
        appendFilled(first, 10, 4, 10); // appended, never committed

        final PartitionLog second = durable("batches");
        final long[][] expected = { { 1, 2, 0, 1, 3 }, { 1, 2, 1, 4, 2 }, { 9, 2, 0, 6, 1 }, { 1, 2, 3, 7, 1 } };
        for (final long[] batch : expected)
        {
            assertTrue(second.findBatch(batch[0], batch[1], batch[2], found), "batch " + batch[2] + " after reopen");
            assertEquals(batch[3], found.firstEventId());
            assertEquals(batch[4], found.count());
        }
        assertFalse(second.findBatch(1, 2, 2, found), "the rolled-back batch is not recovered");
        assertFalse(second.findBatch(1, 2, 4, found), "the uncommitted batch is not recovered");
        assertEvent(second, 7, 9, 4, 10);
    }

    @Test
    void eachProducerKeepsItsLast256Batches()
    {
        final PartitionLog first = open(context("window", FsyncPolicy.NONE).segmentBytes(64 * KIB));
        for (int seq = 0; seq < 300; seq++)
        {
            first.batch(1, 2, seq);
            appendFilled(first, seq, 0, 0);
            if (seq < 10)
            {
                first.batch(3, 4, seq);
                appendFilled(first, 1000 + seq, 0, 0);
            }
        }
        first.commit(first.nextEventId() - 1);

        final StoredBatch found = new StoredBatch();
        for (final PartitionLog log : List.of(first, open(context("window", FsyncPolicy.NONE).segmentBytes(64 * KIB))))
        {
            for (int seq = 0; seq < 300; seq++)
            {
                assertEquals(seq >= 300 - BatchIndex.BATCHES_PER_PRODUCER, log.findBatch(1, 2, seq, found),
                    "batch " + seq + " of 300 is remembered only among the last 256");
            }
            assertTrue(log.findBatch(1, 2, 299, found));
            assertEquals(log.nextEventId() - 1, found.firstEventId());
            assertEquals(1, found.count());
            for (int seq = 0; seq < 10; seq++)
            {
                assertTrue(log.findBatch(3, 4, seq, found), "another producer's batches are kept apart");
                assertEquals(2L * seq + 1, found.firstEventId());
            }
        }
    }

    @Test
    void memoryModeStampsAndFindsBatchesToo()
    {
        final PartitionLog log =
            open(new PartitionLog.Context().directory(root.resolve("memory")).segmentBytes(SEGMENT));
        assertFalse(log.isDurable());
        log.batch(5, 6, 7);
        appendFilled(log, 1, 4, 10);
        appendFilled(log, 2, 4, 10);
        log.commit(1);

        final StoredBatch found = new StoredBatch();
        assertTrue(log.findBatch(5, 6, 7, found));
        assertEquals(0, found.firstEventId());
        assertEquals(2, found.count());
        assertEquals(0, log.sync(Long.MAX_VALUE), "a memory-mode log forces nothing");
        log.close();
        assertFalse(Files.exists(root.resolve("memory")), "memory mode still deletes on close");
    }

    @Test
    void theProducerStoredLeastRecentlyIsForgottenBeyondTheBound()
    {
        final BatchIndex index = new BatchIndex(3);
        final StoredBatch found = new StoredBatch();
        index.onCommitted(0, 1, 1, 0);
        index.onCommitted(1, 2, 2, 0);
        index.onCommitted(2, 3, 3, 0);
        index.onCommitted(3, 1, 1, 1); // producer 1 stores again: producer 2 is now the least recent
        index.onCommitted(4, 4, 4, 0);

        assertEquals(3, index.producerCount());
        assertFalse(index.find(2, 2, 0, found), "producer 2 is forgotten");
        assertTrue(index.find(1, 1, 0, found));
        assertTrue(index.find(1, 1, 1, found));
        assertTrue(index.find(3, 3, 0, found));
        assertTrue(index.find(4, 4, 0, found));
        assertEquals(4, found.firstEventId());
        assertEquals(65_536, BatchIndex.PRODUCERS_MAX);
    }

    @ParameterizedTest
    @EnumSource(FsyncPolicy.class)
    void everyFsyncPolicyKeepsWhatWasCommittedAndAcknowledged(final FsyncPolicy policy)
    {
        final PartitionLog first = open(context("policy-" + policy, policy).fsyncIntervalNs(1_000));
        assertEquals(policy, first.fsyncPolicy());
        for (int i = 0; i < 20; i++)
        {
            first.batch(1, 1, i / 5);
            appendFilled(first, i, 30, 1500);
            first.commit(i);
            first.acknowledge("analysis", i / 2);
            first.sync(i * 1_000L);
        }
        if (FsyncPolicy.BATCH == policy || FsyncPolicy.NONE == policy)
        {
            assertEquals(0, first.sync(Long.MAX_VALUE), policy + " has nothing for sync to do");
        }
        if (policy.ordinal() % 2 == 0)
        {
            first.close();
        }

        final PartitionLog second = open(context("policy-" + policy, policy));
        assertEquals(20, second.committedEnd());
        for (int i = 0; i < 20; i++)
        {
            assertEvent(second, i, i, 30, 1500);
        }
        assertEquals(10, second.cursor("analysis"));
        final StoredBatch found = new StoredBatch();
        assertTrue(second.findBatch(1, 1, 3, found));
        assertEquals(15, found.firstEventId());
        assertEquals(5, found.count());
    }

    @Test
    void intervalSyncForcesOnlyOnceTheIntervalHasPassedAndOnlyWhenSomethingIsNew()
    {
        final long interval = 1_000_000;
        final PartitionLog log = open(context("interval", FsyncPolicy.INTERVAL).fsyncIntervalNs(interval));
        final long start = -500; // any origin, even one that wraps past 0
        assertEquals(0, log.sync(start), "the first call starts the interval");

        appendFilled(log, 1, 10, 100);
        log.commit(0);
        assertEquals(0, log.sync(start + 1));
        assertEquals(0, log.sync(start + interval - 1), "not before the interval has passed");
        assertEquals(1, log.sync(start + interval), "once it has passed");
        assertEquals(0, log.sync(start + 3 * interval), "nothing new to force");

        log.acknowledge("analysis", 0);
        assertEquals(1, log.sync(start + 3 * interval + 1), "a moved cursor is something to force");
        appendFilled(log, 2, 10, 100);
        log.commit(1);
        assertEquals(0, log.sync(start + 4 * interval), "an interval since the last force has not passed");
        assertEquals(1, log.sync(start + 4 * interval + 1));

        appendFilled(log, 3, 10, 100); // appended, not committed: nothing to force
        assertEquals(0, log.sync(start + 10 * interval));
        log.close();
        assertEquals(0, log.sync(start + 20 * interval), "a closed log does nothing");
    }

    @Test
    void settingsOfDurabilityAreCheckedWithMessagesNamingThem()
    {
        final PartitionLog.Context defaults = new PartitionLog.Context().directory(root.resolve("defaults")).conclude();
        assertFalse(defaults.durable());
        assertEquals(FsyncPolicy.BATCH, defaults.fsyncPolicy());
        assertEquals(100_000_000L, defaults.fsyncIntervalNs());

        final IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> new PartitionLog(
            new PartitionLog.Context().directory(root.resolve("zero")).durable(true).fsyncIntervalNs(0)));
        assertTrue(zero.getMessage().contains("fsync interval (fsyncIntervalNs) must be more than 0"),
            zero.getMessage());

        final IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> new PartitionLog(
            new PartitionLog.Context().directory(root.resolve("none")).durable(true).fsyncPolicy(null)));
        assertTrue(none.getMessage().contains("fsync policy must be one of [NONE, BATCH, INTERVAL]"),
            none.getMessage());
        assertFalse(Files.exists(root.resolve("zero")), "a refused log creates no directory");
    }

    @Test
    void memoryModeStillRefusesADirectoryWithSegmentsThatDurableModeRecovers() throws IOException
    {
        final PartitionLog first = durable("switch");
        appendFilled(first, 1, 10, 100);
        first.commit(0);
        first.close();

        final PartitionLog.Context memory = new PartitionLog.Context().directory(root.resolve("switch"));
        final FerryException error = assertThrows(FerryException.class, () -> new PartitionLog(memory));
        assertTrue(error.getMessage().contains("already holds segment files"), error.getMessage());
        assertTrue(error.getMessage().contains("Context.durable(true)"), error.getMessage());
        assertEquals(List.of("seg-0"), segmentFiles(root.resolve("switch")), "the refusal touched nothing");
    }

    @Test
    void committingAcknowledgingAndSyncingAllocateNothingInSteadyState()
    {
        final PartitionLog log = open(context("no-garbage", FsyncPolicy.INTERVAL)
            .segmentBytes(1 << 20).maxBytes(1 << 20).fsyncIntervalNs(50));
        final UnsafeBuffer metadata = new UnsafeBuffer(new byte[32]);
        final int rounds = 50;
        final int perRound = 100;
        for (int i = 0; i < rounds * perRound; i++)
        {
            log.batch(1, 2, i / 10);
            log.append(metadata, 0, 32, 64, i);
        }
        log.commit(0);
        log.acknowledge("analysis", 0);
        final LogEntry entry = new LogEntry();
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

        // as in PartitionLogTest: the JIT may allocate now and then, so the claim is that some round
        // allocates nothing, which code that allocated per call never would
        long fewest = Long.MAX_VALUE;
        long now = 0;
        int eventId = 1;
        for (int round = 0; round < rounds - 1 && 0 != fewest; round++)
        {
            final long start = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < perRound; i++, eventId++)
            {
                log.commit(eventId);
                log.read(eventId, entry);
                log.acknowledge("analysis", eventId);
                log.sync(now++);
            }
            final long allocated = threads.getCurrentThreadAllocatedBytes() - start;
            fewest = round > 0 ? Math.min(fewest, allocated) : fewest;
        }
        assertEquals(0, fewest, "fewest bytes allocated by a round of 100 commits, reads, acknowledgements, syncs");
        assertEquals(eventId, log.cursor("analysis"));
    }
}
