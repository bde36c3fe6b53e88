package dev.ferry.log;

import dev.ferry.FerryException;
import dev.ferry.buffer.Sizes;
import dev.ferry.bulk.Region;
import dev.ferry.event.DataView;
import dev.ferry.shm.DurableDirectory;
import org.agrona.DirectBuffer;
import org.agrona.collections.ArrayUtil;
import org.agrona.collections.IntArrayList;
import org.agrona.collections.LongArrayList;
import org.agrona.collections.LongArrayQueue;
import org.agrona.collections.Object2LongHashMap;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The log of one topic partition: events appended in order to fixed-size segment files mapped from
 * its directory, their ids 0, 1, 2, … never reused, the partition's named consumer cursors, and the
 * identities of the producer batches its events came in.
 * <p>
 * <b>Two modes.</b> In {@code memory} mode (the default) the log starts empty, refuses a directory
 * that holds segment files, and deletes its files on {@link #close()}: what it holds lasts as long as
 * the process. In {@code durable} mode ({@link Context#durable(boolean)}) the files stay on close,
 * and a log opened on a directory that holds them recovers their committed events; its cursors are
 * kept in a mapped file beside the segments, and what it writes is forced to the device as its
 * {@link FsyncPolicy} says.
 * <p>
 * <b>Appending an event</b> takes three steps, so that its data can be pulled by a bulk transport
 * straight into the log:
 * <ol>
 *     <li>{@link #append} writes the record's header and metadata and assigns the event id;</li>
 *     <li>{@link #dataDestination(long)} gives the record's data area, for the pull to fill;</li>
 *     <li>{@link #commit(long)} makes the event, and every event before it, visible to
 *     {@link #read(long, LogEntry)}, and marks their records committed. Commit an id only once the
 *     data of it and of every earlier event is in place.</li>
 * </ol>
 * Records are laid out as {@link LogRecordDescriptor} draws. A record that does not fit in what is
 * left of the current segment closes it with a padding record and starts a new segment; the
 * {@link Context#segmentListener(Consumer) segment listener} is told of each new segment before the
 * log writes to it, so it can be registered with the bulk transports and announced to consumers
 * before any descriptor names it. Segments are created on first need, so a log that holds nothing
 * maps nothing.
 * <p>
 * <b>Recovery</b> (durable mode) walks {@code seg-0}, {@code seg-1}, … in order from offset 0 by
 * Record Length and rebuilds the index of event positions, the committed end and the batch
 * identities. A record is kept when its length is a positive multiple of 64 within the segment, its
 * event id is the next one (or it is a padding record running to the segment's end), its metadata and
 * data lengths make up its length, and it is marked committed. The first record that is not so ends
 * the log: it and every byte after it in its segment are zeroed, later segment files are deleted, and
 * a warning says how much was cut and why. Events appended but not committed, and records torn by a
 * crash, are so cut; the next append takes the first id cut. Each kept segment is told to the
 * listener, oldest first, before the constructor returns. Recovery costs one pass over the records'
 * headers and one over the rest of the last segment, and allocates little beyond the index.
 * <p>
 * <b>Producer batches.</b> Records carry the identity set by {@link #batch(long, long, long)}, and
 * the log remembers the committed batches by it ({@link #findBatch}), in memory, rebuilt from the
 * records on recovery: per producer the last 256 batches, for at most 65,536 producers (the one that
 * stored a batch least recently is forgotten beyond that), so at most about 320 MiB per partition,
 * and a few hundred bytes per producer that sent few batches.
 * <p>
 * <b>Threads.</b> A log is owned by one thread, the server's I/O agent, and is not thread-safe: it
 * takes no locks. Given a {@link Context#segmentPreparer(Executor) preparer}, it has the next
 * segment created there, ahead of need, listener included, and takes it over through a future when
 * it rolls. Peers read committed data through the mapped segments, named by the descriptors the
 * agent sends them. One log at a time may use a directory.
 * <p>
 * <b>Cost.</b> {@link #append}, {@link #commit(long)}, {@link #read(long, LogEntry)},
 * {@link #acknowledge(String, long)} of a known name and {@link #sync(long)} allocate nothing, except
 * when the index of event positions grows (doubling, so rarely), when a segment is created, and when
 * a commit stores the first batch of a producer or grows its ring of batches. {@link #commit(long)}
 * writes each newly committed record's flags. {@link #dataDestination(long)} allocates one
 * {@link DataView}.
 * <p>
 * <b>Memory.</b> Closing does not unmap segments: segments, {@link LogEntry entries} and data views
 * handed out keep their mapping reachable, and the garbage collector unmaps each once nothing points
 * into it, so no view ever reads unmapped memory. In memory mode, the memory of a deleted file is
 * returned to the system when that happens.
 */
public final class PartitionLog implements AutoCloseable
{
    private static final Logger LOGGER = LoggerFactory.getLogger(PartitionLog.class);
    private static final long PREPARE_TIMEOUT_SECONDS = 60;

    /**
     * The batch sequence of records appended before any {@link #batch(long, long, long)} or after one
     * with a negative sequence: they belong to no batch, and are never found by {@link #findBatch}.
     */
    public static final long NO_BATCH_SEQ = -1;

    /**
     * How many of its most recent batches {@link #findBatch} finds per (client, producer): a producer
     * must never have more unacknowledged batches than this on one partition, or a batch it sends again
     * may be stored twice.
     */
    public static final int REMEMBERED_BATCHES_PER_PRODUCER = BatchIndex.BATCHES_PER_PRODUCER;

    private final Path directory;
    private final boolean createdDirectory;
    private final boolean durable;
    private final FsyncPolicy fsyncPolicy;
    /**
     * What the log forces: {@link #fsyncPolicy} when durable, else {@link FsyncPolicy#NONE}.
     */
    private final FsyncPolicy forcePolicy;
    private final long fsyncIntervalNs;
    private final int segmentBytes;
    private final long maxBytes;
    private final int maxSegments;
    private final Consumer<Region> segmentListener;
    private final Executor segmentPreparer;
    private Future<LogSegment> preparedSegment;
    /**
     * Every segment the log has created, indexed by {@link LogSegment#index()}.
     */
    private final ArrayList<LogSegment> segments = new ArrayList<>();
    private final List<Region> regions = Collections.unmodifiableList(segments);
    /**
     * The segments holding events, oldest first, the current one last: all of them in index order,
     * unless the log reuses segments ({@link Context#retainBytes(long)}).
     */
    private final ArrayDeque<LogSegment> inUse = new ArrayDeque<>();
    /**
     * With reuse, the first event of each segment in use but the oldest, in the order of {@link #inUse}:
     * where the events of the segment before it end.
     */
    private final LongArrayQueue segmentStarts = new LongArrayQueue(LongArrayQueue.DEFAULT_NULL_VALUE);
    private final int retainSegments;
    /**
     * Position of each event's record from {@link #positionBase} on, indexed by event id minus that
     * base: segment index {@code << 32 |} offset.
     */
    private LongArrayList positions = new LongArrayList();
    /**
     * The event id of {@code positions[0]}; above 0 once reused segments' events were dropped.
     */
    private long positionBase;
    /**
     * The oldest event the log holds; 0 unless segments were reused.
     */
    private long firstEventId;
    private long reusedSegments;
    /**
     * Cursors in memory mode; null when durable.
     */
    private final Object2LongHashMap<String> cursors;
    /**
     * Cursors in durable mode; null in memory mode.
     */
    private final CursorFile cursorFile;
    private final BatchIndex batches = new BatchIndex();

    private LogSegment current;
    private int tail;
    private long committedEnd;
    /**
     * Where the last committed record ends, and up to where committed records were forced: segment
     * index {@code << 32 |} offset. Kept when the log forces anything.
     */
    private long committedPosition;
    private long forcedPosition;
    private boolean syncArmed;
    private long nextSyncNs;
    private long batchClientId;
    private long batchProducerId;
    private long batchSeq = NO_BATCH_SEQ;
    private boolean closed;

    /**
     * Open a log. Its directory is created owner-only if missing. In memory mode the log starts empty
     * and maps nothing yet; in durable mode it recovers the segments and cursors the directory holds
     * (see the class's notes on recovery), telling the listener of each kept segment.
     *
     * @param context the log's settings; concluded here.
     * @throws FerryException if the directory cannot be created or is not a directory; in memory mode
     *                        if it already holds segment files; in durable mode if a segment or the
     *                        cursor file cannot be mapped or has the wrong size or format.
     */
    public PartitionLog(final Context context)
    {
        context.conclude();
        this.directory = context.directory().toAbsolutePath().normalize();
        this.segmentBytes = context.segmentBytes();
        this.maxBytes = context.maxBytes();
        this.maxSegments = (int)Math.min(Integer.MAX_VALUE, maxBytes / segmentBytes);
        this.retainSegments = (int)Math.min(maxSegments, context.retainBytes() / segmentBytes);
        this.segmentListener = context.segmentListener();
        this.segmentPreparer = context.segmentPreparer();
        this.durable = context.durable();
        this.fsyncPolicy = context.fsyncPolicy();
        this.forcePolicy = durable ? fsyncPolicy : FsyncPolicy.NONE;
        this.fsyncIntervalNs = context.fsyncIntervalNs();
        this.createdDirectory = prepareDirectory(directory, durable);
        if (durable)
        {
            if (createdDirectory && FsyncPolicy.NONE != forcePolicy)
            {
                DurableDirectory.forceDirectory(directory.getParent());
            }
            recover();
            this.cursors = null;
            this.cursorFile = CursorFile.openOrCreate(directory, forcePolicy, committedEnd);
            if (null != current)
            {
                prepareNext();
            }
        }
        else
        {
            this.cursors = new Object2LongHashMap<>(-1L); // -1: a name never seen, which starts at the first event held
            this.cursorFile = null;
        }
    }

    /**
     * @return the directory holding the segment files.
     */
    public Path directory()
    {
        return directory;
    }

    /**
     * @return the size of each segment in bytes.
     */
    public int segmentBytes()
    {
        return segmentBytes;
    }

    /**
     * @return the bound on the bytes of all segments together.
     */
    public long maxBytes()
    {
        return maxBytes;
    }

    /**
     * @return true for a durable log, which keeps its files and recovers them; false in memory mode.
     */
    public boolean isDurable()
    {
        return durable;
    }

    /**
     * @return when a durable log forces what it wrote to the device; a memory-mode log forces nothing.
     */
    public FsyncPolicy fsyncPolicy()
    {
        return fsyncPolicy;
    }

    /**
     * Set the producer batch identity stamped into the header of every record appended from now on,
     * until the next call. Events appended before any call belong to no batch ({@link #NO_BATCH_SEQ}).
     *
     * @param clientId   of the client whose producer sent the batch.
     * @param producerId of the producer within its client.
     * @param batchSeq   of the batch, from 0 per producer and partition; negative for events of no batch.
     * @throws IllegalStateException if the log is closed.
     */
    public void batch(final long clientId, final long producerId, final long batchSeq)
    {
        checkOpen();
        this.batchClientId = clientId;
        this.batchProducerId = producerId;
        this.batchSeq = batchSeq < 0 ? NO_BATCH_SEQ : batchSeq;
    }

    /**
     * Find a committed producer batch by its identity, to recognise a batch its producer sent again.
     * Consecutive committed events of the same identity are one batch; per producer the last 256
     * batches are remembered, for the 65,536 producers that stored one most recently. Events rolled
     * back never count. Allocates nothing.
     *
     * @param clientId   of the batch's producer's client.
     * @param producerId of the batch's producer.
     * @param batchSeq   of the batch.
     * @param into       filled with the batch's first event id and count if it is found; else unchanged.
     * @return true if such a batch is committed and remembered (the most recent one if several).
     * @throws IllegalStateException if the log is closed.
     */
    public boolean findBatch(final long clientId, final long producerId, final long batchSeq, final StoredBatch into)
    {
        checkOpen();
        return batches.find(clientId, producerId, batchSeq, into);
    }

    /**
     * Append an event's record: header and metadata now, its data area (zeros) left for the caller to
     * fill through {@link #dataDestination(long)}. The event is not visible until committed.
     * Allocates nothing in the steady state (see the class's notes on cost).
     *
     * @param metadata       buffer holding the event's metadata.
     * @param offset         of the first metadata byte in {@code metadata}.
     * @param length         of the metadata in bytes.
     * @param dataLength     of the event's data in bytes; 0 for none.
     * @param timestampNanos when the event was accepted, nanoseconds since the epoch.
     * @return the event's id: 0 for the first event, then one more each time.
     * @throws IndexOutOfBoundsException if the metadata range lies outside its buffer.
     * @throws IllegalArgumentException  if {@code dataLength} is negative.
     * @throws LogException              if the record is larger than a whole segment.
     * @throws LogFullException          if the record needs a new segment and the bound allows none;
     *                                   the log is then unchanged.
     * @throws FerryException            if a new segment's file cannot be created or mapped; the log
     *                                   is then unchanged.
     * @throws IllegalStateException     if the log is closed.
     */
    public long append(
        final DirectBuffer metadata,
        final int offset,
        final int length,
        final long dataLength,
        final long timestampNanos)
    {
        checkOpen();
        if (offset < 0 || length < 0 || offset > metadata.capacity() - length)
        {
            throw new IndexOutOfBoundsException(
                "metadata [" + offset + ", " + length + "] lies outside a buffer of " + metadata.capacity() + " bytes");
        }
        if (dataLength < 0)
        {
            throw new IllegalArgumentException("data length must not be negative, was " + dataLength);
        }

        final long recordLength = LogRecordDescriptor.recordLength(length, dataLength);
        if (recordLength > segmentBytes)
        {
            throw new LogException(
                "cannot append to partition log " + directory + ": an event of " + length + " bytes of metadata and " +
                dataLength + " bytes of data needs " + recordLength + " bytes with its header and padding, more than " +
                "a whole segment of " + Sizes.format(segmentBytes) + "; " + howToFit(recordLength));
        }

        if (ArrayUtil.MAX_CAPACITY == positions.size())
        {
            throw new LogFullException(
                "partition log " + directory + " is full: it holds " + positions.size() + " events, the most one log " +
                "indexes; spread events over more partitions");
        }

        if (null == current || recordLength > segmentBytes - tail)
        {
            roll();
        }

        final UnsafeBuffer buffer = current.buffer();
        final int recordOffset = tail;
        final long eventId = nextEventId();
        LogRecordDescriptor.putHeader(
            buffer, recordOffset, length, eventId, dataLength, timestampNanos,
            batchClientId, batchProducerId, batchSeq);
        buffer.putBytes(recordOffset + LogRecordDescriptor.HEADER_LENGTH, metadata, offset, length);
        LogRecordDescriptor.recordLengthRelease(buffer, recordOffset, (int)recordLength);

        positions.addLong(((long)current.index() << 32) | recordOffset);
        tail = recordOffset + (int)recordLength;

        return eventId;
    }

    /**
     * The memory an appended, not yet committed event's data goes into, for a bulk transport to pull
     * into. Allocates one view.
     *
     * @param eventId of an event appended and not yet committed.
     * @return a writable view of exactly the event's data length, which keeps the segment mapped
     * while reachable; {@link DataView#EMPTY} for an event without data.
     * @throws IllegalArgumentException if the event was not appended, or is committed already and so
     *                                  may be read by now.
     * @throws IllegalStateException    if the log is closed.
     */
    public DataView dataDestination(final long eventId)
    {
        checkOpen();
        if (eventId < 0 || eventId >= nextEventId())
        {
            throw new IllegalArgumentException(
                "partition log " + directory + " has no event " + eventId + " to fill with data: the events " +
                "appended are 0 to " + (nextEventId() - 1));
        }
        if (eventId < committedEnd)
        {
            throw new IllegalArgumentException(
                "event " + eventId + " of partition log " + directory + " is committed, so its data may be read " +
                "already and must not change; fill an event's data before committing it");
        }

        final long position = position(eventId);
        final LogSegment segment = segments.get((int)(position >>> 32));
        final int recordOffset = (int)position;
        final UnsafeBuffer buffer = segment.buffer();
        final long dataLength = LogRecordDescriptor.dataLength(buffer, recordOffset);
        final int dataOffset = recordOffset + LogRecordDescriptor.dataOffset(
            LogRecordDescriptor.metadataLength(buffer, recordOffset));

        return DataView.of(segment.address() + dataOffset, (int)dataLength, segment.mapping());
    }

    /**
     * Make an event and every event before it visible to readers, and mark their records committed,
     * so that a durable log recovers them; with {@link FsyncPolicy#BATCH} force them to the device
     * before returning. Commits only move forward: committing an event that is visible already does
     * nothing.
     *
     * @param eventId of an appended event whose data, and that of every earlier event, is in place.
     * @throws IllegalArgumentException if the id is negative or no event of that id was appended.
     * @throws IllegalStateException    if the log is closed.
     * @throws FerryException           if forcing the records to the device fails.
     */
    public void commit(final long eventId)
    {
        checkOpen();
        if (eventId < 0 || eventId >= nextEventId())
        {
            throw new IllegalArgumentException(
                "cannot commit event " + eventId + " of partition log " + directory + ": the events appended are " +
                "0 to " + (nextEventId() - 1) + "; append an event before committing it");
        }
        if (eventId < committedEnd)
        {
            return;
        }

        final long firstPosition = position(committedEnd);
        LogRecordDescriptor.commitRun(
            segments.get((int)(firstPosition >>> 32)).buffer(), (int)firstPosition, (int)(eventId + 1 - committedEnd));
        final long endPosition = FsyncPolicy.NONE == forcePolicy ? 0 : endPosition(eventId);
        if (FsyncPolicy.BATCH == forcePolicy)
        {
            forceRange(forcedPosition, endPosition); // the data on the device before any mark saying it is
        }

        for (long id = eventId; id >= committedEnd; id--) // last to first: see LogRecordDescriptor's commit run
        {
            final long position = position(id);
            LogRecordDescriptor.committedRelease(segments.get((int)(position >>> 32)).buffer(), (int)position);
        }
        rememberBatches(committedEnd, eventId + 1);
        committedEnd = eventId + 1;
        committedPosition = endPosition;

        if (FsyncPolicy.BATCH == forcePolicy)
        {
            forceRange(forcedPosition, endPosition);
            forcedPosition = endPosition;
        }
    }

    /**
     * Force what was committed since the last force, and the cursors if one moved, once the
     * {@link Context#fsyncIntervalNs(long) interval} has passed since the last force: the duty of a
     * durable log with {@link FsyncPolicy#INTERVAL}, for its owner to call every duty cycle. The first
     * call starts the interval. Cheap when there is nothing to do; allocates nothing.
     *
     * @param nowNs the owner's clock in nanoseconds, such as {@link System#nanoTime()}; any origin,
     *              the same clock every call.
     * @return 1 if it forced something, else 0: always 0 in memory mode, for other policies and once
     * closed.
     */
    public int sync(final long nowNs)
    {
        if (FsyncPolicy.INTERVAL != forcePolicy || closed)
        {
            return 0;
        }
        if (!syncArmed)
        {
            syncArmed = true;
            nextSyncNs = nowNs + fsyncIntervalNs;
            return 0;
        }
        if (nowNs - nextSyncNs < 0 || (forcedPosition == committedPosition && !cursorFile.isDirty()))
        {
            return 0;
        }

        forceCommitted();
        nextSyncNs = nowNs + fsyncIntervalNs;
        return 1;
    }

    /**
     * Discard every appended event that is not committed, as if it had never been appended: the next
     * append gets the first uncommitted id again. Used when an event's data could not be filled (its
     * producer's memory became unreadable), so that nothing half-stored ever becomes visible.
     * <p>
     * The discarded records' bytes are cleared; a segment the discarded records had reached is left
     * with a padding record from the first discarded byte to its end, so every segment still reads
     * as a sequence of records.
     *
     * @return how many events were discarded.
     * @throws IllegalStateException if the log is closed.
     */
    public int rollback()
    {
        checkOpen();
        final int discarded = (int)(nextEventId() - committedEnd);
        if (0 == discarded)
        {
            return 0;
        }

        final long first = position(committedEnd);
        final int firstSegment = (int)(first >>> 32);
        final int firstOffset = (int)first;
        boolean reached = false;
        for (final LogSegment segment : inUse) // in the order events were written
        {
            reached |= segment.index() == firstSegment;
            if (segment == current || !reached)
            {
                continue;
            }
            final UnsafeBuffer buffer = segment.buffer();
            final int from = segment.index() == firstSegment ? firstOffset : 0;
            buffer.setMemory(from, segmentBytes - from, (byte)0);
            putPadding(buffer, from);
        }

        final int from = firstSegment == current.index() ? firstOffset : 0;
        current.buffer().setMemory(from, tail - from, (byte)0);
        tail = from;
        if (retainSegments > 0 && firstSegment != current.index())
        {
            restartSegmentsAfter(firstSegment);
        }
        while (nextEventId() > committedEnd)
        {
            positions.removeAt(positions.size() - 1);
        }

        return discarded;
    }

    /**
     * @return the id the next appended event will get, which is also the number of events appended.
     */
    public long nextEventId()
    {
        return positionBase + positions.size();
    }

    /**
     * @return the oldest event the log holds: 0, unless it reuses segments ({@link Context#retainBytes})
     * and dropped the events of one.
     */
    public long firstEventId()
    {
        return firstEventId;
    }

    /**
     * @return true if the log reuses segments once it holds its retained bytes ({@link Context#retainBytes}).
     */
    public boolean reusesSegments()
    {
        return retainSegments > 0;
    }

    /**
     * @return how many times the log reused a segment instead of creating one.
     */
    public long reusedSegments()
    {
        return reusedSegments;
    }

    /**
     * @return the first event id not yet visible to readers: events below it are committed.
     */
    public long committedEnd()
    {
        return committedEnd;
    }

    /**
     * Point an entry at a committed event, copying nothing and allocating nothing.
     *
     * @param eventId of the event.
     * @param entry   to fill; reused by the caller from read to read.
     * @return true if the entry now shows the event; false if the event is not committed yet (it may
     * not even be appended), in which case the entry is unchanged.
     * @throws IllegalArgumentException if the id is negative.
     * @throws IllegalStateException    if the log is closed.
     */
    public boolean read(final long eventId, final LogEntry entry)
    {
        if (eventId < 0)
        {
            throw new IllegalArgumentException("event ids start at 0; there is no event " + eventId);
        }
        checkOpen();
        if (eventId >= committedEnd)
        {
            return false;
        }
        if (eventId < firstEventId)
        {
            throw new IllegalArgumentException(
                "partition log " + directory + " no longer holds event " + eventId + ": it reused the segment that " +
                "held it, and holds events from " + firstEventId + " on");
        }

        final long position = position(eventId);
        final LogSegment segment = segments.get((int)(position >>> 32));
        final int recordOffset = (int)position;
        final UnsafeBuffer buffer = segment.buffer();
        final int metadataLength = LogRecordDescriptor.metadataLength(buffer, recordOffset);
        entry.set(
            eventId,
            LogRecordDescriptor.timestampNanos(buffer, recordOffset),
            buffer,
            recordOffset + LogRecordDescriptor.HEADER_LENGTH,
            metadataLength,
            segment,
            recordOffset + LogRecordDescriptor.dataOffset(metadataLength),
            LogRecordDescriptor.dataLength(buffer, recordOffset));

        return true;
    }

    /**
     * @param consumerName the name a consumer subscribes with.
     * @return the first event that consumer has not acknowledged: where it resumes; 0 for a name never
     * seen.
     * @throws IllegalStateException if the log is closed.
     */
    public long cursor(final String consumerName)
    {
        Objects.requireNonNull(consumerName, "consumerName");
        checkOpen();
        return null == cursorFile ?
            Math.max(firstEventId, cursors.getValue(consumerName)) : cursorFile.get(consumerName);
    }

    /**
     * Keep every event a consumer has not acknowledged: a log that reuses segments
     * ({@link Context#retainBytes}) reuses none holding such an event, for as long as the log lives.
     * Without reuse the log keeps every event anyway, and this only remembers the name. Called when a
     * consumer subscribes, before it reads.
     *
     * @param consumerName the name the consumer subscribes with.
     * @throws IllegalStateException if the log is closed.
     */
    public void track(final String consumerName)
    {
        Objects.requireNonNull(consumerName, "consumerName");
        checkOpen();
        if (null != cursors && !cursors.containsKey(consumerName))
        {
            cursors.put(consumerName, firstEventId);
        }
    }

    /**
     * Record that a consumer is done with an event, and so with every event before it: its cursor
     * becomes the next event, unless it is further along already (cursors never move back). A durable
     * log stores it in its cursor file, forced at once with {@link FsyncPolicy#BATCH}.
     *
     * @param consumerName the name the consumer subscribes with; in durable mode at most 255 bytes in
     *                     UTF-8.
     * @param eventId      of a committed event.
     * @throws IllegalArgumentException if the event is not committed, so the consumer cannot have read
     *                                  it, or a durable log cannot store so long a name.
     * @throws IllegalStateException    if the log is closed.
     */
    public void acknowledge(final String consumerName, final long eventId)
    {
        Objects.requireNonNull(consumerName, "consumerName");
        checkOpen();
        if (eventId < 0 || eventId >= committedEnd)
        {
            throw new IllegalArgumentException(
                "consumer '" + consumerName + "' cannot acknowledge event " + eventId + " of partition log " +
                directory + ": " + (0 == committedEnd ? "no event is committed yet" :
                "the committed events are 0 to " + (committedEnd - 1)) + "; acknowledge only events you have read");
        }

        final long next = eventId + 1;
        if (null != cursorFile)
        {
            cursorFile.advance(consumerName, next);
        }
        else if (next > cursors.getValue(consumerName))
        {
            cursors.put(consumerName, next);
        }
    }

    /**
     * @return the log's segments as registrable regions, oldest first; a live, read-only view,
     * empty after close.
     */
    public List<Region> regions()
    {
        return regions;
    }

    /**
     * @return true once {@link #close()} was called.
     */
    public boolean isClosed()
    {
        return closed;
    }

    /**
     * Close the log; forget segments, index, cursors and batches. In memory mode delete the segment
     * files, and the directory if this log created it. In durable mode keep them, forcing what was
     * committed and the cursors first unless the policy is {@link FsyncPolicy#NONE}; events appended
     * and not committed are cut when the log is opened again. Mappings are left to the garbage
     * collector (see the class's notes on memory), and anything still reading a segment sees the same
     * bytes as before. Idempotent.
     */
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;

        final Future<LogSegment> prepared = preparedSegment;
        preparedSegment = null;
        if (null != prepared)
        {
            try
            {
                deleteQuietly(prepared.get(PREPARE_TIMEOUT_SECONDS, TimeUnit.SECONDS)); // never written to
            }
            catch (final ExecutionException | TimeoutException ex)
            {
                prepared.cancel(true);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }

        if (durable)
        {
            if (FsyncPolicy.NONE != forcePolicy)
            {
                forceCommitted();
            }
        }
        else
        {
            for (final LogSegment segment : segments)
            {
                deleteQuietly(segment);
            }
        }
        segments.clear();
        inUse.clear();
        segmentStarts.clear();
        current = null;
        positions.clear();
        batches.clear();
        if (null != cursors)
        {
            cursors.clear();
        }

        if (createdDirectory && !durable)
        {
            try
            {
                Files.deleteIfExists(directory);
            }
            catch (final IOException ex)
            {
                LOGGER.warn("could not delete the directory of partition log {}: {}", directory, ex.toString());
            }
        }
    }

    public String toString()
    {
        return "PartitionLog{directory=" + directory + ", mode=" + (durable ? "durable/" + fsyncPolicy : "memory") +
            ", segments=" + segments.size() + ", firstEventId=" + firstEventId + ", nextEventId=" + nextEventId() +
            ", committedEnd=" + committedEnd +
            (closed ? ", closed" : "") + "}";
    }

    /**
     * Tell the batch index of the committed events from {@code fromId} up to, not including, {@code toId}.
     */
    private void rememberBatches(final long fromId, final long toId)
    {
        for (long id = fromId; id < toId; id++)
        {
            final long position = position(id);
            final UnsafeBuffer buffer = segments.get((int)(position >>> 32)).buffer();
            final int recordOffset = (int)position;
            batches.onCommitted(
                id,
                LogRecordDescriptor.clientId(buffer, recordOffset),
                LogRecordDescriptor.producerId(buffer, recordOffset),
                LogRecordDescriptor.batchSeq(buffer, recordOffset));
        }
    }

    private void roll()
    {
        LogSegment next = reusableSegment();
        final boolean reused = null != next;
        if (!reused)
        {
            final int index = segments.size();
            if (index >= maxSegments)
            {
                throw new LogFullException(
                    "partition log " + directory + " is full: its " + index + " segments of " +
                    Sizes.format(segmentBytes) + " reach its bound of " + Sizes.format(maxBytes) + (0 == retainSegments ?
                    "" : " and a consumer has not acknowledged the events of the oldest (" + firstEventId + " on)") +
                    "; raise the log's bound (maxBytes) or spread events over more partitions");
            }
            next = null == preparedSegment ? createSegment(index) : takePrepared();
            segments.add(next);
        }
        if (null != current)
        {
            if (tail < segmentBytes)
            {
                putPadding(current.buffer(), tail);
            }
            if (retainSegments > 0)
            {
                segmentStarts.offerLong(nextEventId());
            }
        }

        inUse.addLast(next);
        current = next;
        tail = 0;
        // At its retained size a log reuses its next segment, most likely: none is made ahead then. Below
        // it, or grown past it because a consumer lags, the next roll needs a new one.
        if (!reused && (0 == retainSegments || inUse.size() != retainSegments))
        {
            prepareNext();
        }
    }

    /**
     * Take the oldest segment for reuse, dropping its events, if the log holds its retained bytes and
     * every event of that segment is committed and acknowledged by every consumer the log tracks. The
     * segment keeps its file, mapping and region, so peers that attached it need not attach anything
     * new; its old records are overwritten, never read again (reads stop at the first event held).
     *
     * @return the segment to write next, or null to create one.
     */
    private LogSegment reusableSegment()
    {
        if (0 == retainSegments || inUse.size() < retainSegments)
        {
            return null;
        }
        final long end = segmentStarts.peekLong(); // where the oldest segment's events end
        if (end > committedEnd)
        {
            return null;
        }
        for (final Object2LongHashMap<String>.ValueIterator it = cursors.values().iterator(); it.hasNext(); )
        {
            if (it.nextLong() < end)
            {
                return null;
            }
        }

        segmentStarts.pollLong();
        firstEventId = end;
        reusedSegments++;
        if (firstEventId - positionBase > positions.size() / 2)
        {
            dropPositionsBefore(firstEventId);
        }
        return inUse.pollFirst();
    }

    /**
     * After a rollback that began in an earlier segment: the segments after that one hold no event now,
     * and the next event goes into the current one, so each of their starts becomes the committed end.
     * The queue of starts is turned once round, each start polled and offered again, so its order holds.
     */
    private void restartSegmentsAfter(final int firstSegment)
    {
        boolean after = false;
        boolean oldest = true;
        for (final LogSegment segment : inUse)
        {
            if (!oldest)
            {
                final long start = segmentStarts.pollLong();
                segmentStarts.offerLong(after ? committedEnd : start);
            }
            oldest = false;
            after |= segment.index() == firstSegment;
        }
    }

    /**
     * Forget the positions of dropped events, copying those kept into a new index: done when the dropped
     * are more than half, so each position is copied at most once on average.
     */
    private void dropPositionsBefore(final long eventId)
    {
        final LongArrayList kept = new LongArrayList(Math.max(16, 2 * (int)(nextEventId() - eventId)), 0);
        for (int i = (int)(eventId - positionBase); i < positions.size(); i++)
        {
            kept.addLong(positions.getLong(i));
        }
        positions = kept;
        positionBase = eventId;
    }

    /**
     * @return where an event's record lies: segment index {@code << 32 |} offset.
     */
    private long position(final long eventId)
    {
        return positions.getLong((int)(eventId - positionBase));
    }

    /**
     * Create segment {@code index} and tell the listener, on the calling thread (the preparer's, when
     * the segment is made ahead of need). If the listener refuses it, the segment's file is deleted and
     * the refusal propagates, so no segment is used that the listener did not accept.
     */
    private LogSegment createSegment(final int index)
    {
        final LogSegment segment = LogSegment.create(directory, index, segmentBytes);
        try
        {
            if (FsyncPolicy.NONE != forcePolicy)
            {
                LogFiles.forceFile(segment.file());
                DurableDirectory.forceDirectory(directory);
            }
            segmentListener.accept(segment);
        }
        catch (final RuntimeException ex)
        {
            deleteQuietly(segment);
            throw ex;
        }

        return segment;
    }

    /**
     * Start creating the segment after the current one off this thread, so that the next roll finds
     * it mapped and zero-filled instead of stalling the I/O agent for the tens of milliseconds that
     * writing a segment's pages takes. It counts against the bound like any segment.
     */
    private void prepareNext()
    {
        final int index = segments.size();
        if (null != segmentPreparer && index < maxSegments)
        {
            final FutureTask<LogSegment> task =
                new FutureTask<>(() -> createSegment(index));
            segmentPreparer.execute(task);
            preparedSegment = task;
        }
    }

    private LogSegment takePrepared()
    {
        final Future<LogSegment> prepared = preparedSegment;
        preparedSegment = null;
        try
        {
            return prepared.get(PREPARE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        catch (final ExecutionException ex)
        {
            throw ex.getCause() instanceof FerryException ? (FerryException)ex.getCause() :
                new FerryException("cannot create the next segment of partition log " + directory + ": " + ex.getCause(),
                ex.getCause());
        }
        catch (final TimeoutException ex)
        {
            prepared.cancel(true);
            throw new FerryException(
                "the next segment of partition log " + directory + " was not ready within " + PREPARE_TIMEOUT_SECONDS +
                " s; the file system under it is stalled");
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new FerryException("interrupted while taking the next segment of partition log " + directory);
        }
    }

    private void putPadding(final UnsafeBuffer buffer, final int offset)
    {
        LogRecordDescriptor.putHeader(
            buffer, offset, 0, LogRecordDescriptor.PADDING_EVENT_ID, 0, 0, 0, 0, NO_BATCH_SEQ);
        LogRecordDescriptor.recordLengthRelease(buffer, offset, segmentBytes - offset);
    }

    /**
     * @return where the record of an appended event ends: segment index {@code << 32 |} offset.
     */
    private long endPosition(final long eventId)
    {
        final long position = position(eventId);
        final UnsafeBuffer buffer = segments.get((int)(position >>> 32)).buffer();
        return position + LogRecordDescriptor.storedRecordLength(buffer, (int)position);
    }

    /**
     * Force the bytes of the segments from one position to another, each as segment index
     * {@code << 32 |} offset; allocates nothing.
     */
    private void forceRange(final long from, final long to)
    {
        final int fromSegment = (int)(from >>> 32);
        final int toSegment = (int)(to >>> 32);
        for (int index = fromSegment; index <= toSegment && index < segments.size(); index++)
        {
            final int start = index == fromSegment ? (int)from : 0;
            final int end = index == toSegment ? (int)to : segmentBytes;
            if (end > start)
            {
                try
                {
                    segments.get(index).mapping().force(start, end - start);
                }
                catch (final UncheckedIOException ex)
                {
                    throw new FerryException(
                        "cannot force bytes " + start + " to " + end + " of segment " + index + " of partition log " +
                        directory + " to its device: " + ex.getCause() + "; the device or its file system is " +
                        "failing, see the kernel's log", ex);
                }
            }
        }
    }

    private void forceCommitted()
    {
        if (forcedPosition != committedPosition)
        {
            forceRange(forcedPosition, committedPosition);
            forcedPosition = committedPosition;
        }
        if (cursorFile.isDirty())
        {
            cursorFile.force();
        }
    }

    /**
     * Rebuild the log from the segment files its directory holds: see the class's notes on recovery.
     */
    private void recover()
    {
        final int[] indexes = segmentFileIndexes();
        int endSegment = 0;
        int endOffset = 0;
        String reason = null;
        int runStart = 0;
        int runRecords = 0;
        while (endSegment < indexes.length && indexes[endSegment] == endSegment)
        {
            final Path file = directory.resolve(LogSegment.FILE_PREFIX + endSegment);
            if (LogFiles.size(file) != segmentBytes &&
                !LogFiles.startsWithContent(file, LogRecordDescriptor.HEADER_LENGTH))
            {
                break; // a segment whose creation a crash cut short, never written to: deleted below
            }
            final LogSegment segment = LogSegment.open(file, endSegment, segmentBytes);
            segments.add(segment);
            final UnsafeBuffer buffer = segment.buffer();
            endOffset = 0;
            while (endOffset < segmentBytes)
            {
                final int recordLength = LogRecordDescriptor.storedRecordLength(buffer, endOffset);
                if (0 == recordLength)
                {
                    break;
                }
                reason = invalidRecord(buffer, endOffset, recordLength, positions.size());
                if (null != reason)
                {
                    break;
                }

                final long eventId = LogRecordDescriptor.eventId(buffer, endOffset);
                if (LogRecordDescriptor.PADDING_EVENT_ID != eventId)
                {
                    final int run = LogRecordDescriptor.commitRun(buffer, endOffset);
                    if (run > 0)
                    {
                        runStart = positions.size();
                        runRecords = run;
                    }
                    positions.addLong(((long)endSegment << 32) | endOffset);
                }
                endOffset += recordLength;
            }

            if (endOffset < segmentBytes)
            {
                break;
            }
            endSegment++;
        }

        if (positions.size() < runStart + runRecords)
        {
            // the last commit is not whole: cut from its first record, and whatever follows it
            reason = "a commit of " + runRecords + " events kept only " + (positions.size() - runStart) +
                " of its marks (a power loss while it was forced)";
            final long first = positions.getLong(runStart);
            endSegment = (int)(first >>> 32);
            endOffset = (int)first;
            while (positions.size() > runStart)
            {
                positions.removeAt(positions.size() - 1);
            }
            while (segments.size() > endSegment + 1)
            {
                segments.remove(segments.size() - 1);
            }
        }
        rememberBatches(0, positions.size());

        int cutRecords = 0;
        int cutBytes = 0;
        final boolean endInFile = endSegment < segments.size();
        if (endInFile)
        {
            final UnsafeBuffer buffer = segments.get(endSegment).buffer();
            cutRecords = countRecordShapes(buffer, endOffset);
            cutBytes = contentLength(buffer, endOffset);
            if (cutBytes > 0)
            {
                buffer.setMemory(endOffset, cutBytes, (byte)0);
                if (null == reason)
                {
                    reason = "bytes follow the last record where the next record's length is 0: a record was being " +
                        "written";
                }
            }
            current = segments.get(endSegment);
            tail = endOffset;
        }
        else if (!segments.isEmpty())
        {
            current = segments.get(segments.size() - 1);
            tail = segmentBytes;
        }

        int deletedFiles = 0;
        int deletedWithContent = 0;
        for (final int index : indexes)
        {
            if (index > endSegment || (index == endSegment && !endInFile))
            {
                final Path file = directory.resolve(LogSegment.FILE_PREFIX + index);
                deletedWithContent += LogFiles.startsWithContent(file, LogRecordDescriptor.HEADER_LENGTH) ? 1 : 0;
                deleteQuietly(file);
                deletedFiles++;
            }
        }
        if (null == reason && deletedWithContent > 0)
        {
            reason = endInFile ? "segment " + endSegment + " ends before its end, so no later segment can follow it" :
                "segment file " + LogSegment.FILE_PREFIX + endSegment + " is missing";
        }

        committedEnd = positions.size();
        committedPosition = null == current ? 0 : ((long)current.index() << 32) | tail;
        forcedPosition = committedPosition;
        if (FsyncPolicy.NONE != forcePolicy)
        {
            for (final LogSegment segment : segments)
            {
                segment.mapping().force(); // what was recovered from the page cache, and the zeroed tail
            }
            if (deletedFiles > 0)
            {
                DurableDirectory.forceDirectory(directory);
            }
        }

        if (cutBytes > 0 || deletedWithContent > 0)
        {
            LOGGER.warn("partition log {}: recovery cut {} records ({} bytes) at segment {} offset {}{}: {}; events " +
                "from {} on were not committed, or were torn by a crash, and are gone", directory, cutRecords, cutBytes,
                endSegment, endOffset, 0 == deletedWithContent ? "" :
                " and deleted " + deletedWithContent + " later segment files holding records", reason, committedEnd);
        }
        else if (committedEnd > 0 || deletedFiles > 0)
        {
            LOGGER.info("partition log {}: recovered {} committed events in {} segments", directory, committedEnd,
                segments.size());
        }

        inUse.addAll(segments);
        for (final LogSegment segment : segments)
        {
            segmentListener.accept(segment);
        }
    }

    /**
     * @return why the record at {@code recordOffset} cannot be recovered, or null if it can.
     */
    private String invalidRecord(
        final UnsafeBuffer buffer, final int recordOffset, final int recordLength, final long expectedEventId)
    {
        if (recordLength < 0 || 0 != recordLength % LogRecordDescriptor.ALIGNMENT)
        {
            return "its record length " + recordLength + " is not a positive multiple of " +
                LogRecordDescriptor.ALIGNMENT;
        }
        if (recordLength > segmentBytes - recordOffset)
        {
            return "its record length " + recordLength + " runs past the segment's end";
        }

        final long eventId = LogRecordDescriptor.eventId(buffer, recordOffset);
        final int metadataLength = LogRecordDescriptor.metadataLength(buffer, recordOffset);
        final long dataLength = LogRecordDescriptor.dataLength(buffer, recordOffset);
        if (LogRecordDescriptor.PADDING_EVENT_ID == eventId)
        {
            return recordOffset + recordLength == segmentBytes && 0 == metadataLength && 0 == dataLength ? null :
                "it is a padding record that holds metadata or data, or ends before the segment's end";
        }
        if (eventId != expectedEventId)
        {
            return "its event id " + eventId + " is not the next one, " + expectedEventId;
        }
        if (metadataLength < 0 || metadataLength > recordLength || dataLength < 0 || dataLength > recordLength ||
            LogRecordDescriptor.recordLength(metadataLength, dataLength) != recordLength)
        {
            return "its metadata length " + metadataLength + " and data length " + dataLength + " do not make up " +
                "its record length " + recordLength;
        }
        if (0 == (LogRecordDescriptor.flags(buffer, recordOffset) & LogRecordDescriptor.COMMITTED_FLAG))
        {
            return "event " + eventId + " was appended but never committed";
        }

        return null;
    }

    /**
     * @return how many records, by their shape alone, follow each other from {@code offset}: what a
     * warning about a cut tail counts.
     */
    private int countRecordShapes(final UnsafeBuffer buffer, final int offset)
    {
        int count = 0;
        int recordOffset = offset;
        while (recordOffset < segmentBytes)
        {
            final int recordLength = LogRecordDescriptor.storedRecordLength(buffer, recordOffset);
            if (recordLength <= 0 || 0 != recordLength % LogRecordDescriptor.ALIGNMENT ||
                recordLength > segmentBytes - recordOffset)
            {
                break;
            }
            count++;
            recordOffset += recordLength;
        }

        return count;
    }

    /**
     * @return how many bytes from {@code offset} (64-byte aligned) to the segment's end reach the last
     * one that is not 0; 0 if all are.
     */
    private int contentLength(final UnsafeBuffer buffer, final int offset)
    {
        for (int i = segmentBytes - Long.BYTES; i >= offset; i -= Long.BYTES)
        {
            if (0 != buffer.getLong(i))
            {
                return i + Long.BYTES - offset;
            }
        }

        return 0;
    }

    /**
     * @return the indexes of the segment files in the directory, ascending; files named like segments
     * but not exactly {@code seg-<index>} are left alone with a warning.
     */
    private int[] segmentFileIndexes()
    {
        final IntArrayList indexes = new IntArrayList();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, LogSegment.FILE_PREFIX + "*"))
        {
            for (final Path file : files)
            {
                final String name = file.getFileName().toString();
                final int index = segmentIndex(name.substring(LogSegment.FILE_PREFIX.length()));
                if (index < 0 || !name.equals(LogSegment.FILE_PREFIX + index))
                {
                    LOGGER.warn("partition log {}: left {} alone, it is not named as a segment file is",
                        directory, file);
                    continue;
                }
                indexes.addInt(index);
            }
        }
        catch (final IOException ex)
        {
            throw new FerryException(
                "cannot list the segment files of partition log " + directory + ": " + ex + "; check that the " +
                "directory is readable by this user", ex);
        }

        final int[] sorted = indexes.toIntArray();
        Arrays.sort(sorted);
        return sorted;
    }

    private static int segmentIndex(final String suffix)
    {
        try
        {
            return Integer.parseInt(suffix);
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }

    private void deleteQuietly(final LogSegment segment)
    {
        deleteQuietly(segment.file());
    }

    private void deleteQuietly(final Path file)
    {
        try
        {
            Files.deleteIfExists(file);
        }
        catch (final IOException ex)
        {
            LOGGER.warn("could not delete {} of partition log {}: {}", file, directory, ex.toString());
        }
    }

    private static String howToFit(final long recordLength)
    {
        final long unit = Context.SEGMENT_BYTES_MULTIPLE;
        final long segmentBytesNeeded = (recordLength + unit - 1) / unit * unit;
        if (segmentBytesNeeded > Context.SEGMENT_BYTES_MAX)
        {
            return "no segment can be larger than " + Sizes.format(Context.SEGMENT_BYTES_MAX) + ", so split the data " +
                "over several events";
        }

        return "raise the log's segment size (segmentBytes) to at least " + Sizes.format(segmentBytesNeeded) +
            ", or send smaller events";
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("partition log " + directory + " is closed");
        }
    }

    private static boolean prepareDirectory(final Path directory, final boolean durable)
    {
        try
        {
            if (!Files.exists(directory, LinkOption.NOFOLLOW_LINKS))
            {
                Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
                return true;
            }

            if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS))
            {
                throw new FerryException(
                    "cannot open partition log " + directory + ": it exists and is not a directory; remove it or " +
                    "give the log another directory");
            }

            if (durable)
            {
                return false;
            }

            try (DirectoryStream<Path> old = Files.newDirectoryStream(directory, LogSegment.FILE_PREFIX + "*"))
            {
                if (old.iterator().hasNext())
                {
                    throw new FerryException(
                        "cannot open partition log " + directory + ": it already holds segment files of another " +
                        "log, and a memory-mode log starts empty; remove them, give the log another directory, or " +
                        "open it durable (Context.durable(true)) to recover them");
                }
            }

            return false;
        }
        catch (final IOException ex)
        {
            throw new FerryException(
                "cannot create the directory of partition log " + directory + ": " + ex + "; check that its " +
                "parent exists and is writable", ex);
        }
    }

    /**
     * A log's settings. Setters return this; {@link #conclude()} checks them once and fills defaults.
     */
    public static final class Context
    {
        /**
         * Default segment size: 64 MiB.
         */
        public static final int SEGMENT_BYTES_DEFAULT = 64 << 20;

        /**
         * Segment sizes are multiples of this, a page: 4 KiB.
         */
        public static final int SEGMENT_BYTES_MULTIPLE = 4 << 10;

        /**
         * Largest segment size: 1 GiB.
         */
        public static final int SEGMENT_BYTES_MAX = 1 << 30;

        /**
         * Default bound on all segments together: 1 GiB.
         */
        public static final long MAX_BYTES_DEFAULT = 1L << 30;

        /**
         * Default interval between forces with {@link FsyncPolicy#INTERVAL}: 100 ms.
         */
        public static final long FSYNC_INTERVAL_NS_DEFAULT = TimeUnit.MILLISECONDS.toNanos(100);

        private Path directory;
        private boolean durable;
        private FsyncPolicy fsyncPolicy = FsyncPolicy.BATCH;
        private long fsyncIntervalNs = FSYNC_INTERVAL_NS_DEFAULT;
        private int segmentBytes = SEGMENT_BYTES_DEFAULT;
        private long maxBytes = MAX_BYTES_DEFAULT;
        private long retainBytes;
        private Consumer<Region> segmentListener;
        private Executor segmentPreparer;
        private boolean concluded;

        /**
         * Check the settings and fill defaults. Called by the log; idempotent.
         *
         * @return this.
         * @throws IllegalArgumentException naming the setting at fault and what it must be.
         */
        public Context conclude()
        {
            if (concluded)
            {
                return this;
            }

            if (null == directory)
            {
                throw new IllegalArgumentException(
                    "a partition log needs a directory for its segment files; set one with Context.directory(...)");
            }
            if (segmentBytes < SEGMENT_BYTES_MULTIPLE || segmentBytes > SEGMENT_BYTES_MAX ||
                0 != segmentBytes % SEGMENT_BYTES_MULTIPLE)
            {
                throw new IllegalArgumentException(
                    "a log's segment size must be a multiple of " + Sizes.format(SEGMENT_BYTES_MULTIPLE) + " from " +
                    Sizes.format(SEGMENT_BYTES_MULTIPLE) + " to " + Sizes.format(SEGMENT_BYTES_MAX) + ", was " +
                    segmentBytes + " bytes");
            }
            if (maxBytes < segmentBytes)
            {
                throw new IllegalArgumentException(
                    "a log's bound of " + Sizes.format(maxBytes) + " holds no segment of " +
                    Sizes.format(segmentBytes) + "; raise the bound (maxBytes) to at least " +
                    Sizes.format(segmentBytes) + " or lower the segment size");
            }
            if (0 != retainBytes && (durable || retainBytes < 2L * segmentBytes || retainBytes > maxBytes))
            {
                throw new IllegalArgumentException(
                    "a log's retained bytes must be 0 (keep every event up to the bound) or, in memory mode, from two " +
                    "segments (" + Sizes.format(2L * segmentBytes) + ") to the bound (" + Sizes.format(maxBytes) +
                    "); was " + retainBytes + " bytes" + (durable ? " for a durable log, which keeps every event" : ""));
            }
            if (null == fsyncPolicy)
            {
                throw new IllegalArgumentException(
                    "a log's fsync policy must be one of " + Arrays.toString(FsyncPolicy.values()) + ", was null");
            }
            if (fsyncIntervalNs <= 0)
            {
                throw new IllegalArgumentException(
                    "a log's fsync interval (fsyncIntervalNs) must be more than 0 ns, was " + fsyncIntervalNs +
                    "; use FsyncPolicy.BATCH to force at every commit");
            }
            if (null == segmentListener)
            {
                segmentListener = (segment) -> {};
            }
            concluded = true;

            return this;
        }

        public Path directory()
        {
            return directory;
        }

        /**
         * @param directory for the segment files (and, when durable, the cursor file), created owner-only
         *                  if missing; for peers to map them, under Ferry's shared-memory root in memory
         *                  mode, or on a persistent file system in durable mode.
         * @return this.
         */
        public Context directory(final Path directory)
        {
            this.directory = directory;
            return this;
        }

        public boolean durable()
        {
            return durable;
        }

        /**
         * @param durable true to keep the segment files and cursors on close and recover them when a log
         *                is opened on the directory again, forcing writes as the {@link #fsyncPolicy(FsyncPolicy)
         *                fsync policy} says; false (the default) for memory mode: the log starts empty,
         *                refuses a directory holding segment files and deletes its files on close.
         * @return this.
         */
        public Context durable(final boolean durable)
        {
            this.durable = durable;
            return this;
        }

        public FsyncPolicy fsyncPolicy()
        {
            return fsyncPolicy;
        }

        /**
         * @param fsyncPolicy when a durable log forces its writes to the device; default
         *                    {@link FsyncPolicy#BATCH}. Ignored in memory mode.
         * @return this.
         */
        public Context fsyncPolicy(final FsyncPolicy fsyncPolicy)
        {
            this.fsyncPolicy = fsyncPolicy;
            return this;
        }

        public long fsyncIntervalNs()
        {
            return fsyncIntervalNs;
        }

        /**
         * @param fsyncIntervalNs least time between two forces with {@link FsyncPolicy#INTERVAL}, in
         *                        nanoseconds; more than 0, default 100 ms.
         * @return this.
         */
        public Context fsyncIntervalNs(final long fsyncIntervalNs)
        {
            this.fsyncIntervalNs = fsyncIntervalNs;
            return this;
        }

        public int segmentBytes()
        {
            return segmentBytes;
        }

        /**
         * @param segmentBytes size of each segment file, and so of the largest record; a multiple of
         *                     4 KiB, default 64 MiB.
         * @return this.
         */
        public Context segmentBytes(final int segmentBytes)
        {
            this.segmentBytes = segmentBytes;
            return this;
        }

        public long maxBytes()
        {
            return maxBytes;
        }

        /**
         * @param maxBytes bound on the bytes of all segments together; default 1 GiB.
         * @return this.
         */
        public Context maxBytes(final long maxBytes)
        {
            this.maxBytes = maxBytes;
            return this;
        }

        public long retainBytes()
        {
            return retainBytes;
        }

        /**
         * Reuse segments instead of growing past this many bytes, in memory mode: once the log holds
         * them, it writes on into its oldest segment, dropping that segment's events, as soon as every
         * consumer it {@link PartitionLog#track tracks} has acknowledged them and they are committed;
         * until then it grows, up to {@link #maxBytes}. Reusing memory the log has already written costs
         * no new pages, which on a busy host cost as much as the copy itself. A consumer that subscribes
         * later starts at the oldest event kept. Default 0: never reuse, keep every event.
         *
         * @param retainBytes 0, or from two segments to {@link #maxBytes}.
         * @return this.
         */
        public Context retainBytes(final long retainBytes)
        {
            this.retainBytes = retainBytes;
            return this;
        }

        public Executor segmentPreparer()
        {
            return segmentPreparer;
        }

        /**
         * @param segmentPreparer runs the creation of the next segment ahead of need, off the log's
         *                        thread; null (the default) creates each segment when it is needed.
         * @return this.
         */
        public Context segmentPreparer(final Executor segmentPreparer)
        {
            this.segmentPreparer = segmentPreparer;
            return this;
        }

        public Consumer<Region> segmentListener()
        {
            return segmentListener;
        }

        /**
         * @param segmentListener told of each new segment, before the log writes to it and on the thread
         *                        that creates it: the preparer's when there is one (so a slow listener,
         *                        such as registering the segment with RDMA, stays off the log's thread),
         *                        else the log's. A listener that throws refuses the segment: its file is
         *                        deleted and the append that needed it fails with that exception.
         *                        Default does nothing.
         * @return this.
         */
        public Context segmentListener(final Consumer<Region> segmentListener)
        {
            this.segmentListener = segmentListener;
            return this;
        }
    }
}
