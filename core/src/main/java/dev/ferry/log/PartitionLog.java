package dev.ferry.log;

import dev.ferry.FerryException;
import dev.ferry.buffer.Sizes;
import dev.ferry.bulk.Region;
import dev.ferry.event.DataView;
import org.agrona.DirectBuffer;
import org.agrona.collections.ArrayUtil;
import org.agrona.collections.LongArrayList;
import org.agrona.collections.Object2LongHashMap;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
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
 * a directory in Ferry's shared-memory root ({@code memory} mode), their ids 0, 1, 2, … never reused,
 * and the partition's named consumer cursors.
 * <p>
 * <b>Appending an event</b> takes three steps, so that its data can be pulled by a bulk transport
 * straight into the log:
 * <ol>
 *     <li>{@link #append} writes the record's header and metadata and assigns the event id;</li>
 *     <li>{@link #dataDestination(long)} gives the record's data area, for the pull to fill;</li>
 *     <li>{@link #commit(long)} makes the event, and every event before it, visible to
 *     {@link #read(long, LogEntry)}. Commit an id only once the data of it and of every earlier
 *     event is in place.</li>
 * </ol>
 * Records are laid out as {@link LogRecordDescriptor} draws. A record that does not fit in what is
 * left of the current segment closes it with a padding record and starts a new segment; the
 * {@link Context#segmentListener(Consumer) segment listener} is told of each new segment before the
 * log writes to it, so it can be registered with the bulk transports and announced to consumers
 * before any descriptor names it. Segments are created on first need, so a log that holds nothing
 * maps nothing.
 * <p>
 * <b>Threads.</b> A log is owned by one thread, the server's I/O agent, and is not thread-safe: it
 * takes no locks. Given a {@link Context#segmentPreparer(Executor) preparer}, it has the next
 * segment created there, ahead of need, listener included, and takes it over through a future when
 * it rolls. Peers read committed data through the mapped segments, named by the descriptors the
 * agent sends them.
 * <p>
 * <b>Cost.</b> {@link #append}, {@link #commit(long)}, {@link #read(long, LogEntry)} and
 * {@link #acknowledge(String, long)} of a known name allocate nothing, except when the index of
 * event positions grows (doubling, so rarely) and when a segment is created.
 * {@link #dataDestination(long)} allocates one {@link DataView}.
 * <p>
 * <b>Memory.</b> {@link #close()} deletes the segment files but does not unmap them: segments,
 * {@link LogEntry entries} and data views handed out keep their mapping reachable, and the garbage
 * collector unmaps each once nothing points into it, so no view ever reads unmapped memory. The
 * memory of a deleted file is returned to the system when that happens.
 */
public final class PartitionLog implements AutoCloseable
{
    private static final Logger LOGGER = LoggerFactory.getLogger(PartitionLog.class);
    private static final long PREPARE_TIMEOUT_SECONDS = 60;

    private final Path directory;
    private final boolean createdDirectory;
    private final int segmentBytes;
    private final long maxBytes;
    private final int maxSegments;
    private final Consumer<Region> segmentListener;
    private final Executor segmentPreparer;
    private Future<LogSegment> preparedSegment;
    private final ArrayList<LogSegment> segments = new ArrayList<>();
    private final List<Region> regions = Collections.unmodifiableList(segments);
    /**
     * Position of each event's record, indexed by event id: segment index {@code << 32 |} offset.
     */
    private final LongArrayList positions = new LongArrayList();
    private final Object2LongHashMap<String> cursors = new Object2LongHashMap<>(0L);

    private LogSegment current;
    private int tail;
    private long committedEnd;
    private boolean closed;

    /**
     * Create an empty log. Its directory is created owner-only if missing; no segment is mapped yet.
     *
     * @param context the log's settings; concluded here.
     * @throws FerryException if the directory cannot be created, is not a directory, or already
     *                        holds segment files.
     */
    public PartitionLog(final Context context)
    {
        context.conclude();
        this.directory = context.directory().toAbsolutePath().normalize();
        this.segmentBytes = context.segmentBytes();
        this.maxBytes = context.maxBytes();
        this.maxSegments = (int)Math.min(Integer.MAX_VALUE, maxBytes / segmentBytes);
        this.segmentListener = context.segmentListener();
        this.segmentPreparer = context.segmentPreparer();
        this.createdDirectory = prepareDirectory(directory);
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

        final int eventCount = positions.size();
        if (ArrayUtil.MAX_CAPACITY == eventCount)
        {
            throw new LogFullException(
                "partition log " + directory + " is full: it holds " + eventCount + " events, the most one log " +
                "indexes; spread events over more partitions");
        }

        if (null == current || recordLength > segmentBytes - tail)
        {
            roll();
        }

        final UnsafeBuffer buffer = current.buffer();
        final int recordOffset = tail;
        final long eventId = eventCount;
        LogRecordDescriptor.putHeader(buffer, recordOffset, length, eventId, dataLength, timestampNanos);
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
        if (eventId < 0 || eventId >= positions.size())
        {
            throw new IllegalArgumentException(
                "partition log " + directory + " has no event " + eventId + " to fill with data: the events " +
                "appended are 0 to " + (positions.size() - 1));
        }
        if (eventId < committedEnd)
        {
            throw new IllegalArgumentException(
                "event " + eventId + " of partition log " + directory + " is committed, so its data may be read " +
                "already and must not change; fill an event's data before committing it");
        }

        final long position = positions.getLong((int)eventId);
        final LogSegment segment = segments.get((int)(position >>> 32));
        final int recordOffset = (int)position;
        final UnsafeBuffer buffer = segment.buffer();
        final long dataLength = LogRecordDescriptor.dataLength(buffer, recordOffset);
        final int dataOffset = recordOffset + LogRecordDescriptor.dataOffset(
            LogRecordDescriptor.metadataLength(buffer, recordOffset));

        return DataView.of(segment.address() + dataOffset, (int)dataLength, segment.mapping());
    }

    /**
     * Make an event and every event before it visible to readers. Commits only move forward:
     * committing an event that is visible already does nothing.
     *
     * @param eventId of an appended event whose data, and that of every earlier event, is in place.
     * @throws IllegalArgumentException if the id is negative or no event of that id was appended.
     * @throws IllegalStateException    if the log is closed.
     */
    public void commit(final long eventId)
    {
        checkOpen();
        if (eventId < 0 || eventId >= positions.size())
        {
            throw new IllegalArgumentException(
                "cannot commit event " + eventId + " of partition log " + directory + ": the events appended are " +
                "0 to " + (positions.size() - 1) + "; append an event before committing it");
        }
        if (eventId >= committedEnd)
        {
            committedEnd = eventId + 1;
        }
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
        final int discarded = positions.size() - (int)committedEnd;
        if (0 == discarded)
        {
            return 0;
        }

        final long first = positions.getLong((int)committedEnd);
        final int firstSegment = (int)(first >>> 32);
        final int firstOffset = (int)first;
        for (int index = firstSegment; index < current.index(); index++)
        {
            final UnsafeBuffer buffer = segments.get(index).buffer();
            final int from = index == firstSegment ? firstOffset : 0;
            buffer.setMemory(from, segmentBytes - from, (byte)0);
            LogRecordDescriptor.putHeader(buffer, from, 0, LogRecordDescriptor.PADDING_EVENT_ID, 0, 0);
            LogRecordDescriptor.recordLengthRelease(buffer, from, segmentBytes - from);
        }

        final int from = firstSegment == current.index() ? firstOffset : 0;
        current.buffer().setMemory(from, tail - from, (byte)0);
        tail = from;
        while (positions.size() > committedEnd)
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
        return positions.size();
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

        final long position = positions.getLong((int)eventId);
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
        return cursors.getValue(consumerName);
    }

    /**
     * Record that a consumer is done with an event, and so with every event before it: its cursor
     * becomes the next event, unless it is further along already (cursors never move back).
     *
     * @param consumerName the name the consumer subscribes with.
     * @param eventId      of a committed event.
     * @throws IllegalArgumentException if the event is not committed, so the consumer cannot have read it.
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
        if (next > cursors.getValue(consumerName))
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
     * Delete the segment files, and the directory if this log created it; forget segments, index and
     * cursors. Mappings are left to the garbage collector (see the class's notes on memory), and
     * anything still reading a segment sees the same bytes as before. Idempotent.
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
                segments.add(prepared.get(PREPARE_TIMEOUT_SECONDS, TimeUnit.SECONDS)); // deleted with the rest below
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

        for (final LogSegment segment : segments)
        {
            deleteQuietly(segment);
        }
        segments.clear();
        current = null;
        positions.clear();
        cursors.clear();

        if (createdDirectory)
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
        return "PartitionLog{directory=" + directory + ", segments=" + segments.size() + ", nextEventId=" +
            positions.size() + ", committedEnd=" + committedEnd + (closed ? ", closed" : "") + "}";
    }

    private void roll()
    {
        final int index = segments.size();
        if (index == maxSegments)
        {
            throw new LogFullException(
                "partition log " + directory + " is full: its " + index + " segments of " +
                Sizes.format(segmentBytes) + " reach its bound of " + Sizes.format(maxBytes) + "; raise the " +
                "log's bound (maxBytes) or spread events over more partitions");
        }

        final LogSegment next = null == preparedSegment ? createSegment(index) : takePrepared();
        if (null != current && tail < segmentBytes)
        {
            final UnsafeBuffer buffer = current.buffer();
            LogRecordDescriptor.putHeader(buffer, tail, 0, LogRecordDescriptor.PADDING_EVENT_ID, 0, 0);
            LogRecordDescriptor.recordLengthRelease(buffer, tail, segmentBytes - tail);
        }

        segments.add(next);
        current = next;
        tail = 0;
        prepareNext();
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

    private void deleteQuietly(final LogSegment segment)
    {
        try
        {
            Files.deleteIfExists(segment.file());
        }
        catch (final IOException ex)
        {
            LOGGER.warn("could not delete {} of partition log {}: {}", segment, directory, ex.toString());
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

    private static boolean prepareDirectory(final Path directory)
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

            try (DirectoryStream<Path> old = Files.newDirectoryStream(directory, LogSegment.FILE_PREFIX + "*"))
            {
                if (old.iterator().hasNext())
                {
                    throw new FerryException(
                        "cannot open partition log " + directory + ": it already holds segment files of another " +
                        "log, and a memory-mode log starts empty; remove them or give the log another directory");
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

        private Path directory;
        private int segmentBytes = SEGMENT_BYTES_DEFAULT;
        private long maxBytes = MAX_BYTES_DEFAULT;
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
         * @param directory for the segment files, created owner-only if missing; for peers to map them,
         *                  under Ferry's shared-memory root (the server uses one inside its owned directory).
         * @return this.
         */
        public Context directory(final Path directory)
        {
            this.directory = directory;
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
