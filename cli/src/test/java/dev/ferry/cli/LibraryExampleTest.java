package dev.ferry.cli;

import dev.ferry.buffer.BufferPool;
import dev.ferry.buffer.Segment;
import dev.ferry.bulk.BulkTransportException;
import dev.ferry.bulk.DataDescriptor;
import dev.ferry.bulk.PeerInfo;
import dev.ferry.bulk.PullHandler;
import dev.ferry.bulk.RegionDescriptor;
import dev.ferry.bulk.shm.ShmBulkTransport;
import dev.ferry.client.Consumer;
import dev.ferry.client.ConsumerOptions;
import dev.ferry.client.Ferry;
import dev.ferry.client.Producer;
import dev.ferry.client.ProducerOptions;
import dev.ferry.client.Topic;
import dev.ferry.event.Event;
import dev.ferry.event.Metadata;
import dev.ferry.server.FerryServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's "Using Ferry as a library" examples, compiled and run here so that they cannot rot;
 * the last test checks that the README shows exactly this code.
 */
@Timeout(60)
class LibraryExampleTest
{
    private static final Path SOURCE = Path.of("src/test/java/dev/ferry/cli/LibraryExampleTest.java");
    private static final Path README = Path.of("..", "README.md");

    static boolean pullOneEvent(final Path root)
    {
        // README:bulk:begin
        final PeerInfo producer = PeerInfo.local(1);
        try (BufferPool producerPool = new BufferPool(new BufferPool.Context()
                .name("producer").directory(root).maxBytes(16 << 20).slabBytes(4 << 20));
            BufferPool consumerPool = new BufferPool(new BufferPool.Context()
                .name("consumer").directory(root).maxBytes(16 << 20).slabBytes(4 << 20));
            ShmBulkTransport producerSide = new ShmBulkTransport(producer, root, ShmBulkTransport.CHUNK_BYTES_DEFAULT);
            ShmBulkTransport consumerSide =
                new ShmBulkTransport(PeerInfo.local(2), root, ShmBulkTransport.CHUNK_BYTES_DEFAULT))
        {
            // Producer: fill a segment of its pool in place, expose the slab it lies in, describe the data.
            final Segment data = producerPool.allocate(1 << 20, Duration.ofSeconds(5)); // waits at most 5 s for memory
            data.buffer().setMemory(0, data.length(), (byte)'F');
            final RegionDescriptor region = producerSide.register(data.region());   // once per slab
            final DataDescriptor where = DataDescriptor.of(data.region(), data.regionOffset(), data.length());

            // Consumer (normally another process, sent `region` and `where` over the control plane): pull.
            consumerSide.attach(producer, region);                                   // maps the slab read-only
            final Segment copy = consumerPool.allocate(data.length(), Duration.ofSeconds(5));
            final CompletableFuture<Long> pulled = new CompletableFuture<>();
            consumerSide.pull(producer, where, 0, data.length(), copy.view(), 42L, new PullHandler()
            {
                public void onPullComplete(final long correlationId)
                {
                    pulled.complete(correlationId);
                }

                public void onPullFailed(final long correlationId, final BulkTransportException cause)
                {
                    pulled.completeExceptionally(cause);
                }
            });
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!pulled.isDone() && System.nanoTime() - deadlineNs < 0)
            {
                consumerSide.doWork();                                               // the I/O agent's duty cycle
            }

            final boolean same = pulled.isDone() && !pulled.isCompletedExceptionally() && copy.view().equals(data.view());
            copy.release();
            data.release();
            return same;
        }
        // README:bulk:end
    }

    static boolean produceAndConsumeOneEvent(final Path root) throws Exception
    {
        // README:client:begin
        // root: Ferry's shared-memory root, e.g. ShmDirectory.defaultRoot(); port 0 takes a free port.
        try (FerryServer server = FerryServer.launch(new FerryServer.Context().endpoint("127.0.0.1:0").shmRoot(root));
            Ferry ferry = Ferry.connect(new Ferry.Context().server(server.address()).shmRoot(root).name("camera")))
        {
            final Topic topic = ferry.createTopic("frames", 2);             // or ferry.openTopic("frames")
            try (Producer producer = topic.producer(new ProducerOptions().maxPendingBatches(2)))
            {
                final Segment frame = producer.allocate(4 << 20);           // registered memory: filled in place,
                frame.buffer().setMemory(0, frame.length(), (byte)7);       // no copy on the way to the server
                final CompletableFuture<Long> id = producer.push(Metadata.of("{\"frame\":1}"), frame);
                System.out.println("stored as event " + id.get(10, TimeUnit.SECONDS));
            }                                                               // close waits (bounded) for every ack

            try (Consumer consumer = topic.consumer(new ConsumerOptions("analysis").prefetch(64)))
            {
                final Event event = consumer.pull().get(10, TimeUnit.SECONDS);
                System.out.println(event.metadata().asString() + ": " + event.data().length() + " bytes, crc " +
                    event.data().crc32c());
                final boolean intact = event.data().length() == 4 << 20 && event.data().getByte(12345) == 7;
                event.acknowledge();                                        // "analysis" resumes after this one
                return intact;
            }
        }
        // README:client:end
    }

    @Test
    void examplePullsTheBytesTheProducerWrote(@TempDir final Path tmp)
    {
        assertTrue(pullOneEvent(tmp.resolve("shm")));
    }

    @Test
    void clientExampleStoresAndReadsBackAnEvent(@TempDir final Path tmp) throws Exception
    {
        assertTrue(produceAndConsumeOneEvent(tmp.resolve("shm")));
    }

    @Test
    void readmeShowsTheExamplesAsCompiledHere() throws IOException
    {
        final List<String> source = Files.readAllLines(SOURCE, StandardCharsets.UTF_8);
        final String readme = Files.readString(README, StandardCharsets.UTF_8);
        for (final String example : List.of("bulk", "client"))
        {
            final int begin = source.indexOf("        // README:" + example + ":begin");
            final int end = source.indexOf("        // README:" + example + ":end");
            final StringBuilder code = new StringBuilder();
            for (final String line : source.subList(begin + 1, end))
            {
                code.append(line.length() >= 8 ? line.substring(8) : line.strip()).append('\n');
            }

            assertTrue(
                readme.contains(code),
                "README.md must show the '" + example + "' example exactly as LibraryExampleTest compiles it:\n" + code);
        }
    }
}
