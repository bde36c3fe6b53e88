package dev.ferry.cli;

import dev.ferry.buffer.BufferPool;
import dev.ferry.buffer.Segment;
import dev.ferry.bulk.BulkTransportException;
import dev.ferry.bulk.DataDescriptor;
import dev.ferry.bulk.PeerInfo;
import dev.ferry.bulk.PullHandler;
import dev.ferry.bulk.RegionDescriptor;
import dev.ferry.bulk.shm.ShmBulkTransport;
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
 * The README's "Using Ferry as a library" example, compiled and run here so that it cannot rot; the
 * second test checks that the README shows exactly this code.
 */
@Timeout(60)
class LibraryExampleTest
{
    private static final Path SOURCE = Path.of("src/test/java/dev/ferry/cli/LibraryExampleTest.java");
    private static final Path README = Path.of("..", "README.md");

    static boolean pullOneEvent(final Path root)
    {
        // README:begin
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
        // README:end
    }

    @Test
    void examplePullsTheBytesTheProducerWrote(@TempDir final Path tmp)
    {
        assertTrue(pullOneEvent(tmp.resolve("shm")));
    }

    @Test
    void readmeShowsTheExampleAsCompiledHere() throws IOException
    {
        final List<String> source = Files.readAllLines(SOURCE, StandardCharsets.UTF_8);
        final int begin = source.indexOf("        // README:begin");
        final int end = source.indexOf("        // README:end");
        final StringBuilder example = new StringBuilder();
        for (final String line : source.subList(begin + 1, end))
        {
            example.append(line.length() >= 8 ? line.substring(8) : line.strip()).append('\n');
        }

        final String readme = Files.readString(README, StandardCharsets.UTF_8);
        assertTrue(
            readme.contains(example),
            "README.md must show the library example exactly as LibraryExampleTest compiles it:\n" + example);
    }
}
