/**
 * The dynamic buffer pool event data lives in: owner-only mapped slabs cut into power-of-two
 * segments, a hard bound, FIFO waiters with hand-off on release, a control-path reserve, counters
 * and a leak detector.
 * <p>
 * Must never: grow past its bound, block in {@code tryAllocate}, block on an I/O agent thread,
 * unmap memory a live segment points at, or lose a waiter on close.
 */
package dev.ferry.buffer;
