package dev.ferry.log;

/**
 * When a durable {@link PartitionLog} forces what it wrote from the page cache to the storage device.
 * Whatever the policy, every write goes to the files' shared mapping at once, so it survives the
 * <i>process</i> crashing: the kernel writes it back later. The policy decides what survives the
 * <i>machine</i> losing power or crashing, and what a force costs. A memory-mode log forces nothing.
 */
public enum FsyncPolicy
{
    /**
     * Never force: committed events and cursors survive a process crash through the page cache, but a
     * power loss or kernel crash may lose whatever the kernel had not written back yet (on Linux,
     * typically the last 5 to 30 seconds), and may keep a record marked committed whose data page was
     * not written back. Costs nothing on the event path.
     */
    NONE,

    /**
     * Force at every {@link PartitionLog#commit(long) commit} the range of the segment(s) written
     * since the last force ({@code MappedByteBuffer.force(index, length)}): once before the newly
     * committed records are marked and once after, so a power loss can never leave a record marked
     * committed whose data did not reach the device; and force a consumer's cursor slot at every
     * {@link PartitionLog#acknowledge(String, long) acknowledgement} that moves it. A commit or
     * acknowledgement that has returned survives a power loss. Costs two writes to the device per
     * commit, so commit in batches.
     */
    BATCH,

    /**
     * Force what was committed since the last force, and the cursor file if a cursor moved, when
     * {@link PartitionLog#sync(long)} finds that {@link PartitionLog.Context#fsyncIntervalNs(long) the
     * interval} has passed since the last force. A power loss loses at most about one interval of
     * commits and acknowledgements, and, as with {@link #NONE}, may keep a record of that last interval
     * marked committed whose data page was not written back. Costs one write to the device per
     * interval, off the commit.
     */
    INTERVAL
}
