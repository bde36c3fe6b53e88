package dev.ferry.bench;

import dev.ferry.event.DataView;
import dev.ferry.log.FsyncPolicy;
import dev.ferry.log.LogEntry;
import dev.ferry.log.LogFullException;
import dev.ferry.log.PartitionLog;
import dev.ferry.shm.ShmDirectory;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Comparator;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What storing one event in a {@link PartitionLog} costs: append 64 bytes of metadata, fill 4 KiB of
 * data (as a pull would), commit; committed one by one ({@link #appendFillCommit}) or, as the server
 * commits a producer's batch, {@value #BATCH_EVENTS} at a time ({@link #appendFillCommitBatch}, scored
 * per event). In {@code memory} mode, and durable with {@link FsyncPolicy#NONE} (marking records
 * committed, no force) and {@link FsyncPolicy#BATCH} (two forces per commit: the device's write
 * latency, which a batch shares among its events). Segments are made ahead on a preparer thread, as
 * the server makes them.
 * <p>
 * The memory-mode log lives under Ferry's shared-memory root; the durable ones under
 * {@code -Dferry.bench.logDir} (default {@code java.io.tmpdir}), which should be on the file system a
 * durable server would use: on tmpfs a force costs nothing. When the log's bound is reached the
 * benchmark starts a new log, which the figure includes, as it includes creating each 64 MiB segment.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
@State(Scope.Benchmark)
public class PartitionLogBenchmark
{
    /**
     * Property naming the directory the durable logs are made in.
     */
    public static final String LOG_DIR_PROP_NAME = "ferry.bench.logDir";

    private static final int METADATA_BYTES = 64;
    private static final int DATA_BYTES = 4096;
    private static final int SEGMENT_BYTES = 64 << 20;
    private static final long MAX_BYTES = 256L << 20;
    static final int BATCH_EVENTS = 64;

    @Param({ "memory", "durable-NONE", "durable-BATCH" })
    String mode;

    private final UnsafeBuffer metadata = new UnsafeBuffer(new byte[METADATA_BYTES]);
    private final byte[] data = new byte[DATA_BYTES];
    private final UnsafeBuffer destination = new UnsafeBuffer(0, 0);
    private Path directory;
    private PartitionLog log;
    private ExecutorService preparer;
    private long timestamp;

    /**
     * Make the log and check that an event stored through the measured path reads back byte for byte.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        for (int i = 0; i < METADATA_BYTES; i++)
        {
            metadata.putByte(i, (byte)(i * 7));
        }
        Arrays.fill(data, (byte)0x5A);

        final Path parent = mode.startsWith("durable") ?
            Paths.get(System.getProperty(LOG_DIR_PROP_NAME, System.getProperty("java.io.tmpdir"))) :
            ShmDirectory.defaultRoot();
        try
        {
            Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create " + parent + " for the benchmark's log", ex);
        }
        directory = parent.resolve("ferry-bench-log-" + ProcessHandle.current().pid() + "-" + mode);
        preparer = Executors.newSingleThreadExecutor((task) ->
        {
            final Thread thread = new Thread(task, "bench-log-preparer");
            thread.setDaemon(true);
            return thread;
        });
        openLog();

        final long eventId = appendCommit();
        final LogEntry entry = new LogEntry();
        final byte[] readData = new byte[DATA_BYTES];
        if (!log.read(eventId, entry) || METADATA_BYTES != entry.metadataLength() || DATA_BYTES != entry.dataLength() ||
            entry.metadataBuffer().getByte(entry.metadataOffset() + 3) != metadata.getByte(3))
        {
            throw new IllegalStateException("event " + eventId + " did not read back as appended: " + entry);
        }
        new UnsafeBuffer(entry.region().address() + entry.dataOffset(), DATA_BYTES).getBytes(0, readData);
        if (!Arrays.equals(data, readData))
        {
            throw new IllegalStateException("the data of event " + eventId + " did not read back as filled");
        }
    }

    /**
     * Close the log and remove its files.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        closeLog();
        preparer.shutdownNow();
    }

    /**
     * Append, fill and commit one event.
     *
     * @return its id, so the work cannot be optimised away.
     */
    @Benchmark
    public long appendFillCommit()
    {
        return appendCommit();
    }

    /**
     * Append and fill {@value #BATCH_EVENTS} events, then commit them together.
     *
     * @return the last one's id, so the work cannot be optimised away.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH_EVENTS)
    public long appendFillCommitBatch()
    {
        long eventId = 0;
        for (int i = 0; i < BATCH_EVENTS; i++)
        {
            eventId = appendFill();
        }
        log.commit(eventId);
        return eventId;
    }

    private long appendCommit()
    {
        final long eventId = appendFill();
        log.commit(eventId);
        return eventId;
    }

    private long appendFill()
    {
        long eventId;
        try
        {
            eventId = log.append(metadata, 0, METADATA_BYTES, DATA_BYTES, ++timestamp);
        }
        catch (final LogFullException ex)
        {
            closeLog();
            System.gc(); // a closed log's mappings go only with the garbage collector: let them go now
            openLog();
            eventId = log.append(metadata, 0, METADATA_BYTES, DATA_BYTES, ++timestamp);
        }

        final DataView view = log.dataDestination(eventId);
        destination.wrap(view.segmentAddress(0), DATA_BYTES);
        destination.putBytes(0, data);

        return eventId;
    }

    private void openLog()
    {
        final boolean durable = mode.startsWith("durable");
        log = new PartitionLog(new PartitionLog.Context()
            .directory(directory)
            .durable(durable)
            .fsyncPolicy(durable ? FsyncPolicy.valueOf(mode.substring("durable-".length())) : FsyncPolicy.BATCH)
            .segmentBytes(SEGMENT_BYTES)
            .maxBytes(MAX_BYTES)
            .segmentPreparer(preparer));
    }

    private void closeLog()
    {
        log.close();
        if (Files.exists(directory))
        {
            try (Stream<Path> files = Files.walk(directory))
            {
                files.sorted(Comparator.reverseOrder()).forEach((file) -> file.toFile().delete());
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot remove the benchmark's log " + directory, ex);
            }
        }
    }
}
