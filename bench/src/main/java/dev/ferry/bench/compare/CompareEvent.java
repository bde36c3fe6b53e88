package dev.ferry.bench.compare;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The layout of every event of the comparison: the same bytes whatever carries them.
 * <pre>
 *   0          8           16                                  size - 8      size
 *   +----------+-----------+------------- ... ------------------+----------+
 *   | seq (8)  | sentNs (8)|  not written per event             | seq (8)  |
 *   +----------+-----------+------------- ... ------------------+----------+
 *   |&lt;-------- header, in the first 64 bytes: Ferry's metadata --&gt;|
 * </pre>
 * The producer writes the header and the tail per event; the bytes between are written once, when a
 * channel is opened (the application's work, not the transport's). The consumer checks that the tail
 * repeats the header's sequence, so an event whose first and last bytes came from different events is
 * caught. Ferry carries the first {@value #METADATA_BYTES} bytes as the event's metadata and the rest
 * as its data: a {@value #MIN_SIZE}-byte event is metadata only, and its tail lies in the metadata.
 * <p>
 * Stamps are in the platform's byte order: both ends run in one JVM.
 */
public final class CompareEvent
{
    /**
     * Smallest event: room for the header and a tail that does not overlap it, and Ferry's metadata.
     */
    public static final int MIN_SIZE = 64;

    /**
     * The bytes of an event that Ferry carries as metadata; the rest is its data.
     */
    public static final int METADATA_BYTES = 64;

    /**
     * Offset of the sequence number in the header.
     */
    public static final int SEQUENCE_OFFSET = 0;

    /**
     * Offset of the send time in the header.
     */
    public static final int SENT_NS_OFFSET = 8;

    /**
     * Bytes of the header.
     */
    public static final int HEADER_BYTES = 16;

    private CompareEvent()
    {
    }

    /**
     * @param buffer holding the event.
     * @param offset of the event's first byte.
     * @param seq    the event's sequence number.
     * @param sentNs the time it is meant to be sent.
     */
    public static void stampHeader(final MutableDirectBuffer buffer, final int offset, final long seq, final long sentNs)
    {
        buffer.putLong(offset + SEQUENCE_OFFSET, seq);
        buffer.putLong(offset + SENT_NS_OFFSET, sentNs);
    }

    /**
     * @param buffer holding the end of the event.
     * @param end    offset just past the event's last byte.
     * @param seq    the event's sequence number.
     */
    public static void stampTail(final MutableDirectBuffer buffer, final int end, final long seq)
    {
        buffer.putLong(end - Long.BYTES, seq);
    }

    /**
     * Stamp a whole event held in one buffer.
     *
     * @param buffer holding the event.
     * @param offset of the event's first byte.
     * @param size   of the event.
     * @param seq    the event's sequence number.
     * @param sentNs the time it is meant to be sent.
     */
    public static void stamp(
        final MutableDirectBuffer buffer, final int offset, final int size, final long seq, final long sentNs)
    {
        stampHeader(buffer, offset, seq, sentNs);
        stampTail(buffer, offset + size, seq);
    }

    /**
     * Check a whole event held in one buffer and hand it to the sink.
     *
     * @param who    the contender, for the error.
     * @param buffer holding the event.
     * @param offset of the event's first byte.
     * @param length of what arrived.
     * @param size   every event on the channel has.
     * @param sink   to hand the event to.
     * @throws IllegalStateException if the length is wrong or the tail is not the header's event.
     */
    public static void deliver(
        final String who,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final int size,
        final EventSink sink)
    {
        checkLength(who, length, size);
        final long seq = buffer.getLong(offset + SEQUENCE_OFFSET);
        checkTail(who, buffer, offset + length, seq);
        sink.onEvent(seq, buffer.getLong(offset + SENT_NS_OFFSET));
    }

    /**
     * @param who    the contender, for the error.
     * @param length of what arrived.
     * @param size   every event on the channel has.
     * @throws IllegalStateException if they differ.
     */
    public static void checkLength(final String who, final long length, final int size)
    {
        if (length != size)
        {
            throw new IllegalStateException(who + " delivered an event of " + length + " bytes where every event has " + size);
        }
    }

    /**
     * @param who    the contender, for the error.
     * @param buffer holding the end of the event.
     * @param end    offset just past the event's last byte.
     * @param seq    the sequence number read from the event's header.
     * @throws IllegalStateException if the tail names another event.
     */
    public static void checkTail(final String who, final DirectBuffer buffer, final int end, final long seq)
    {
        final long tail = buffer.getLong(end - Long.BYTES);
        if (tail != seq)
        {
            throw new IllegalStateException(
                who + " delivered event " + seq + " whose last 8 bytes belong to event " + tail +
                ": bytes went to the wrong event");
        }
    }
}
