package dev.ferry.test;

import dev.ferry.bulk.BulkTransportException;
import dev.ferry.bulk.PullHandler;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Records each pull's outcome by correlation id, in order, and fails the test if a pull ends twice.
 */
public final class RecordingPullHandler implements PullHandler
{
    /**
     * Correlation id to "complete" or "failed: " and the cause's message.
     */
    public final Map<Long, String> outcomes = new LinkedHashMap<>();

    public void onPullComplete(final long correlationId)
    {
        assertNull(outcomes.put(correlationId, "complete"), "pull " + correlationId + " ended twice");
    }

    public void onPullFailed(final long correlationId, final BulkTransportException cause)
    {
        assertNull(outcomes.put(correlationId, "failed: " + cause.getMessage()), "pull " + correlationId + " ended twice");
    }
}
