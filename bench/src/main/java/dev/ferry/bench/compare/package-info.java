/**
 * The side-by-side comparison behind {@code bench/compare}: the same producer-to-consumer workload
 * moved through Ferry (shared memory, the consumer copying the data out or reading it in place), raw
 * Aeron (IPC and UDP), plain NIO over loopback TCP, Chronicle Queue and Kafka (one embedded KRaft
 * broker), with one copy of the bytes between two threads (memcpy) as the ceiling.
 * <p>
 * A {@link dev.ferry.bench.compare.Contender} opens one {@link dev.ferry.bench.compare.Channel} per
 * event size; {@link dev.ferry.bench.compare.CompareWorker} drives it in a JVM of its own (throughput
 * by size, then latency under a fixed offered load, corrected for coordinated omission) and writes
 * CSV; {@link dev.ferry.bench.compare.Compare} starts the workers one after another and has
 * {@link dev.ferry.bench.compare.CompareReport} and {@link dev.ferry.bench.compare.ComparePlots} turn
 * their files into the report, its tables of ratios and its PNG plots. Every event carries the same
 * bytes ({@link dev.ferry.bench.compare.CompareEvent}) and every contender checks each one it
 * delivers: a contender that loses, repeats, reorders or mixes up events fails the run instead of
 * posting a number.
 * <p>
 * This package measures; it is never used by Ferry itself, and its peers (Kafka, Chronicle Queue,
 * JFreeChart) are dependencies of the {@code bench} module only.
 */
package dev.ferry.bench.compare;
