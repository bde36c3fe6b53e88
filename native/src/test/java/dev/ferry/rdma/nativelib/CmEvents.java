package dev.ferry.rdma.nativelib;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import com.ibm.disni.verbs.RdmaCmEvent;
import com.ibm.disni.verbs.RdmaEventChannel;

/**
 * Waits for connection-manager events with a deadline, in short {@code getCmEvent} slices, as
 * Ferry must (DiSNI's endpoint layer can wait forever on an error event).
 */
final class CmEvents
{
    /** Generous: soft-RoCE under emulation is slow; only a hang should ever reach it. */
    static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(120);
    private static final int SLICE_MS = 100;

    private CmEvents()
    {
    }

    /**
     * Waits for the next event on a channel and checks its type.
     *
     * @param channel  to read.
     * @param expected the event type that must come next.
     * @return the event, acknowledged.
     * @throws IOException if reading the channel fails.
     */
    static RdmaCmEvent await(final RdmaEventChannel channel, final RdmaCmEvent.EventType expected) throws IOException
    {
        return awaitAny(channel, Set.of(expected));
    }

    /**
     * Waits for the next event on a channel, which must be one of the given types.
     *
     * @param channel  to read.
     * @param expected the event types accepted.
     * @return the event, acknowledged.
     * @throws IOException if reading the channel fails.
     */
    static RdmaCmEvent awaitAny(final RdmaEventChannel channel, final Set<RdmaCmEvent.EventType> expected)
        throws IOException
    {
        final long deadline = System.nanoTime() + DEADLINE_NS;
        while (deadline - System.nanoTime() > 0)
        {
            final RdmaCmEvent event = channel.getCmEvent(SLICE_MS);
            if (null != event)
            {
                event.ackEvent();
                final RdmaCmEvent.EventType type = RdmaCmEvent.EventType.values()[event.getEvent()];
                if (!expected.contains(type))
                {
                    fail("expected a connection-manager event in " + expected + ", got " + type);
                }
                return event;
            }
        }
        return fail("no connection-manager event in " + expected + " within " +
            TimeUnit.NANOSECONDS.toSeconds(DEADLINE_NS) + " s");
    }
}
