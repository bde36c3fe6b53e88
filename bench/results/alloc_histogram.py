#!/usr/bin/env python3
"""Exactly what a benchmark allocates per event: the difference of two heap histograms of a JVM
that collects no garbage, per event consumed.

Usage: python3 bench/results/alloc_histogram.py BEFORE.txt AFTER.txt [PER_CLASS]

BEFORE.txt and AFTER.txt are `jcmd PID GC.class_histogram -all` of the same benchmark fork, taken
during a measurement iteration. The fork must run with Epsilon, the no-op collector
(-XX:+UnlockExperimentalVMOptions -XX:+UseEpsilonGC -Xmx6g), so that every object allocated between
the two stays in the heap and is counted. The difference is divided by the number of instances of
PER_CLASS allocated in between (default dev.ferry.event.Event, of which the consumer path makes
exactly one per event), giving instances and bytes per event for every class, with the bytes as
HotSpot lays the objects out in that JVM. Standard library only.
"""
import re
import sys

LINE = re.compile(r"^\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)")


def histogram(path):
    counts = {}
    with open(path) as f:
        for line in f:
            match = LINE.match(line)
            if match:
                counts[match.group(3)] = (int(match.group(1)), int(match.group(2)))
    if not counts:
        sys.exit("%s is not the output of jcmd PID GC.class_histogram" % path)
    return counts


def main(before_path, after_path, per_class):
    before = histogram(before_path)
    after = histogram(after_path)
    events = after.get(per_class, (0, 0))[0] - before.get(per_class, (0, 0))[0]
    if events <= 0:
        sys.exit("no %s was allocated between the two histograms; take them further apart" % per_class)

    rows = []
    for name, (instances, size) in after.items():
        old_instances, old_size = before.get(name, (0, 0))
        if size - old_size > 0:
            rows.append((name, (instances - old_instances) / events, (size - old_size) / events))
    rows.sort(key=lambda r: -r[2])
    total = sum(r[2] for r in rows)

    print("%d events (instances of %s) between the histograms; %.1f bytes allocated per event\n" % (
        events, per_class, total))
    print("| class | instances per event | bytes per event |")
    print("|---|---:|---:|")
    for name, instances, size in rows:
        if size >= 0.5:
            print("| `%s` | %.2f | %.1f |" % (name, instances, size))


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: python3 bench/results/alloc_histogram.py BEFORE.txt AFTER.txt [PER_CLASS]")
    main(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) == 4 else "dev.ferry.event.Event")
