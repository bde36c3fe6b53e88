package dev.ferry.client;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataSelectionTest
{
    @Test
    void aStridedViewIsItsBlocksInOrder()
    {
        final DataSelection column = DataSelection.strided(4, 8, 100, 3);
        assertEquals("[4+8, 104+8, 204+8] (24 bytes)", column.toString());
        assertEquals(3, column.count());
        assertEquals(204, column.offset(2));
        assertEquals(24, column.totalLength());
        assertNull(column.outside(212));
        assertEquals("range 2 of the selection, [204, 212), ends past the event's 211 bytes of data", column.outside(211));
    }

    @Test
    void rangesKeepTheirOrderAndMayNotOverlapInAnyOrder()
    {
        final DataSelection ranges = DataSelection.ranges(50, 10, 0, 50, 60, 0);
        assertEquals("[50+10, 0+50, 60+0] (60 bytes)", ranges.toString());
        assertEquals(0, DataSelection.NONE.totalLength());
        assertEquals(DataSelection.all(7).toString(), DataSelection.range(0, 7).toString());

        assertRefused(() -> DataSelection.ranges(50, 10, 0, 51), "ranges 1 and 0 of a data selection overlap: [0, 51) and [50, 60)");
        assertRefused(() -> DataSelection.ranges(0, 10, 9, 1), "ranges 0 and 1 of a data selection overlap");
        assertRefused(() -> DataSelection.ranges(1, 2, 3), "3 numbers are not pairs");
        assertRefused(() -> DataSelection.range(-1, 2), "neither may be negative");
        assertRefused(() -> DataSelection.strided(0, 8, 4, 2), "stride >= block length");
    }

    private static void assertRefused(final Runnable selection, final String expected)
    {
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, selection::run);
        assertTrue(refused.getMessage().contains(expected), refused.getMessage());
    }
}
