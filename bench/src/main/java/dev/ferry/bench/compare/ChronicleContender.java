package dev.ferry.bench.compare;

import dev.ferry.FerryException;
import dev.ferry.shm.OwnedDirectory;
import dev.ferry.shm.ShmDirectory;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.core.io.BackgroundResourceReleaser;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.StoreFileListener;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Chronicle Queue (open source, {@code net.openhft:chronicle-queue} 5.27ea0): the memory-mapped,
 * same-host peer. One queue per event size, one appender on the producer thread and one tailer on
 * the consumer thread of the same JVM, both mapping the same files.
 * <p>
 * <b>Where the files live.</b> The queue's files are put in a directory of Ferry's shared-memory root
 * ({@link ShmDirectory#defaultRoot()}, {@code /dev/shm/ferry-$USER} on Linux), not under the work
 * directory on disk: Ferry's own pools and logs live in tmpfs there, and a queue on a disk file system
 * would pay for page-cache writeback Ferry never pays, which would measure the disk, not the queue.
 * The directory is an {@link OwnedDirectory}: deleted when its channel closes, and reclaimed by the
 * next Ferry process if this one dies.
 * <p>
 * <b>Roll cycle and retention.</b> Chronicle never frees an excerpt once read; it keeps every excerpt of
 * a cycle in that cycle's file. At gigabytes per second, a daily or even minutely cycle would fill
 * tmpfs (that is, RAM) within a run, so the queue rolls every second ({@link TestRollCycles#TEST_SECONDLY},
 * the only cycle that short; "test" in its name is about its dump size, its capacity is 2^32 excerpts
 * a cycle) and the consumer deletes each cycle's file once its tailer has moved to a later cycle, as a
 * retention job would. tmpfs therefore holds this second's file and, until the tailer leaves it, the
 * last one's. The index spacing is set to 256, that of Chronicle's production cycles, instead of the
 * test cycle's 4, so that indexing costs what it costs in production.
 * <p>
 * An append-only log writes every event to pages never written before, so each 4 KiB page of events
 * first costs a tmpfs page fault (the kernel allocates and zeroes it); a ring, or Ferry's reused log
 * segments, pays that once. Chronicle's remedy, pre-touching pages ahead of the appender, needs a
 * thread of its own (its automatic preloader is an Enterprise feature) and is not used here.
 * <p>
 * <b>Block size.</b> Chronicle maps a queue file in blocks and lets an excerpt run over the end of a
 * block by at most the block's overlap, a quarter of the block (at most 1 GiB); an excerpt longer than
 * that fails. Each size gets the smallest power-of-two block, at least Chronicle's default of
 * {@value #MIN_BLOCK_BYTES} bytes, whose overlap holds an event and its header with room to spare:
 * 512 MiB for 64 MiB events. Excerpts longer than {@value #MAX_EXCERPT_BYTES} bytes cannot be carried
 * (the excerpt header's length field has 30 bits) and are skipped with that reason.
 * <p>
 * <b>Per event.</b> The producer stamps a direct buffer filled once at open and copies it into the
 * queue with {@code writingDocument()} and {@code Bytes.write(BytesStore, offset, length)}, which for a
 * native source is one {@code copyMemory} into the mapped file; the document's header is committed when
 * the context closes. The consumer reads each excerpt with {@code readingDocument()} in place: the
 * excerpt's address in the mapped file ({@code addressForRead(position, length)}, which guarantees the
 * whole excerpt is contiguous) is wrapped in an Agrona {@link UnsafeBuffer} and checked there, no copy.
 * Nothing is allocated per event. Chronicle has no back-pressure: an appender always appends, so
 * {@link Channel#offer} always returns true.
 * <p>
 * <b>JVM.</b> Chronicle needs {@link #JVM_FLAGS} on Java 17 and later; {@link #start} checks that they
 * were given and that a queue works on the running JDK (17 and 25 were tried), and reports the
 * contender unsupported, with the reason, if not. Chronicle's usage analytics and its start-up banner
 * are switched off.
 */
final class ChronicleContender implements Contender
{
    static final String NAME = "chronicle-queue";

    /**
     * Flags the worker JVM needs for Chronicle, on top of Ferry's; found by taking Chronicle's list for
     * Java 17 ({@code chronicle.software/chronicle-support-java-17}), removing one flag at a time on
     * Java 17, and running with what was left on Java 17 and 25:
     * <ul>
     *   <li>{@code --add-opens java.base/java.lang.reflect}: Chronicle Core reaches
     *   {@code AccessibleObject.setAccessible0} through it, and with that every private member it
     *   uses; without it, Chronicle's {@code Jvm} class fails to initialise
     *   ({@code ExceptionInInitializerError: module java.base does not open java.lang.reflect}).</li>
     *   <li>{@code --add-exports java.base/jdk.internal.ref}: its reflective cleaner of direct buffers;
     *   without it, Chronicle warns at start-up that this cleaner is off.</li>
     *   <li>{@code --add-exports java.base/sun.nio.ch}: the same cleaner links against
     *   {@code sun.nio.ch.DirectBuffer}; without it, a {@code ServiceConfigurationError} is logged.
     *   Ferry's flags hold it too; a repeated flag is harmless.</li>
     *   <li>{@code --enable-native-access=ALL-UNNAMED}: Chronicle loads JNA and jffi (thread affinity,
     *   POSIX calls); Java 24 and later warn on the console about that native access, and a later Java
     *   will refuse it. Accepted by Java 17.</li>
     *   <li>{@code -Dchronicle.analytics.disable=true}: no usage report to Google Analytics (sent when a
     *   queue is built, unless JUnit happens to be on the class path).</li>
     *   <li>{@code -Dchronicle.announcer.disable=true}: no banner on the console.</li>
     * </ul>
     * The rest of Chronicle's list ({@code java.lang}, {@code java.io}, {@code java.util},
     * {@code jdk.compiler}, {@code sun.misc}) is not needed: the compiler flags serve Chronicle's
     * generated method readers and writers, which this contender does not use, and the others are
     * covered by {@code setAccessible0}.
     */
    static final List<String> JVM_FLAGS = List.of(
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
        "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
        "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
        "--enable-native-access=ALL-UNNAMED",
        "-D" + ChronicleContender.ANALYTICS_DISABLE_PROP_NAME + "=true",
        "-D" + ChronicleContender.ANNOUNCER_DISABLE_PROP_NAME + "=true");

    /**
     * Chronicle Core's switch for its usage analytics.
     */
    static final String ANALYTICS_DISABLE_PROP_NAME = "chronicle.analytics.disable";

    /**
     * Chronicle Core's switch for its start-up banner.
     */
    static final String ANNOUNCER_DISABLE_PROP_NAME = "chronicle.announcer.disable";

    /**
     * Smallest block: Chronicle's default on a 64-bit JVM.
     */
    static final long MIN_BLOCK_BYTES = 64L << 20;

    /**
     * Room kept in a block's overlap beyond the event: the excerpt's 4-byte header and alignment.
     */
    static final int EXCERPT_HEADROOM = 4096;

    /**
     * Longest event Chronicle can carry: an excerpt header holds its length in 30 bits.
     */
    static final int MAX_EXCERPT_BYTES = (1 << 30) - EXCERPT_HEADROOM;

    /**
     * Index spacing of Chronicle's production roll cycles (every 256th excerpt is indexed).
     */
    static final int INDEX_SPACING = 256;

    /**
     * Free space the shared-memory file system must have when a queue opens: the queue keeps about a
     * second of events (this cycle's file, and the last one until the tailer leaves it), and a write to
     * a mapped page that tmpfs cannot back kills the JVM with SIGBUS instead of failing the run.
     */
    static final long MIN_FREE_SHM_BYTES = 4L << 30;

    private ShmDirectory shmRoot;

    @Override
    public String name()
    {
        return NAME;
    }

    /**
     * Check that Chronicle can run in this JVM: the flags of {@link #JVM_FLAGS} were given, and a queue
     * can be built, written, read and closed.
     *
     * @param workDir not used: the queues live in tmpfs (see the class comment).
     * @throws ContenderUnsupportedException naming the missing flags, or the JDK and the error Chronicle
     *                                       failed with.
     */
    @Override
    public void start(final Path workDir) throws Exception
    {
        checkModuleAccess();
        quietChronicle();
        shmRoot = ShmDirectory.open(ShmDirectory.defaultRoot());
        try
        {
            try (ChronicleChannel check = new ChronicleChannel(shmRoot, CompareEvent.MIN_SIZE, MIN_BLOCK_BYTES))
            {
                check.selfTest();
            }
        }
        catch (final FerryException ex)
        {
            throw ex; // tmpfs, not Chronicle: a failure, with Ferry's reason
        }
        catch (final Exception | LinkageError | AssertionError ex)
        {
            throw new ContenderUnsupportedException(
                "Chronicle Queue 5.27ea0 does not work on Java " + Runtime.version() + " (" +
                System.getProperty("java.vm.name") + "): a queue in " + shmRoot.root() + " failed with " + ex, ex);
        }
    }

    /**
     * @param size bytes of every event.
     * @return a new queue for events of that size, in a directory of its own.
     * @throws ContenderUnsupportedException if an excerpt of that size is longer than Chronicle allows, or
     *                                       tmpfs has less than {@link #MIN_FREE_SHM_BYTES} free.
     */
    @Override
    public Channel open(final int size) throws Exception
    {
        if (null == shmRoot)
        {
            throw new IllegalStateException(NAME + " was not started");
        }
        if (size > MAX_EXCERPT_BYTES)
        {
            throw new ContenderUnsupportedException(
                "Chronicle Queue's longest excerpt is 1 GiB (its header holds the length in 30 bits); " + size +
                "-byte events do not fit");
        }
        final long free = Files.getFileStore(shmRoot.root()).getUsableSpace();
        if (free < MIN_FREE_SHM_BYTES)
        {
            throw new ContenderUnsupportedException(
                shmRoot.root() + " has " + (free >> 20) + " MiB free; a Chronicle queue there needs " +
                (MIN_FREE_SHM_BYTES >> 20) + " MiB for the second or two of events it keeps (a larger /dev/shm, " +
                "or -D" + ShmDirectory.DIR_PROP_NAME + "=DIR on a larger tmpfs)");
        }
        return new ChronicleChannel(shmRoot, size, blockBytes(size));
    }

    /**
     * Nothing lasts across sizes: each channel removes its own queue.
     */
    @Override
    public void close()
    {
    }

    /**
     * @param size bytes of every event.
     * @return the block size for events of that size: the smallest power of two, at least
     * {@link #MIN_BLOCK_BYTES}, whose overlap (a quarter of it) holds the event and {@link #EXCERPT_HEADROOM}.
     */
    static long blockBytes(final int size)
    {
        final long wanted = 4L * (size + (long)EXCERPT_HEADROOM);
        final long power = Long.highestOneBit(wanted) == wanted ? wanted : Long.highestOneBit(wanted) << 1;
        return Math.max(MIN_BLOCK_BYTES, power);
    }

    /**
     * @param blockBytes a queue's block size.
     * @return how far an excerpt may run past the end of a block: Chronicle's rule for a block of that size.
     */
    static long overlapBytes(final long blockBytes)
    {
        return Math.min(blockBytes / 4, 1L << 30);
    }

    private static void checkModuleAccess() throws ContenderUnsupportedException
    {
        final Module javaBase = Object.class.getModule();
        final Module self = ChronicleContender.class.getModule();
        final List<String> missing = new ArrayList<>();
        if (!javaBase.isOpen("java.lang.reflect", self))
        {
            missing.add("--add-opens=java.base/java.lang.reflect=ALL-UNNAMED");
        }
        if (!javaBase.isExported("jdk.internal.ref", self))
        {
            missing.add("--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED");
        }
        if (!javaBase.isExported("sun.nio.ch", self))
        {
            missing.add("--add-exports=java.base/sun.nio.ch=ALL-UNNAMED");
        }
        if (!missing.isEmpty())
        {
            throw new ContenderUnsupportedException(
                "Chronicle Queue needs the JVM flags " + missing + " on Java 9 and later (this is Java " +
                Runtime.version() + "); without the first, its Jvm class fails to initialise. Start the worker " +
                "with ChronicleContender.JVM_FLAGS, as Compare does: " + String.join(" ", JVM_FLAGS));
        }
    }

    /**
     * Switch off Chronicle's analytics and banner when the worker was started without
     * {@link #JVM_FLAGS}; both are read when Chronicle's classes initialise, which is after this.
     */
    private static void quietChronicle()
    {
        if (null == System.getProperty(ANALYTICS_DISABLE_PROP_NAME))
        {
            System.setProperty(ANALYTICS_DISABLE_PROP_NAME, "true");
        }
        if (null == System.getProperty(ANNOUNCER_DISABLE_PROP_NAME))
        {
            System.setProperty(ANNOUNCER_DISABLE_PROP_NAME, "true");
        }
    }

    /**
     * One queue in a directory of its own: an appender created on the producer thread at its first
     * offer, a tailer created on the consumer thread at its first poll (Chronicle's appenders and
     * tailers are bound to the thread that uses them).
     */
    private static final class ChronicleChannel implements Channel
    {
        private final int size;
        private final OwnedDirectory directory;
        private final BytesStore<?, Void> sourceStore;
        private final UnsafeBuffer source;
        private final UnsafeBuffer excerpt = new UnsafeBuffer(0, 0);
        private final ConcurrentNavigableMap<Integer, File> cycleFiles = new ConcurrentSkipListMap<>();
        private final SingleChronicleQueue queue;
        private ExcerptAppender appender;
        private ExcerptTailer tailer;
        private int tailerCycle = Integer.MIN_VALUE;

        ChronicleChannel(final ShmDirectory shmRoot, final int size, final long blockBytes)
            throws ContenderUnsupportedException
        {
            this.size = size;
            final long overlap = overlapBytes(blockBytes);
            if (size + (long)EXCERPT_HEADROOM > overlap)
            {
                throw new ContenderUnsupportedException(
                    "a Chronicle Queue excerpt may run past its block by at most " + overlap + " bytes (a quarter " +
                    "of a " + blockBytes + "-byte block, at most 1 GiB); " + size + "-byte events do not fit");
            }
            this.directory = shmRoot.createOwned("compare-chronicle-" + size);
            BytesStore<?, Void> store = null;
            SingleChronicleQueue built = null;
            try
            {
                store = BytesStore.nativeStoreWithFixedCapacity(size);
                built = SingleChronicleQueueBuilder.binary(directory.path().resolve("queue"))
                    .blockSize(blockBytes)
                    .rollCycle(TestRollCycles.TEST_SECONDLY)
                    .indexSpacing(INDEX_SPACING)
                    .storeFileListener(new CycleFileListener(cycleFiles))
                    .build();
                if (built.overlapSize() < size + (long)EXCERPT_HEADROOM)
                {
                    throw new ContenderUnsupportedException(
                        "Chronicle Queue gave a " + blockBytes + "-byte block an overlap of " + built.overlapSize() +
                        " bytes, too little for " + size + "-byte events");
                }
            }
            catch (final ContenderUnsupportedException | RuntimeException | Error ex)
            {
                closeAll(built, store, directory);
                throw ex;
            }
            this.sourceStore = store;
            this.queue = built;
            this.source = new UnsafeBuffer(sourceStore.addressForWrite(0), size);
            for (int i = 0; i < size; i++)
            {
                source.putByte(i, (byte)(i * 31 + 7)); // the bytes between the stamps, written once
            }
        }

        @Override
        public boolean offer(final long sequence, final long sentNs)
        {
            if (null == appender)
            {
                appender = queue.createAppender();
            }
            CompareEvent.stamp(source, 0, size, sequence, sentNs);
            try (DocumentContext document = appender.writingDocument())
            {
                try
                {
                    document.wire().bytes().write(sourceStore, 0L, (long)size);
                }
                catch (final RuntimeException | Error ex)
                {
                    document.rollbackOnClose();
                    throw ex;
                }
            }
            return true;
        }

        @Override
        public int poll(final EventSink sink, final int limit)
        {
            if (null == tailer)
            {
                tailer = queue.createTailer();
            }
            int delivered = 0;
            while (delivered < limit)
            {
                try (DocumentContext document = tailer.readingDocument())
                {
                    if (!document.isPresent())
                    {
                        break;
                    }
                    final Bytes<?> bytes = document.wire().bytes();
                    final long length = bytes.readRemaining();
                    CompareEvent.checkLength(NAME, length, size);
                    excerpt.wrap(bytes.addressForRead(bytes.readPosition(), size), size);
                    CompareEvent.deliver(NAME, excerpt, 0, size, size, sink);
                }
                delivered++;
            }
            if (delivered > 0 && tailer.cycle() != tailerCycle)
            {
                tailerCycle = tailer.cycle();
                deleteCyclesBefore(tailerCycle);
            }
            return delivered;
        }

        /**
         * Delete the files of cycles the tailer has left: it never goes back, and the appender is never
         * behind it. A file still mapped stays readable until unmapped; only its name goes.
         */
        private void deleteCyclesBefore(final int cycle)
        {
            final Map<Integer, File> done = cycleFiles.headMap(cycle);
            for (final Map.Entry<Integer, File> entry : done.entrySet())
            {
                try
                {
                    Files.deleteIfExists(entry.getValue().toPath());
                }
                catch (final IOException ex)
                {
                    throw new IllegalStateException(
                        NAME + " could not delete " + entry.getValue() + ", a queue file the consumer has read: " + ex +
                        "; the events of the run would fill tmpfs", ex);
                }
                done.remove(entry.getKey());
            }
        }

        /**
         * One excerpt written and read back on this thread: the check of {@link ChronicleContender#start}.
         */
        void selfTest()
        {
            if (!offer(42, 4242))
            {
                throw new IllegalStateException("the appender refused an excerpt");
            }
            final long[] seen = {-1, -1};
            final int delivered = poll((seq, sentNs) ->
            {
                seen[0] = seq;
                seen[1] = sentNs;
            }, 1);
            if (1 != delivered || 42 != seen[0] || 4242 != seen[1])
            {
                throw new IllegalStateException(
                    "an excerpt written came back as " + delivered + " excerpt(s), sequence " + seen[0] + " sent at " +
                    seen[1] + " instead of 1, 42 and 4242");
            }
        }

        /**
         * Close the queue (and with it the appender and tailer), unmap its files and delete its directory.
         */
        @Override
        public void close()
        {
            closeAll(queue, sourceStore, directory);
        }

        private static void closeAll(
            final SingleChronicleQueue queue, final BytesStore<?, Void> store, final OwnedDirectory directory)
        {
            try
            {
                if (null != queue)
                {
                    queue.close();
                    BackgroundResourceReleaser.releasePendingResources(); // unmap before the files go
                }
            }
            finally
            {
                try
                {
                    if (null != store)
                    {
                        store.releaseLast();
                    }
                }
                finally
                {
                    directory.close();
                }
            }
        }
    }

    /**
     * Records the file of each cycle the queue maps, so that the consumer can delete it once read.
     */
    private static final class CycleFileListener implements StoreFileListener
    {
        private final ConcurrentNavigableMap<Integer, File> cycleFiles;

        CycleFileListener(final ConcurrentNavigableMap<Integer, File> cycleFiles)
        {
            this.cycleFiles = cycleFiles;
        }

        @Override
        public void onAcquired(final int cycle, final File file)
        {
            cycleFiles.put(cycle, file);
        }

        @Override
        public void onReleased(final int cycle, final File file)
        {
        }
    }
}
