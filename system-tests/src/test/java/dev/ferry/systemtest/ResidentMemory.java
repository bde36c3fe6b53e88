package dev.ferry.systemtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Samples the anonymous resident memory ({@code RssAnon} of {@code /proc/PID/status}: heap, direct
 * buffers, native allocations; not the pages of mapped files, which the page cache owns) of processes
 * on a daemon thread, and keeps each one's peak.
 */
final class ResidentMemory implements AutoCloseable
{
    private static final long SAMPLE_INTERVAL_MS = 50;

    private final Map<Long, Long> peakKib = new ConcurrentHashMap<>();
    private final Thread sampler;
    private volatile boolean running = true;

    /**
     * Start sampling.
     *
     * @param pids of the processes to watch.
     */
    ResidentMemory(final long... pids)
    {
        for (final long pid : pids)
        {
            peakKib.put(pid, 0L);
        }
        sampler = new Thread(this::sample, "resident-memory-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    /**
     * @param pid of a watched process.
     * @return the highest anonymous resident memory seen, in MiB.
     */
    long peakMib(final long pid)
    {
        return peakKib.getOrDefault(pid, 0L) / 1024;
    }

    public void close()
    {
        running = false;
        try
        {
            sampler.join(TimeUnit.SECONDS.toMillis(5));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private void sample()
    {
        while (running)
        {
            for (final Long pid : peakKib.keySet())
            {
                final long kib = rssAnonKib(pid);
                peakKib.merge(pid, kib, Math::max);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(SAMPLE_INTERVAL_MS));
        }
    }

    private static long rssAnonKib(final long pid)
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")))
            {
                if (line.startsWith("RssAnon:"))
                {
                    return Long.parseLong(line.substring("RssAnon:".length()).trim().split("\\s+")[0]);
                }
            }
        }
        catch (final IOException | NumberFormatException ex)
        {
            return 0; // the process has exited
        }
        return 0;
    }
}
