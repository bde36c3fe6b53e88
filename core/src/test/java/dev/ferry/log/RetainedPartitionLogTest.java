package dev.ferry.log;

import dev.ferry.bulk.Region;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.ferry.log.PartitionLogTest.appendFilled;
import static dev.ferry.log.PartitionLogTest.assertEvent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A memory-mode log that retains a bound of bytes and then reuses its oldest segment, once every
 * consumer it tracks has acknowledged that segment's events.
 */
@Timeout(60)
class RetainedPartitionLogTest
{
    private static final int SEGMENT = 4096;
    /**
     * Metadata and data of every event here: with the 64-byte header a record of exactly 1 KiB, so
     * four fill a segment.
     */
    private static final int METADATA = 64;
    private static final int DATA = 896;

    @TempDir
    Path root;

    private final List<PartitionLog> logs = new ArrayList<>();
    private final List<Region> announced = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeLogs()
    {
        logs.forEach(PartitionLog::close);
    }

    private PartitionLog log(final int maxSegments, final int retainSegments)
    {
        final PartitionLog log = new PartitionLog(new PartitionLog.Context()
            .directory(root.resolve("log-" + logs.size()))
            .segmentBytes(SEGMENT)
            .maxBytes((long)maxSegments * SEGMENT)
            .retainBytes((long)retainSegments * SEGMENT)
            .segmentListener(announced::add));
        logs.add(log);
        return log;
    }

    private static void appendCommitted(final PartitionLog log, final long from, final long to)
    {
        for (long id = from; id < to; id++)
        {
            assertEquals(id, appendFilled(log, id, METADATA, DATA));
            log.commit(id);
        }
    }

    @Test
    void theOldestSegmentIsReusedOnceEveryTrackedConsumerAcknowledgedItsEvents()
    {
        final PartitionLog log = log(8, 2);
        log.track("c");
        appendCommitted(log, 0, 8); // two full segments: events 0-3 and 4-7
        log.acknowledge("c", 3);

        appendCommitted(log, 8, 9);

        assertEquals(2, log.regions().size(), "no third segment was created");
        assertEquals(2, announced.size(), "a reused segment keeps its region: nothing new is announced");
        assertEquals(1, log.reusedSegments());
        assertEquals(4, log.firstEventId());
        for (long id = 4; id < 9; id++)
        {
            assertEvent(log, id, id, METADATA, DATA);
        }
        final IllegalArgumentException dropped =
            assertThrows(IllegalArgumentException.class, () -> log.read(3, new LogEntry()));
        assertTrue(dropped.getMessage().contains("no longer holds event 3") &&
            dropped.getMessage().contains("holds events from 4 on"), dropped.getMessage());
        assertEquals(4, log.cursor("late"), "a consumer never seen starts at the oldest event held");
        assertEquals(4, log.cursor("c"));
    }

    @Test
    void anUnacknowledgedEventHoldsItsSegmentSoTheLogGrowsUpToItsBoundAndNoFurther()
    {
        final PartitionLog log = log(3, 2);
        log.track("fast");
        log.track("slow");
        appendCommitted(log, 0, 8);
        log.acknowledge("fast", 7);
        log.acknowledge("slow", 2); // event 3, in the oldest segment, is still its to read

        appendCommitted(log, 8, 12);
        assertEquals(3, log.regions().size(), "the log grew instead of dropping event 3");
        assertEquals(0, log.reusedSegments());

        final LogFullException full = assertThrows(
            LogFullException.class, () -> log.append(new org.agrona.concurrent.UnsafeBuffer(new byte[METADATA]), 0,
            METADATA, DATA, 0));
        assertTrue(full.getMessage().contains("a consumer has not acknowledged the events of the oldest (0 on)"),
            full.getMessage());
        assertEquals(12, log.nextEventId(), "a refused append leaves the log unchanged");

        log.acknowledge("slow", 11);
        appendCommitted(log, 12, 13);
        assertEquals(3, log.regions().size());
        assertEquals(1, log.reusedSegments());
        assertEquals(4, log.firstEventId());
        for (long id = 4; id < 13; id++)
        {
            assertEvent(log, id, id, METADATA, DATA);
        }
    }

