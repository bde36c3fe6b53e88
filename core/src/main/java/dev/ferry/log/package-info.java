/**
 * The partition log: each topic partition's events, append-only, in memory-mapped segment files
 * that peers map to pull data from or read in place. Event ids (0, 1, 2, … per partition, never
 * reused), the named consumer cursors and the identities of committed producer batches are kept here.
 * <p>
 * Records describe themselves ({@link dev.ferry.log.LogRecordDescriptor}) and are marked when
 * committed, so a scan of the segments rebuilds the index. A log runs in one of two modes:
 * <ul>
 *     <li>{@code memory}: segments live as long as the process, in Ferry's shared-memory directory;
 *     the log starts empty, refuses a directory that holds segment files, and deletes them on close.
 *     Cursors and batch identities are kept on the heap.</li>
 *     <li>{@code durable}: segments stay on close, and a log opened on their directory recovers every
 *     record that was committed, cutting the torn or uncommitted tail after the last one (zeroed, with
 *     later segment files deleted and a warning). Cursors live in the mapped file {@code cursors}
 *     beside the segments. Batch identities live in the records' headers and are rebuilt from them.
 *     What survives what is set by the {@link dev.ferry.log.FsyncPolicy}: every policy survives a
 *     process crash (the page cache holds the writes); {@code BATCH} makes each returned commit and
 *     acknowledgement survive a power loss; {@code INTERVAL} loses at most about one interval of them;
 *     {@code NONE} whatever the kernel had not written back.</li>
 * </ul>
 * <p>
 * <b>Retention</b> ({@link dev.ferry.log.PartitionLog.Context#retainBytes(long)}, memory mode only):
 * once a log holds its retained bytes it writes on into its oldest segment, dropping that segment's
 * events, but only when they are committed and every consumer the log tracks has acknowledged them;
 * until then it grows, up to its bound. This departs from the design's "retention by size and age" in
 * two ways, on purpose: there is no retention by age yet, and size never drops an event a subscribed
 * consumer has not acknowledged (a transport must not lose what it accepted; Kafka-style retention that
 * drops unread events would). Durable logs keep every event, up to their bound. Reuse keeps a
 * segment's file, mapping and region, so peers attach nothing new and memory already written is
 * written again, which on a VM costs far less than fresh pages.
 * <p>
 * Must never: make an event visible, or mark it committed, before its data is in place; reuse or
 * reorder an event id; change a committed record; recover a record that was not committed; take a
 * lock (one I/O agent owns each log); or unmap memory a view handed out may still point at.
 */
package dev.ferry.log;
