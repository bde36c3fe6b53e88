package dev.ferry.log;

import org.agrona.BitUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * Layout of a record in a partition log segment. Every field is little-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                         Record Length                         |  0
 *  +---------------------------------------------------------------+
 *  |                        Metadata Length                        |  4
 *  +---------------------------------------------------------------+
 *  |                           Event ID                            |  8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                          Data Length                          | 16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 Timestamp (nanoseconds, epoch)                | 24
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                     Flags (bit 0: COMMITTED)                  | 32
 *  +---------------------------------------------------------------+
 *  |               Commit Run (first record of a commit)           | 36
 *  +---------------------------------------------------------------+
 *  |                     Client ID (producer's)                    | 40
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                          Producer ID                          | 48
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                    Batch Sequence (-1: none)                  | 56
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                           Metadata                           ...  64
 * ...                                                              |
 *  +---------------------------------------------------------------+
 *  |                 Zeros up to a multiple of 64                 ...
 *  +---------------------------------------------------------------+
 *  |                             Data                             ...  align(64 + Metadata Length, 64)
 * ...                                                              |
 *  +---------------------------------------------------------------+
 *  |                 Zeros up to a multiple of 64                 ...
 *  +---------------------------------------------------------------+
 * </pre>
 * Records start at offset 0 of a segment and follow each other with no gap: the next starts at this
 * one's offset plus its <b>Record Length</b>, which counts header, metadata, data and padding and so
 * is a multiple of {@link #ALIGNMENT}. Data starts 64-byte aligned within the segment (segments are
 * page-aligned), which suits RDMA and vector copies.
 * <p>
 * A <b>padding record</b> (Event ID {@link #PADDING_EVENT_ID}, no metadata, no data) closes a segment
 * whose remaining space a record did not fit; it runs to the segment's end. A Record Length of 0
 * means no record was written there yet: segments are created zero-filled.
 * <p>
 * The Record Length is written last when a record is appended, with release ordering, so that a
 * scan never takes a record whose header or metadata is still being written for a complete one.
 * <b>Flags</b> are 0 when appended; bit 0, {@link #COMMITTED_FLAG}, is set with release ordering
 * when the log commits the event, after its data is in place. A padding record is never marked.
 * <b>Commit Run</b> is, in the first record of each commit, how many records that commit marks (itself
 * included), written before any of them is marked; 0 in every other record. A commit's records are
 * marked last to first, so a crash of the process while marking leaves the first unmarked; and a
 * power loss that kept only some marks is seen by a run whose records are not all marked. Either
 * way recovery cuts the whole commit, so a producer's batch is recovered whole or not at all.
 * <p>
 * <b>Client ID, Producer ID and Batch Sequence</b> name the producer batch the event came in, as
 * given to {@link PartitionLog#batch(long, long, long)}; a negative Batch Sequence means the event
 * belongs to no batch. Consecutive committed events with the same three values form one batch.
 * <p>
 * An index can be rebuilt from the segments alone: walk each segment from offset 0 by Record Length,
 * skipping padding records, taking each record marked committed whose Event ID is the next one,
 * until a Record Length of 0 or a record that is not so; then drop the last commit run if it is
 * incomplete.
 */
public final class LogRecordDescriptor
{
    /**
     * Records, and the data within them, start at multiples of this many bytes.
     */
    public static final int ALIGNMENT = 64;

    /**
     * Offset of the record's length, header and padding included (int).
     */
    public static final int RECORD_LENGTH_OFFSET = 0;

    /**
     * Offset of the metadata's length in bytes (int).
     */
    public static final int METADATA_LENGTH_OFFSET = 4;

    /**
     * Offset of the event id (long); {@link #PADDING_EVENT_ID} for a padding record.
     */
    public static final int EVENT_ID_OFFSET = 8;

    /**
     * Offset of the data's length in bytes (long).
     */
    public static final int DATA_LENGTH_OFFSET = 16;

    /**
     * Offset of the event's timestamp, nanoseconds since the epoch (long).
     */
    public static final int TIMESTAMP_OFFSET = 24;

    /**
     * Offset of the record's flags (int): {@link #COMMITTED_FLAG}.
     */
    public static final int FLAGS_OFFSET = 32;

    /**
     * Offset of the commit run (int): in the first record of a commit, the records it marks; else 0.
     */
    public static final int COMMIT_RUN_OFFSET = 36;

    /**
     * Offset of the id of the client whose producer sent the event (long).
     */
    public static final int CLIENT_ID_OFFSET = 40;

    /**
     * Offset of the id of the producer, within its client, that sent the event (long).
     */
    public static final int PRODUCER_ID_OFFSET = 48;

    /**
     * Offset of the sequence number of the producer's batch the event came in (long); negative for none.
     */
    public static final int BATCH_SEQ_OFFSET = 56;

    /**
     * Length of the header, and offset of the first metadata byte.
     */
    public static final int HEADER_LENGTH = 64;

    /**
     * Flag set once the event is committed: only a record marked so is recovered from its segment.
     */
    public static final int COMMITTED_FLAG = 1;

    /**
     * Event id of a padding record.
     */
    public static final long PADDING_EVENT_ID = -1;

    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final boolean NATIVE_IS_ORDER = ByteOrder.nativeOrder() == ORDER;

    private LogRecordDescriptor()
    {
    }

    /**
     * @param metadataLength of the record's metadata.
     * @return the offset of the record's data from the record's start. For metadata that fits a
     * segment; larger lengths are refused by {@link #recordLength(int, long)} first.
     */
    public static int dataOffset(final int metadataLength)
    {
        return (int)BitUtil.align((long)HEADER_LENGTH + metadataLength, ALIGNMENT);
    }

    /**
     * @param metadataLength of the record's metadata.
     * @param dataLength     of the record's data.
     * @return the record's length with header and padding: what it takes of a segment. Computed in
     * long, so no length overflows it.
     */
    public static long recordLength(final int metadataLength, final long dataLength)
    {
        return BitUtil.align((long)dataOffset(metadataLength) + dataLength, ALIGNMENT);
    }

    /**
     * Write a record's header, all but its length, with flags 0; the caller then writes metadata and,
     * last, {@link #recordLengthRelease}.
     *
     * @param buffer         over the segment.
     * @param recordOffset   of the record in the segment.
     * @param metadataLength in bytes.
     * @param eventId        of the event, or {@link #PADDING_EVENT_ID}.
     * @param dataLength     in bytes.
     * @param timestampNanos since the epoch.
     * @param clientId       of the batch's producer.
     * @param producerId     of the batch's producer.
     * @param batchSeq       of the batch; negative for none.
     */
    static void putHeader(
        final UnsafeBuffer buffer,
        final int recordOffset,
        final int metadataLength,
        final long eventId,
        final long dataLength,
        final long timestampNanos,
        final long clientId,
        final long producerId,
        final long batchSeq)
    {
        buffer.putInt(recordOffset + METADATA_LENGTH_OFFSET, metadataLength, ORDER);
        buffer.putLong(recordOffset + EVENT_ID_OFFSET, eventId, ORDER);
        buffer.putLong(recordOffset + DATA_LENGTH_OFFSET, dataLength, ORDER);
        buffer.putLong(recordOffset + TIMESTAMP_OFFSET, timestampNanos, ORDER);
        buffer.putLong(recordOffset + FLAGS_OFFSET, 0L, ORDER); // flags and the reserved int
        buffer.putLong(recordOffset + CLIENT_ID_OFFSET, clientId, ORDER);
        buffer.putLong(recordOffset + PRODUCER_ID_OFFSET, producerId, ORDER);
        buffer.putLong(recordOffset + BATCH_SEQ_OFFSET, batchSeq, ORDER);
    }

    /**
     * Write a record's length with release ordering, after the rest of the record, publishing it.
     *
     * @param buffer       over the segment.
     * @param recordOffset of the record in the segment.
     * @param recordLength of the record, header and padding included.
     */
    static void recordLengthRelease(final UnsafeBuffer buffer, final int recordOffset, final int recordLength)
    {
        buffer.putIntRelease(recordOffset + RECORD_LENGTH_OFFSET, toOrder(recordLength));
    }

    /**
     * Mark a record committed with release ordering, after its data is in place.
     *
     * @param buffer       over the segment.
     * @param recordOffset of the record in the segment.
     */
    static void committedRelease(final UnsafeBuffer buffer, final int recordOffset)
    {
        buffer.putIntRelease(recordOffset + FLAGS_OFFSET, toOrder(COMMITTED_FLAG));
    }

    /**
     * @param buffer       over the segment.
     * @param recordOffset of the first record of a commit.
     * @param records      the commit marks, this one included.
     */
    static void commitRun(final UnsafeBuffer buffer, final int recordOffset, final int records)
    {
        buffer.putInt(recordOffset + COMMIT_RUN_OFFSET, records, ORDER);
    }

    /**
     * @param buffer       over the segment.
     * @param recordOffset of a record.
     * @return the records of the commit it starts, or 0 if it starts none.
     */
    static int commitRun(final UnsafeBuffer buffer, final int recordOffset)
    {
        return buffer.getInt(recordOffset + COMMIT_RUN_OFFSET, ORDER);
    }

    /**
     * @param buffer       over the segment.
     * @param recordOffset of a record.
     * @return its length as written, header and padding included; 0 where no record was written.
     */
    static int storedRecordLength(final UnsafeBuffer buffer, final int recordOffset)
    {
        return buffer.getInt(recordOffset + RECORD_LENGTH_OFFSET, ORDER);
    }

    /**
     * @param buffer       over the segment.
     * @param recordOffset of a record.
     * @return its metadata length.
     */
    static int metadataLength(final UnsafeBuffer buffer, final int recordOffset)
    {
        return buffer.getInt(recordOffset + METADATA_LENGTH_OFFSET, ORDER);
    }

    /**
     * @param buffer       over the segment.
     * @param recordOffset of a record.
     * @return its event id, or {@link #PADDING_EVENT_ID}.
     */
    static long eventId(final UnsafeBuffer buffer, final int recordOffset)
    {
        return buffer.getLong(recordOffset + EVENT_ID_OFFSET, ORDER);
    }

    /**
     * @param buffer       over the segment.
     * @param recordOffset of a record.
     * @return its data length.
     */
    static long dataLength(final UnsafeBuffer buffer, final int recordOffset)
    {
        return buffer.getLong(recordOffset + DATA_LENGTH_OFFSET, ORDER);
    }

    /**
     * @param buffer       over the segment.
     * @param recordOffset of a record.
     * @return its timestamp, nanoseconds since the epoch.
     */
    static long timestampNanos(final UnsafeBuffer buffer, final int recordOffset)
    {
        return buffer.getLong(recordOffset + TIMESTAMP_OFFSET, ORDER);
    }

    /**
     * @param buffer       over the segment.
     * @param recordOffset of a record.
     * @return its flags.
     */
    static int flags(final UnsafeBuffer buffer, final int recordOffset)
    {
        return buffer.getInt(recordOffset + FLAGS_OFFSET, ORDER);
    }

    /**
     * @param buffer       over the segment.
     * @param recordOffset of a record.
     * @return the client id of its batch.
     */
    static long clientId(final UnsafeBuffer buffer, final int recordOffset)
    {
        return buffer.getLong(recordOffset + CLIENT_ID_OFFSET, ORDER);
    }

    /**
     * @param buffer       over the segment.
     * @param recordOffset of a record.
     * @return the producer id of its batch.
     */
    static long producerId(final UnsafeBuffer buffer, final int recordOffset)
    {
        return buffer.getLong(recordOffset + PRODUCER_ID_OFFSET, ORDER);
    }

    /**
     * @param buffer       over the segment.
     * @param recordOffset of a record.
     * @return the sequence of its batch; negative for none.
     */
    static long batchSeq(final UnsafeBuffer buffer, final int recordOffset)
    {
        return buffer.getLong(recordOffset + BATCH_SEQ_OFFSET, ORDER);
    }

    private static int toOrder(final int value)
    {
        return NATIVE_IS_ORDER ? value : Integer.reverseBytes(value);
    }
}
