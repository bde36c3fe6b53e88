/**
 * Ferry: an event transport for HPC data pipelines.
 * <p>
 * An event is small metadata plus optional large data. Metadata travels in batches over a message
 * channel (Aeron); data stays in registered off-heap memory and the receiver pulls it with a bulk
 * transport (shared memory on one host, RDMA READ across hosts). Sub-packages hold one concept each:
 * <ul>
 *     <li>{@link dev.ferry.event}: the event model ({@code Metadata}, {@code DataView}, {@code Event});</li>
 *     <li>{@link dev.ferry.buffer}: the dynamic buffer pool event data lives in;</li>
 *     <li>{@link dev.ferry.bulk}: the bulk-transport SPI and, in {@link dev.ferry.bulk.shm}, the shared-memory transport;</li>
 *     <li>{@link dev.ferry.shm}: Ferry's shared-memory directory and the ownership of what is mapped from it;</li>
 *     <li>{@link dev.ferry.agent}: rules for the I/O agent thread.</li>
 * </ul>
 * This module never imports Aeron or DiSNI: transports are found with {@link java.util.ServiceLoader}.
 */
package dev.ferry;
