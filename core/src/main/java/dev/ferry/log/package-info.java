/**
 * The partition log: each topic partition's events, append-only, in memory-mapped segment files
 * that peers map to pull data from or read in place. Event ids (0, 1, 2, … per partition, never
 * reused) and the named consumer cursors are kept here.
 * <p>
 * Records describe themselves ({@link dev.ferry.log.LogRecordDescriptor}), so a scan of the segments
 * can rebuild the index; the {@code memory} mode built now keeps its segments in Ferry's
 * shared-memory directory and removes them on close.
 * <p>
 * Must never: make an event visible before its data is in place, reuse or reorder an event id,
 * change a committed record, take a lock (one I/O agent owns each log), or unmap memory a view
 * handed out may still point at.
 */
package dev.ferry.log;
