/**
 * JMH benchmarks of Ferry's hot paths, each beside the baseline it should be judged against, and
 * {@link dev.ferry.bench.BenchmarkMain}, the entry point of {@code bench/target/benchmarks.jar}.
 * <p>
 * Every benchmark builds its state outside the measured operation, consumes what it measures, and
 * checks in its setup that the operation really does its job (bytes equal, memory handed out), so
 * that a broken path cannot post a good number. Nothing here is used by Ferry itself.
 */
package dev.ferry.bench;
