/**
 * The shared-memory bulk-transport demo that {@code ferry pipeline} runs until the event path
 * (Aeron control plane, partition server, Producer and Consumer; issue 3) is built.
 * <p>
 * It moves event data the way the event path will: a producer fills segments of its
 * {@link dev.ferry.buffer.BufferPool}, registers the slabs with a
 * {@link dev.ferry.bulk.shm.ShmBulkTransport} and hands descriptors on; an I/O agent attaches the
 * slabs, pulls each event into a segment of its own pool and checks every byte's CRC-32C. All in
 * one process, but through real shared-memory mappings and with real back-pressure: both pools are
 * bounded, the producer waits (with a deadline) for memory the consumer gives back, and the agent
 * pauses pulling while its own pool is exhausted.
 * <p>
 * What it must never do: pretend to be the event path. No metadata travels, no server assigns
 * event IDs; the command says so when it starts.
 */
package dev.ferry.cli.demo;
