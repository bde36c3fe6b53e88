package dev.ferry.systemtest;

import dev.ferry.buffer.BufferPool;
import dev.ferry.buffer.Segment;
import dev.ferry.bulk.DataDescriptor;
import dev.ferry.bulk.PeerInfo;
import dev.ferry.bulk.Region;
import dev.ferry.bulk.shm.ShmBulkTransport;
import dev.ferry.shm.ShmDirectory;
import dev.ferry.test.ChildJvm;
import dev.ferry.test.TestBytes;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The owning side of {@link ShmPullAcrossProcessesTest}, run in a child JVM with {@code -Dferry.dir}.
 * <p>
 * Arguments: a seed, then segment sizes. Allocates a segment of each size from a buffer pool in
 * Ferry's shared-memory root, fills segment {@code i} with {@link TestBytes#seeded} of
 * {@code seed + i}, registers every region of the pool with a shared-memory transport, prints them
 * in the {@link DescriptorLines} format, then waits for a line on stdin and closes everything.
 */
public final class ShmRegionOwner
{
    static final int SLAB_BYTES = 8 << 20;
    static final int SLAB_COUNT = 8;

    private ShmRegionOwner()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        ChildJvm.exitAfter(Duration.ofMinutes(3));
        final long seed = Long.parseLong(args[0]);
        final PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        final PeerInfo self = PeerInfo.local(0);

        try (BufferPool pool = new BufferPool(new BufferPool.Context()
            .name("owner")
            .directory(ShmDirectory.defaultRoot())
            .slabBytes(SLAB_BYTES)
            .reserveBytes(4096)
            .maxBytes((long)SLAB_COUNT * SLAB_BYTES + 4096));
            ShmBulkTransport transport = new ShmBulkTransport(
                self, ShmDirectory.defaultRoot(), ShmBulkTransport.CHUNK_BYTES_DEFAULT))
        {
            final List<Segment> segments = new ArrayList<>();
            for (int i = 1; i < args.length; i++)
            {
                final int size = Integer.parseInt(args[i]);
                final Segment segment = pool.tryAllocate(size);
                if (null == segment)
                {
                    throw new IllegalStateException("pool " + pool + " cannot hold a segment of " + size + " bytes");
                }
                segment.buffer().putBytes(0, TestBytes.seeded(seed + segments.size(), size));
                segments.add(segment);
            }

            out.println(DescriptorLines.peer(self));
            out.println(DescriptorLines.DIR + " " + pool.directory());
            for (final Region region : pool.regions())
            {
                out.println(DescriptorLines.region(transport.register(region)));
            }
            for (final Segment segment : segments)
            {
                out.println(DescriptorLines.data(
                    DataDescriptor.of(segment.region(), segment.regionOffset(), segment.length())));
            }
            out.println(DescriptorLines.READY);
            out.flush();

            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            segments.forEach(Segment::release);
        }
    }
}