    @Test
    void uncommittedEventsAreNeverDroppedEvenWithoutConsumers()
    {
        final PartitionLog log = log(4, 2);
        for (long id = 0; id < 8; id++)
        {
            appendFilled(log, id, METADATA, DATA); // appended, none committed
        }

        appendFilled(log, 8, METADATA, DATA);

        assertEquals(3, log.regions().size(), "events not yet committed keep their segment");
        assertEquals(0, log.firstEventId());
        log.commit(8);
        for (long id = 0; id < 9; id++)
        {
            assertEvent(log, id, id, METADATA, DATA);
        }
    }

    @Test
    void manyReuseCyclesKeepEveryHeldEventReadableAndRollbackStillWorks()
    {
        final PartitionLog log = log(4, 2);
        log.track("c");
        final int events = 1000;
        for (long id = 0; id < events; id++)
        {
            appendCommitted(log, id, id + 1);
            assertEvent(log, id, id, METADATA, DATA);
            log.acknowledge("c", id);
        }

        assertEquals(2, log.regions().size());
        assertEquals(events / 4 - 2, log.reusedSegments());
        assertEquals(events - 8, log.firstEventId(), "the two segments hold the last eight events");
        for (long id = log.firstEventId(); id < events; id++)
        {
            assertEvent(log, id, id, METADATA, DATA);
        }

        for (long id = events; id < events + 6; id++)
        {
            appendFilled(log, ~id, METADATA, DATA); // not committed; the fifth reuses the segment of 996-999
        }
        assertEquals(events, log.firstEventId(), "appending dropped the acknowledged events 996 to 999");
        assertEquals(6, log.rollback());
        appendCommitted(log, events, events + 6);
        for (long id = events; id < events + 6; id++)
        {
            assertEvent(log, id, id, METADATA, DATA);
        }
    }

    @Test
    void aRollbackAcrossSegmentsLeavesTheOldestEventHeldMovingOnlyForward()
    {
        final PartitionLog log = log(8, 2);
        log.track("c");
        appendCommitted(log, 0, 2);
        for (long id = 2; id < 10; id++)
        {
            appendFilled(log, ~id, METADATA, DATA); // a batch over three segments, then refused
        }
        assertEquals(8, log.rollback());
        assertEquals(3, log.regions().size());

        long oldest = log.firstEventId();
        for (long id = 2; id < 40; id++)
        {
            appendCommitted(log, id, id + 1);
            log.acknowledge("c", id);
            assertTrue(log.firstEventId() >= oldest, "the oldest event held went back from " + oldest + " to " +
                log.firstEventId());
            oldest = log.firstEventId();
            assertEquals(oldest, log.cursor("new"));
            for (long held = oldest; held <= id; held++)
            {
                assertEvent(log, held, held, METADATA, DATA);
            }
        }
        assertTrue(log.reusedSegments() > 0);
    }

    @Test
    void retainedBytesAreCheckedWithMessagesNamingThem()
    {
        final IllegalArgumentException oneSegment = assertThrows(IllegalArgumentException.class, () -> new PartitionLog(
            new PartitionLog.Context().directory(root.resolve("one")).segmentBytes(SEGMENT).retainBytes(SEGMENT)));
        assertTrue(oneSegment.getMessage().contains("from two segments (8 KiB)"), oneSegment.getMessage());

        final IllegalArgumentException overBound = assertThrows(IllegalArgumentException.class, () -> new PartitionLog(
            new PartitionLog.Context().directory(root.resolve("over")).segmentBytes(SEGMENT).maxBytes(4 * SEGMENT)
                .retainBytes(8 * SEGMENT)));
        assertTrue(overBound.getMessage().contains("to the bound (16 KiB)"), overBound.getMessage());

        final IllegalArgumentException durable = assertThrows(IllegalArgumentException.class, () -> new PartitionLog(
            new PartitionLog.Context().directory(root.resolve("durable")).segmentBytes(SEGMENT).durable(true)
                .retainBytes(4 * SEGMENT)));
        assertTrue(durable.getMessage().contains("for a durable log, which keeps every event"), durable.getMessage());
    }
}
