package dev.ferry.transport.aeron;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class RepeatedErrorsTest
{
    private static final long SECOND_NS = 1_000_000_000L;

    @Test
    void aRepeatedMessageIsLoggedOncePerIntervalWithTheCountHeldBack()
    {
        final RepeatedErrors errors = new RepeatedErrors(5 * SECOND_NS);
        final String unreachable = "failed to send datagram to /10.0.0.1:7420: Network is unreachable";

        assertEquals(unreachable, errors.admit(unreachable, 0));
        for (int i = 1; i <= 999; i++)
        {
            assertNull(errors.admit(unreachable, i * 1_000_000L), "held back within the interval");
        }
        assertEquals("another error", errors.admit("another error", SECOND_NS), "other messages pass");
        assertEquals(unreachable + " (and 999 more like it in the last 5 s, not logged)",
            errors.admit(unreachable, 5 * SECOND_NS));
        assertNull(errors.admit(unreachable, 6 * SECOND_NS));
        assertEquals(unreachable + " (and 1 more like it in the last 5 s, not logged)",
            errors.admit(unreachable, 11 * SECOND_NS));
        assertEquals(unreachable, errors.admit(unreachable, 20 * SECOND_NS), "nothing held back: no count");
    }

    @Test
    void endlesslyDifferentMessagesNeverGrowItBeyondItsBound()
    {
        final RepeatedErrors errors = new RepeatedErrors(5 * SECOND_NS);
        for (int i = 0; i < 10 * RepeatedErrors.MAX_MESSAGES; i++)
        {
            assertEquals("error " + i, errors.admit("error " + i, i));
        }
        assertEquals("error 0", errors.admit("error 0", 0), "forgotten when the bound was passed, so let through");
    }
}
