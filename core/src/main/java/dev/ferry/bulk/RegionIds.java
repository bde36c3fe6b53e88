package dev.ferry.bulk;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The one source of region ids in a process, shared by every kind of {@link Region} (pool slabs,
 * log segments), so that no two regions a peer is told of ever carry the same id.
 */
public final class RegionIds
{
    private static final AtomicLong LAST = new AtomicLong();

    private RegionIds()
    {
    }

    /**
     * @return a region id never returned before in this process; thread-safe.
     */
    public static long next()
    {
        return LAST.incrementAndGet();
    }
}
