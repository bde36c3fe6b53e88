package dev.ferry.buffer;

/**
 * Told of each segment the pool found garbage-collected without release. By the time it is told,
 * the pool has taken the memory back.
 */
@FunctionalInterface
public interface LeakListener
{
    /**
     * @param poolName    the pool the segment came from.
     * @param length      bytes the segment was allocated with.
     * @param allocatedAt stack trace of the allocation.
     */
    void onLeak(String poolName, int length, Throwable allocatedAt);
}
