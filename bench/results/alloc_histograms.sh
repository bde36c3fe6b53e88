#!/usr/bin/env bash
# Take the two heap histograms alloc_histogram.py compares: run one size of a benchmark in a JVM
# that collects no garbage (Epsilon), and once the first measurement iteration has run for a
# second, take `jcmd GC.class_histogram -all` twice, 2 s apart.
#
# Usage: bench/results/alloc_histograms.sh BENCHMARK DATA_BYTES OUT_DIR
#   e.g. bench/results/alloc_histograms.sh EventPathBenchmark 4096 /tmp/alloc-4096
# then:  python3 bench/results/alloc_histogram.py OUT_DIR/before.txt OUT_DIR/after.txt
#
# Needs bench/target/benchmarks.jar and the JDK's jcmd on the PATH. The fork's heap is 6 GiB and
# nothing is freed, so the run is kept short (it allocates about 1 GB at the rates measured).
set -euo pipefail

if [ $# -ne 3 ]; then
    echo "usage: $0 BENCHMARK DATA_BYTES OUT_DIR" >&2
    exit 2
fi
benchmark=$1
data_bytes=$2
out=$3
jar=$(dirname "$0")/../target/benchmarks.jar
mkdir -p "$out"

java -jar "$jar" "$benchmark" -f 1 -wi 2 -w 2s -i 1 -r 6s -p size="$data_bytes" \
    -jvmArgsAppend "-XX:+UnlockExperimentalVMOptions -XX:+UseEpsilonGC -Xms6g -Xmx6g" > "$out/jmh.txt" 2>&1 &
jmh=$!

deadline=$((SECONDS + 120))
until grep -q "^Iteration   1:" "$out/jmh.txt"; do
    if [ $SECONDS -gt $deadline ] || ! kill -0 $jmh 2>/dev/null; then
        echo "the benchmark did not reach its measurement; see $out/jmh.txt" >&2
        exit 1
    fi
    sleep 0.2
done
fork=$(pgrep -P $jmh -f org.openjdk.jmh.runner.ForkedMain)
sleep 1
jcmd "$fork" GC.class_histogram -all > "$out/before.txt"
sleep 2
jcmd "$fork" GC.class_histogram -all > "$out/after.txt"
wait $jmh
grep -E "^Iteration|thrpt" "$out/jmh.txt"
