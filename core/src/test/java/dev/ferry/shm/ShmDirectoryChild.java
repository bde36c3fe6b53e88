package dev.ferry.shm;

import dev.ferry.buffer.BufferPool;
import dev.ferry.buffer.Segment;
import dev.ferry.test.ChildJvm;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.time.Duration;

/**
 * Child process for {@link ShmDirectoryTest}. Arguments: the shared-memory root, then a mode.
 * <ul>
 *     <li>{@code own}: create a buffer pool (with a slab) and then a second owned directory in the
 *     root, print {@code DIR <path>} for each and {@code READY}, wait for a line on stdin, close
 *     both and exit.</li>
 *     <li>{@code reclaim}: print {@code RECLAIMED <count>} from one {@link ShmDirectory#reclaimDead()}
 *     and exit.</li>
 * </ul>
 */
public final class ShmDirectoryChild
{
    private ShmDirectoryChild()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        ChildJvm.exitAfter(Duration.ofMinutes(2));
        final ShmDirectory root = ShmDirectory.open(Paths.get(args[0]));

        if ("reclaim".equals(args[1]))
        {
            System.out.println("RECLAIMED " + root.reclaimDead());
            return;
        }

        try (BufferPool pool = new BufferPool(new BufferPool.Context()
            .name("child")
            .directory(root.root())
            .slabBytes(64 << 10)
            .reserveBytes(4 << 10)
            .maxBytes((64 << 10) + (4 << 10)));
            OwnedDirectory second = root.createOwned("second"))
        {
            final Segment segment = pool.tryAllocate(1000);
            System.out.println("DIR " + pool.directory());
            System.out.println("DIR " + second.path());
            System.out.println("READY");
            System.out.flush();

            final BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            stdin.readLine();
            segment.release();
        }
    }
}
