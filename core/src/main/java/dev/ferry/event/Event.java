package dev.ferry.event;

import java.util.Objects;

/**
 * One event as a consumer sees it: metadata, data, the partition it was stored in and the ID the
 * partition gave it.
 * <p>
 * <b>Ownership.</b> An event holds views: its metadata and data stay valid until the event is
 * acknowledged (the memory may be reused after). Copy what must outlive that.
 * <p>
 * Event IDs are per partition, 0, 1, 2, ... in the order the partition stored them, never reused.
 */
public final class Event
{
    /**
     * The reserved event ID that means there are no more events, and which no event carries.
     */
    public static final long NO_MORE_EVENTS = -1;

    private final Metadata metadata;
    private final DataView data;
    private final int partition;
    private final long eventId;
    private final Acknowledger acknowledger;

    /**
     * Marks events consumed; given by the consumer that delivered them.
     */
    @FunctionalInterface
    public interface Acknowledger
    {
        /**
         * @param event every event of its partition up to and including this one is consumed.
         */
        void acknowledge(Event event);
    }

    /**
     * @param metadata  of the event.
     * @param data      of the event; {@link DataView#EMPTY} for none.
     * @param partition that stored it, from 0.
     * @param eventId   the partition gave it, from 0.
     */
    public Event(final Metadata metadata, final DataView data, final int partition, final long eventId)
    {
        this(metadata, data, partition, eventId, null);
    }

    /**
     * @param metadata     of the event.
     * @param data         of the event; {@link DataView#EMPTY} for none.
     * @param partition    that stored it, from 0.
     * @param eventId      the partition gave it, from 0.
     * @param acknowledger of the consumer that delivered it, or null.
     */
    public Event(
        final Metadata metadata, final DataView data, final int partition, final long eventId, final Acknowledger acknowledger)
    {
        if (partition < 0)
        {
            throw new IllegalArgumentException("partition must not be negative, was " + partition);
        }
        if (eventId < 0)
        {
            throw new IllegalArgumentException("event ID must not be negative, was " + eventId);
        }
        this.metadata = Objects.requireNonNull(metadata, "metadata");
        this.data = Objects.requireNonNull(data, "data");
        this.partition = partition;
        this.eventId = eventId;
        this.acknowledger = acknowledger;
    }

    /**
     * Mark this event and every earlier event of its partition consumed: the server moves this
     * consumer's cursor past it (a consumer of the same name resumes after it), and the memory of
     * those events' data may be reused, so their views must no longer be read.
     *
     * @throws IllegalStateException if the event did not come from a consumer.
     */
    public void acknowledge()
    {
        if (null == acknowledger)
        {
            throw new IllegalStateException("event " + eventId + " did not come from a consumer; only those can be acknowledged");
        }
        acknowledger.acknowledge(this);
    }

    public Metadata metadata()
    {
        return metadata;
    }

    public DataView data()
    {
        return data;
    }

    public int partition()
    {
        return partition;
    }

    public long eventId()
    {
        return eventId;
    }

    public String toString()
    {
        return "Event{partition=" + partition + ", eventId=" + eventId + ", metadata=" + metadata +
            ", data=" + data.length() + " bytes}";
    }
}
