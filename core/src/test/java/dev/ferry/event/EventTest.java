package dev.ferry.event;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class EventTest
{
    @Test
    void holdsWhatItWasGiven()
    {
        final Metadata metadata = Metadata.of("{\"frame\":7}");
        final DataView data = DataView.of(ByteBuffer.allocateDirect(64));

        final Event event = new Event(metadata, data, 3, 1234);

        assertSame(metadata, event.metadata());
        assertSame(data, event.data());
        assertEquals(3, event.partition());
        assertEquals(1234, event.eventId());
        assertEquals("Event{partition=3, eventId=1234, metadata={\"frame\":7}, data=64 bytes}", event.toString());
    }

    @Test
    void acceptsTheFirstPartitionAndEventIdAndNoData()
    {
        final Event event = new Event(Metadata.EMPTY, DataView.EMPTY, 0, 0);

        assertEquals(0, event.partition());
        assertEquals(0, event.eventId());
        assertEquals(0, event.data().length());
    }

    @Test
    void refusesNegativePartitionOrEventIdAndMissingParts()
    {
        assertEquals(
            "partition must not be negative, was -1",
            assertThrows(IllegalArgumentException.class, () -> new Event(Metadata.EMPTY, DataView.EMPTY, -1, 0))
                .getMessage());
        assertEquals(
            "event ID must not be negative, was -1",
            assertThrows(
                IllegalArgumentException.class,
                () -> new Event(Metadata.EMPTY, DataView.EMPTY, 0, Event.NO_MORE_EVENTS)).getMessage());
        assertEquals(
            "metadata",
            assertThrows(NullPointerException.class, () -> new Event(null, DataView.EMPTY, 0, 0)).getMessage());
        assertEquals(
            "data",
            assertThrows(NullPointerException.class, () -> new Event(Metadata.EMPTY, null, 0, 0)).getMessage());
    }
}
