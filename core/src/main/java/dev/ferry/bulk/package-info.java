/**
 * The bulk-transport SPI: how event data moves from a peer's registered memory into local memory
 * without passing through the message path. The receiver pulls; the owner only registers regions.
 * <p>
 * Transports are found with {@link java.util.ServiceLoader} ({@link dev.ferry.bulk.BulkTransports}).
 * Each is owned by one I/O agent and progressed by its duty cycle, so none needs a lock.
 * <p>
 * Must never: read a byte a descriptor names before checking it lies within a region the peer
 * registered; block the agent; import a transport's library into core.
 */
package dev.ferry.bulk;
