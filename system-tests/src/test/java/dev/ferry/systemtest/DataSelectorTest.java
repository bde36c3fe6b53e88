package dev.ferry.systemtest;

import dev.ferry.bulk.BulkTransportException;
import dev.ferry.client.Consumer;
import dev.ferry.client.ConsumerOptions;
import dev.ferry.client.DataSelection;
import dev.ferry.client.DataSelector;
import dev.ferry.client.Ferry;
import dev.ferry.client.Producer;
import dev.ferry.client.Topic;
import dev.ferry.event.DataView;
import dev.ferry.event.Event;
import dev.ferry.event.Metadata;
import dev.ferry.server.FerryServer;
import dev.ferry.test.ShmTempDirFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static dev.ferry.systemtest.EventPathInProcessTest.freeEndpoint;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Consumers that fetch only part of each event's data, over a real server, real Aeron and real shared
 * memory: each gets exactly the bytes its {@link DataSelector} chose, in its order, and the bulk
 * transport's own counter shows that only those crossed.
 */
@Timeout(120)
class DataSelectorTest
{
    private static final int EVENTS = 6;
    private static final int SIZE = 64 * 1024;

    @TempDir(factory = ShmTempDirFactory.class)
    Path root;

    private FerryServer server;
    private Ferry ferry;
    private Topic topic;

    @BeforeEach
    void produce() throws Exception
    {
        server = FerryServer.launch(new FerryServer.Context().endpoint(freeEndpoint("127.0.0.1")).shmRoot(root).transport("shm"));
        ferry = Ferry.connect(new Ferry.Context().server(server.address()).shmRoot(root).name("selecting").transport("shm")
            .poolMaxBytes(32L << 20).poolSlabBytes(4 << 20));
        topic = ferry.createTopic("arrays", 1);
        try (Producer producer = topic.producer())
        {
            final ByteBuffer data = ByteBuffer.allocateDirect(SIZE);
            for (int seq = 0; seq < EVENTS; seq++)
            {
                for (int i = 0; i < SIZE; i++)
                {
                    data.put(i, expected(seq, i));
                }
                producer.push(Metadata.of("{\"seq\":" + seq + ",\"roi\":" + (1000 * seq) + "}"), DataView.of(data))
                    .get(30, TimeUnit.SECONDS);
            }
        }
    }

    @AfterEach
    void close()
    {
        ferry.close();
        server.close();
    }

    @Test
    void aRangeAStridedViewAndAListOfRangesMoveOnlyTheirBytes() throws Exception
    {
        assertConsumed("range", (metadata, length) -> DataSelection.range(1000, 3000), false, new long[]{ 1000, 3000 });

        final long[] column = new long[2 * 64];
        for (int row = 0; row < 64; row++)
        {
            column[2 * row] = 8 + row * 1024L;
            column[2 * row + 1] = 16;
        }
        assertConsumed("column", (metadata, length) -> DataSelection.strided(8, 16, 1024, 64), false, column);

        assertConsumed("unordered", (metadata, length) -> DataSelection.ranges(60_000, 100, 0, 50), false,
            new long[]{ 60_000, 100, 0, 50 });

        assertConsumed("in-place", (metadata, length) -> DataSelection.strided(8, 16, 1024, 64), true, column);
    }

    @Test
    void theSelectorSeesEachEventsMetadataAndLengthAndMaySelectNothing() throws Exception
    {
        final long before = ferry.bytesPulled();
        try (Consumer consumer = topic.consumer(new ConsumerOptions("roi").dataSelector((metadata, length) ->
        {
            assertEquals(SIZE, length);
            final String text = metadata.asString();
            final int roi = Integer.parseInt(text.substring(text.indexOf("\"roi\":") + 6, text.indexOf('}')));
            return 0 == roi ? DataSelection.NONE : DataSelection.range(roi, 10);
        })))
        {
            for (int seq = 0; seq < EVENTS; seq++)
            {
                final Event event = consumer.pull().get(30, TimeUnit.SECONDS);
                assertEquals(0 == seq ? 0 : 10, event.data().length(), event::toString);
                for (int i = 0; i < event.data().length(); i++)
                {
                    assertEquals(expected(seq, 1000 * seq + i), event.data().getByte(i));
                }
                event.acknowledge();
            }
        }
        assertEquals(10L * (EVENTS - 1), ferry.bytesPulled() - before);
    }

    @Test
    void aSelectionBeyondTheDataOrASelectorThatThrowsFailsThatEventNamingWhy()
    {
        assertFailsWith((metadata, length) -> DataSelection.range(SIZE - 10, 11),
            "range 0 of the selection, [65526, 65537), ends past the event's 65536 bytes of data");
        assertFailsWith((metadata, length) ->
        {
            throw new IllegalStateException("no region of interest");
        }, "it threw java.lang.IllegalStateException: no region of interest");

        final IllegalArgumentException overlap =
            assertThrows(IllegalArgumentException.class, () -> DataSelection.ranges(0, 10, 5, 10));
        assertTrue(overlap.getMessage().contains("overlap: [0, 10) and [5, 15)"), overlap.getMessage());
    }

    private void assertConsumed(
        final String name, final DataSelector selector, final boolean inPlace, final long[] expectedRanges)
        throws Exception
    {
        long selected = 0;
        for (int r = 1; r < expectedRanges.length; r += 2)
        {
            selected += expectedRanges[r];
        }
        final long before = ferry.bytesPulled();
        try (Consumer consumer = topic.consumer(new ConsumerOptions(name).dataSelector(selector).readInPlace(inPlace)))
        {
            for (int seq = 0; seq < EVENTS; seq++)
            {
                final Event event = consumer.pull().get(30, TimeUnit.SECONDS);
                final DataView data = event.data();
                assertEquals(selected, data.length(), name);
                long at = 0;
                for (int r = 0; r < expectedRanges.length; r += 2)
                {
                    for (long i = 0; i < expectedRanges[r + 1]; i++)
                    {
                        assertEquals(expected(seq, (int)(expectedRanges[r] + i)), data.getByte(at++),
                            name + ": byte " + (expectedRanges[r] + i) + " of event " + seq);
                    }
                }
                event.acknowledge();
            }
        }
        assertEquals(inPlace ? 0 : EVENTS * selected, ferry.bytesPulled() - before,
            name + ": bytes the shared-memory transport moved");
    }

    private void assertFailsWith(final DataSelector selector, final String why)
    {
        try (Consumer consumer = topic.consumer(new ConsumerOptions("failing-" + why.length()).dataSelector(selector)))
        {
            final ExecutionException failed =
                assertThrows(ExecutionException.class, () -> consumer.pull().get(30, TimeUnit.SECONDS));
            assertInstanceOf(BulkTransportException.class, failed.getCause());
            assertTrue(failed.getCause().getMessage().contains(
                "the data selector of consumer 'failing-" + why.length() + "' failed on event 0 of partition 0: " + why),
                failed.getCause().getMessage());
        }
    }

    private static byte expected(final int seq, final int index)
    {
        return (byte)(index * 7 + seq * 13 + (index >> 8));
    }
}
