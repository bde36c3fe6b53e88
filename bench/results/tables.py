#!/usr/bin/env python3
"""Turn a JMH JSON result file of Ferry's benchmarks into the Markdown tables of bench/results/*.md.

Usage: python3 bench/results/tables.py RESULT.json

Medians are the medians of the measurement iterations (JMH's 50th percentile); "spread" is the
fastest and slowest iteration. Bandwidth is the operation's size over its time, in MiB/s
(1 MiB = 2^20 bytes). B/op is the median of -prof gc's gc.alloc.rate.norm too: JMH counts the
trial's @TearDown (closing pools and transports) into the last iteration, which lifts that one
iteration and so the mean, but not the median. Standard library only.

The event-path benchmarks measure events consumed per second (throughput mode); each event carries
METADATA_BYTES of metadata besides its `size` bytes of data, and MiB/s counts both.
"""
import json
import sys

MIB = float(1 << 20)
METADATA_BYTES = 64


def iterations(metric):
    return [value for fork in metric["rawData"] for value in fork]


def median(metric):
    return metric["scorePercentiles"]["50.0"]


def mib_per_s(size, ns):
    return size / MIB / (ns * 1e-9)


def size_label(size):
    if size >= 1 << 20:
        return "%d MiB" % (size >> 20)
    return "%d KiB" % (size >> 10)


def alloc_norm(result):
    norm = result.get("secondaryMetrics", {}).get("gc.alloc.rate.norm")
    return "%.3f" % median(norm) if norm else "n/a"


def event_label(size):
    return "metadata only (%d B)" % METADATA_BYTES if 0 == size else size_label(size)


def gc_count(result):
    gcs = result.get("secondaryMetrics", {}).get("gc.count")
    return "%d" % gcs["score"] if gcs else "n/a"


def short_name(result):
    return result["benchmark"].rsplit(".", 1)[1]


def pool_table(results):
    rows = [
        "| benchmark | size | leak detection | median ns/op | mean ± error ns/op | spread ns/op | median B/op | GCs |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    ordered = sorted(results, key=lambda r: (short_name(r) != "uncontended", int(r["params"]["size"]),
                                             r["params"]["leakDetection"]))
    for r in ordered:
        primary = r["primaryMetric"]
        values = iterations(primary)
        gcs = r.get("secondaryMetrics", {}).get("gc.count")
        name = short_name(r) + (" (%d threads)" % r["threads"] if r["threads"] > 1 else "")
        rows.append("| %s | %s | %s | %.1f | %.1f ± %.1f | %.1f – %.1f | %s | %s |" % (
            name, size_label(int(r["params"]["size"])), r["params"]["leakDetection"], median(primary),
            float(primary["score"]), float(primary["scoreError"]), min(values), max(values),
            alloc_norm(r), "%d" % gcs["score"] if gcs else "n/a"))
    return "\n".join(rows)


def shm_table(results):
    by_size = {}
    for r in results:
        by_size.setdefault(int(r["params"]["size"]), {})[short_name(r)] = r
    rows = [
        "| size | shm pull median ns/op | shm pull MiB/s (spread) | memcpy median ns/op | memcpy MiB/s (spread) | pull / memcpy | median B/op pull / memcpy |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for size in sorted(by_size):
        pull = by_size[size].get("shmPull")
        copy = by_size[size].get("memcpy")
        if pull is None or copy is None:
            continue
        cells = []
        for r in (pull, copy):
            values = iterations(r["primaryMetric"])
            cells.append("%.0f" % median(r["primaryMetric"]))
            cells.append("%.0f (%.0f – %.0f)" % (mib_per_s(size, median(r["primaryMetric"])),
                                                 mib_per_s(size, max(values)), mib_per_s(size, min(values))))
        ratio = median(copy["primaryMetric"]) / median(pull["primaryMetric"])
        rows.append("| %s | %s | %s | %.2f | %s / %s |" % (
            size_label(size), " | ".join(cells[:2]), " | ".join(cells[2:]), ratio, alloc_norm(pull),
            alloc_norm(copy)))
    return "\n".join(rows)


def event_path_table(ferry, aeron):
    by_size = {}
    for name, results in (("ferry", ferry), ("aeron", aeron)):
        for r in results:
            by_size.setdefault(int(r["params"]["size"]), {})[name] = r
    rows = [
        "| event (data + %d B metadata) | Ferry events/s (spread) | Ferry MiB/s | raw Aeron IPC events/s (spread) "
        "| raw Aeron MiB/s | Ferry / Aeron | median B/event Ferry / Aeron | GCs Ferry / Aeron |" % METADATA_BYTES,
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size in sorted(by_size):
        pair = by_size[size]
        cells = []
        for name in ("ferry", "aeron"):
            r = pair.get(name)
            if r is None:
                cells += ["n/a", "n/a"]
                continue
            values = iterations(r["primaryMetric"])
            events = median(r["primaryMetric"])
            cells.append("%.0f (%.0f – %.0f)" % (events, min(values), max(values)))
            cells.append("%.1f" % (events * (size + METADATA_BYTES) / MIB))
        ratio = "n/a"
        if "ferry" in pair and "aeron" in pair:
            ratio = "%.4f" % (median(pair["ferry"]["primaryMetric"]) / median(pair["aeron"]["primaryMetric"]))
        rows.append("| %s | %s | %s | %s | %s / %s | %s / %s |" % (
            event_label(size), " | ".join(cells[:2]), " | ".join(cells[2:]), ratio,
            alloc_norm(pair["ferry"]) if "ferry" in pair else "n/a",
            alloc_norm(pair["aeron"]) if "aeron" in pair else "n/a",
            gc_count(pair["ferry"]) if "ferry" in pair else "n/a",
            gc_count(pair["aeron"]) if "aeron" in pair else "n/a"))
    return "\n".join(rows)


def main(path):
    with open(path) as f:
        results = json.load(f)
    if not results:
        sys.exit("%s holds no results" % path)
    first = results[0]
    print("JMH %s, %s %s (%s), JVM options: `%s`" % (
        first["jmhVersion"], first["vmName"], first["vmVersion"], first["jdkVersion"], " ".join(first["jvmArgs"])))
    print()
    pool = [r for r in results if ".BufferPoolBenchmark." in r["benchmark"]]
    shm = [r for r in results if ".ShmPullBenchmark." in r["benchmark"]]
    ferry = [r for r in results if ".EventPathBenchmark." in r["benchmark"]]
    aeron = [r for r in results if ".RawAeronBenchmark." in r["benchmark"]]
    if pool:
        print("### BufferPoolBenchmark\n")
        print(pool_table(pool))
        print()
    if shm:
        print("### ShmPullBenchmark\n")
        print(shm_table(shm))
        print()
    if ferry or aeron:
        print("### EventPathBenchmark and RawAeronBenchmark\n")
        print(event_path_table(ferry, aeron))
        print()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python3 bench/results/tables.py RESULT.json")
    main(sys.argv[1])
