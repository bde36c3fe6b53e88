/**
 * The event model: {@link dev.ferry.event.Metadata} (small bytes, usually JSON),
 * {@link dev.ferry.event.DataView} (large off-heap data in one or more segments) and
 * {@link dev.ferry.event.Event}.
 * <p>
 * Metadata and data are kept apart so that metadata can be batched and data moved without a copy.
 * Every type documents who owns the memory it names, who may write it, and until when.
 * <p>
 * Must never: copy data implicitly, or hold data on the Java heap.
 */
package dev.ferry.event;
