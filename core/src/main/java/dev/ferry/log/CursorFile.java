package dev.ferry.log;

import dev.ferry.FerryException;
import dev.ferry.shm.DurableDirectory;
import dev.ferry.shm.MappedFiles;
import org.agrona.IoUtil;
import org.agrona.collections.Object2IntHashMap;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The named consumer cursors of a durable {@link PartitionLog}, kept in a memory-mapped file
 * {@value #FILE_NAME} in the log's directory: owner-only, a header slot and then one fixed-size slot
 * per name, little-endian.
 * <pre>
 *  Header (slot 0)
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                       Magic ("FCUR")                          |  0
 *  +---------------------------------------------------------------+
 *  |                          Version                              |  4
 *  +---------------------------------------------------------------+
 *  |                        Slot Length                            |  8
 *  +---------------------------------------------------------------+
 *  |                    Zeros to the slot's end                   ...
 *  +---------------------------------------------------------------+
 *
 *  Slot n, at n * Slot Length (n &gt;= 1)
 *  +---------------------------------------------------------------+
 *  |                  Cursor (next event to read)                  |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                         Name Length                           |  8
 *  +---------------------------------------------------------------+
 *  |                  Marker (non-zero: slot in use)               | 12
 *  +---------------------------------------------------------------+
 *  |                  Name (UTF-8, at most 255 bytes)             ...  16
 * ...                                                              |
 *  +---------------------------------------------------------------+
 * </pre>
 * The header is written before any slot (and forced, unless the policy is {@link FsyncPolicy#NONE}),
 * so a file whose header is all zeros was cut short while being created, and is made again. A name
 * is given a slot by writing its length and bytes, then the cursor with release ordering, then the
 * marker with release ordering: a slot whose marker is 0 was never completed and is free.
 * A cursor moves by one ordered 8-byte write, which no crash can tear. Slots are 512 bytes, so none
 * straddles a page; the file doubles, and is mapped again, when its slots run out.
 * <p>
 * Not thread-safe: owned by its log's thread. Moving the cursor of a known name allocates nothing.
 */
final class CursorFile
{
    /**
     * Name of the file in the log's directory.
     */
    static final String FILE_NAME = "cursors";

    /**
     * Longest name, in UTF-8 bytes.
     */
    static final int NAME_LENGTH_MAX = 255;

    static final int SLOT_LENGTH = 512;
    static final int MAGIC = 0x52554346; // "FCUR" little-endian
    static final int VERSION = 1;
    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 4;
    static final int SLOT_LENGTH_OFFSET = 8;
    static final int CURSOR_OFFSET = 0;
    static final int NAME_LENGTH_OFFSET = 8;
    static final int MARKER_OFFSET = 12;
    static final int NAME_OFFSET = 16;
    static final int MARKER = 1;

    /**
     * A new file holds a header and 7 slots: one page.
     */
    static final int INITIAL_LENGTH = 8 * SLOT_LENGTH;

    private static final Logger LOGGER = LoggerFactory.getLogger(CursorFile.class);
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final boolean NATIVE_IS_ORDER = ByteOrder.nativeOrder() == ORDER;

    private final Path file;
    private final FsyncPolicy fsyncPolicy;
    private final Object2IntHashMap<String> slotsByName = new Object2IntHashMap<>(-1);
    private MappedByteBuffer mapping;
    private final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);
    private int nextSlot = 1;
    private boolean dirty;

    private CursorFile(final Path file, final FsyncPolicy fsyncPolicy, final MappedByteBuffer mapping)
    {
        this.file = file;
        this.fsyncPolicy = fsyncPolicy;
        wrap(mapping);
    }

    /**
     * Open the cursor file of a log's directory, or create it if missing.
     *
     * @param directory    of the log.
     * @param fsyncPolicy  of the log.
     * @param committedEnd of the recovered log: a cursor beyond it, moved past events that a power loss
     *                     took away, is brought back to it.
     * @return the cursors.
     * @throws FerryException naming the file and what to do if it cannot be created or mapped, or is
     *                        not a cursor file.
     */
    static CursorFile openOrCreate(final Path directory, final FsyncPolicy fsyncPolicy, final long committedEnd)
    {
        final Path file = directory.resolve(FILE_NAME);
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !LogFiles.startsWithContent(file, SLOT_LENGTH_OFFSET + 4))
        {
            LOGGER.warn("partition log {}: replaced {}, whose creation a crash cut short: it held no cursor yet",
                directory, file);
            try
            {
                Files.delete(file);
            }
            catch (final IOException ex)
            {
                throw new FerryException(
                    "cannot replace the unfinished cursor file " + file + ": " + ex + "; remove it by hand", ex);
            }
        }

        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS))
        {
            final MappedByteBuffer mapping = MappedFiles.createZeroFilled(
                file, INITIAL_LENGTH, "cursor file", "use fewer partitions");
            final CursorFile cursors = new CursorFile(file, fsyncPolicy, mapping);
            cursors.buffer.putInt(MAGIC_OFFSET, MAGIC, ORDER);
            cursors.buffer.putInt(VERSION_OFFSET, VERSION, ORDER);
            cursors.buffer.putInt(SLOT_LENGTH_OFFSET, SLOT_LENGTH, ORDER);
            if (FsyncPolicy.NONE != fsyncPolicy)
            {
                mapping.force();
                DurableDirectory.forceDirectory(directory);
            }
            return cursors;
        }

        final CursorFile cursors = new CursorFile(file, fsyncPolicy, LogFiles.mapExisting(file, "cursor file"));
        cursors.load(committedEnd);
        return cursors;
    }

    /**
     * @param name of a consumer.
     * @return its cursor; 0 for a name never stored.
     */
    long get(final String name)
    {
        final int slot = slotsByName.getValue(name);
        return slot < 0 ? 0 : getCursor(slot);
    }

    /**
     * Move a consumer's cursor forward to {@code next} if it is behind, storing a new name in a new
     * slot, and force it if the policy says so.
     *
     * @param name of the consumer.
     * @param next the cursor's new value.
     * @throws IllegalArgumentException if a new name is longer than {@value #NAME_LENGTH_MAX} UTF-8 bytes.
     */
    void advance(final String name, final long next)
    {
        final int slot = slotsByName.getValue(name);
        if (slot >= 0)
        {
            if (next > getCursor(slot))
            {
                putCursorRelease(slot, next);
                afterWrite(slot);
            }
            return;
        }

        final byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        if (nameBytes.length > NAME_LENGTH_MAX)
        {
            throw new IllegalArgumentException(
                "consumer name '" + name + "' is " + nameBytes.length + " bytes in UTF-8, but a durable partition " +
                "log stores names of at most " + NAME_LENGTH_MAX + " bytes; subscribe with a shorter name");
        }
        if ((long)(nextSlot + 1) * SLOT_LENGTH > buffer.capacity())
        {
            grow();
        }

        final int newSlot = nextSlot++;
        final int offset = newSlot * SLOT_LENGTH;
        buffer.setMemory(offset, SLOT_LENGTH, (byte)0);
        buffer.putInt(offset + NAME_LENGTH_OFFSET, nameBytes.length, ORDER);
        buffer.putBytes(offset + NAME_OFFSET, nameBytes);
        putCursorRelease(newSlot, next);
        if (FsyncPolicy.BATCH == fsyncPolicy)
        {
            mapping.force(offset, SLOT_LENGTH); // the name and cursor before the marker that makes them count
        }
        buffer.putIntRelease(offset + MARKER_OFFSET, toOrder(MARKER));
        slotsByName.put(name, newSlot);
        afterWrite(newSlot);
    }

    /**
     * @return true if a cursor moved since the file was last forced.
     */
    boolean isDirty()
    {
        return dirty;
    }

    /**
     * Force the whole file to the device.
     */
    void force()
    {
        mapping.force();
        dirty = false;
    }

    /**
     * @return the file.
     */
    Path file()
    {
        return file;
    }

    private void afterWrite(final int slot)
    {
        if (FsyncPolicy.BATCH == fsyncPolicy)
        {
            mapping.force(slot * SLOT_LENGTH, SLOT_LENGTH);
        }
        else if (FsyncPolicy.INTERVAL == fsyncPolicy)
        {
            dirty = true;
        }
    }

    private long getCursor(final int slot)
    {
        return buffer.getLong(slot * SLOT_LENGTH + CURSOR_OFFSET, ORDER);
    }

    private void putCursorRelease(final int slot, final long value)
    {
        buffer.putLongRelease(slot * SLOT_LENGTH + CURSOR_OFFSET, NATIVE_IS_ORDER ? value : Long.reverseBytes(value));
    }

    private void load(final long committedEnd)
    {
        final int length = buffer.capacity();
        if (length < 2 * SLOT_LENGTH || 0 != length % SLOT_LENGTH ||
            MAGIC != buffer.getInt(MAGIC_OFFSET, ORDER) ||
            VERSION != buffer.getInt(VERSION_OFFSET, ORDER) ||
            SLOT_LENGTH != buffer.getInt(SLOT_LENGTH_OFFSET, ORDER))
        {
            throw new FerryException(
                "cannot open the consumer cursors of partition log " + file.getParent() + ": " + file + " (" + length +
                " bytes) is not a cursor file of this version of Ferry; move it away, and every consumer of the " +
                "partition starts again from event 0");
        }

        final int slots = length / SLOT_LENGTH;
        for (int slot = 1; slot < slots; slot++)
        {
            final int offset = slot * SLOT_LENGTH;
            if (0 == buffer.getInt(offset + MARKER_OFFSET, ORDER))
            {
                continue;
            }

            nextSlot = slot + 1;
            final int nameLength = buffer.getInt(offset + NAME_LENGTH_OFFSET, ORDER);
            if (nameLength < 0 || nameLength > NAME_LENGTH_MAX)
            {
                LOGGER.warn("skipped slot {} of {}: its name length {} is not 0 to {}; the slot is damaged",
                    slot, file, nameLength, NAME_LENGTH_MAX);
                continue;
            }

            final byte[] nameBytes = new byte[nameLength];
            buffer.getBytes(offset + NAME_OFFSET, nameBytes);
            final String name = new String(nameBytes, StandardCharsets.UTF_8);
            final long cursor = getCursor(slot);
            if (cursor > committedEnd)
            {
                LOGGER.warn("consumer '{}' of partition log {} had acknowledged up to event {}, but the log " +
                    "recovered only events up to {}: its cursor goes back to {}", name, file.getParent(), cursor - 1,
                    committedEnd - 1, committedEnd);
                putCursorRelease(slot, committedEnd);
                dirty = true;
            }

            final int previous = slotsByName.getValue(name);
            if (previous >= 0 && getCursor(previous) >= getCursor(slot))
            {
                continue;
            }
            slotsByName.put(name, slot);
        }

        if (dirty && FsyncPolicy.NONE != fsyncPolicy)
        {
            force();
        }
        dirty = false;
    }

    private void grow()
    {
        final long length = buffer.capacity();
        final long newLength = 2 * length;
        if (newLength > Integer.MAX_VALUE)
        {
            throw new FerryException(
                "the cursor file " + file + " of a partition log is full with " + slotsByName.size() + " consumer " +
                "names; use fewer consumer names per partition");
        }

        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            IoUtil.fill(channel, length, newLength - length, (byte)0);
            if (FsyncPolicy.NONE != fsyncPolicy)
            {
                channel.force(true);
            }
            wrap(channel.map(FileChannel.MapMode.READ_WRITE, 0, newLength));
        }
        catch (final IOException ex)
        {
            throw new FerryException(
                "cannot grow the cursor file " + file + " of a partition log to " + newLength + " bytes: " + ex +
                "; check free space and permissions there", ex);
        }
    }

    private void wrap(final MappedByteBuffer mapping)
    {
        this.mapping = mapping; // the one it replaces is unmapped by the garbage collector
        buffer.wrap(mapping);
    }

    private static int toOrder(final int value)
    {
        return NATIVE_IS_ORDER ? value : Integer.reverseBytes(value);
    }

    public String toString()
    {
        return "CursorFile{file=" + file + ", names=" + slotsByName.size() + ", slots=" +
            (buffer.capacity() / SLOT_LENGTH - 1) + "}";
    }
}
