package dev.ferry.bench;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * How the event-path benchmarks mark each event with its sequence number (0, 1, 2, … in push order),
 * so that the consumer can tell that every event arrived once, in order, with its own data: the
 * sequence number goes into the first 8 bytes of the metadata and, when the data has room for two,
 * into the first and the last 8 bytes of the data. The bytes between are not written per event.
 * <pre>
 *   metadata (METADATA_BYTES = 64)           data (0, or 16 bytes and more)
 *   +----------+--------------------+        +----------+----- ... -----+----------+
 *   | seq (8)  | not written (56)   |        | seq (8)  |  not written  | seq (8)  |
 *   +----------+--------------------+        +----------+----- ... -----+----------+
 *   0          8                    64       0          8        length - 8      length
 * </pre>
 * The raw Aeron baseline sends the metadata and the data as one message, the data at offset 64.
 * Stamps are written and read in the platform's byte order; both ends run in one JVM.
 */
final class EventStamp
{
    /**
     * Metadata of every event, in bytes; an event of data size 0 is metadata only.
     */
    static final int METADATA_BYTES = 64;

    private EventStamp()
    {
    }

    /**
     * @param metadata buffer whose first 8 bytes take the stamp.
     * @param offset   of the metadata in the buffer.
     * @param seq      the event's sequence number.
     */
    static void stampMetadata(final MutableDirectBuffer metadata, final int offset, final long seq)
    {
        metadata.putLong(offset, seq);
    }

    /**
     * @param data   buffer holding the event's data.
     * @param offset of the data in the buffer.
     * @param length of the data; fewer than 16 bytes are not stamped.
     * @param seq    the event's sequence number.
     */
    static void stampData(final MutableDirectBuffer data, final int offset, final int length, final long seq)
    {
        if (length >= 2 * Long.BYTES)
        {
            data.putLong(offset, seq);
            data.putLong(offset + length - Long.BYTES, seq);
        }
    }

    /**
     * Check that an event carries the stamps of the sequence number expected next.
     *
     * @param what           the path the event came through, for the error.
     * @param seq            the sequence number expected.
     * @param metadata       buffer holding the metadata.
     * @param metadataOffset of the metadata.
     * @param metadataLength of the metadata.
     * @param data           buffer holding the data; not read when {@code dataLength} is under 16.
     * @param dataOffset     of the data.
     * @param dataLength     of the data.
     * @param expectedLength the data length every event has.
     * @throws IllegalStateException naming the event and the stamp that differs.
     */
    static void check(
        final String what,
        final long seq,
        final DirectBuffer metadata,
        final int metadataOffset,
        final int metadataLength,
        final DirectBuffer data,
        final int dataOffset,
        final int dataLength,
        final int expectedLength)
    {
        if (METADATA_BYTES != metadataLength || expectedLength != dataLength)
        {
            throw new IllegalStateException(
                what + " delivered an event with " + metadataLength + " bytes of metadata and " + dataLength +
                " of data where event " + seq + " has " + METADATA_BYTES + " and " + expectedLength);
        }
        final long metadataSeq = metadata.getLong(metadataOffset);
        if (seq != metadataSeq)
        {
            throw new IllegalStateException(
                what + " delivered event " + metadataSeq + " where event " + seq + " was next: events were lost, " +
                "repeated or reordered");
        }
        if (dataLength >= 2 * Long.BYTES)
        {
            final long first = data.getLong(dataOffset);
            final long last = data.getLong(dataOffset + dataLength - Long.BYTES);
            if (seq != first || seq != last)
            {
                throw new IllegalStateException(
                    what + " delivered event " + seq + " with the data of events " + first + " (first 8 bytes) and " +
                    last + " (last 8 bytes): data went to the wrong event");
            }
        }
    }
}
