package dev.ferry.shm;

import dev.ferry.FerryException;
import dev.ferry.buffer.Sizes;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Creates the files Ferry maps (pool slabs, log segments): owner-only, zero-filled, mapped for
 * reading and writing.
 * <p>
 * Every page is written when the file is created, so a full tmpfs fails here with a clear error
 * instead of killing the process with SIGBUS on the first write into a page that cannot be backed.
 * The zeros go out in writes of {@value #ZEROS_BYTES} bytes from one direct buffer: with Agrona's
 * {@code IoUtil.fill} (4 KiB heap blocks, each copied to a temporary direct buffer) a 64 MiB log
 * segment took the preparer longer to make than the server took to fill one with 4 KiB events
 * ({@code PartitionLogBenchmark}). The mapping is then loaded ({@link MappedByteBuffer#load()} touches
 * every page), so the page faults of a fresh mapping are taken here, on whichever thread creates the
 * file (the log's preparer), and not one by one by the I/O agent that writes into it. Whoever creates
 * a mapping owns it and decides when to unmap it.
 */
public final class MappedFiles
{
    static final int ZEROS_BYTES = 1 << 20;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(ZEROS_BYTES).asReadOnlyBuffer();

    private MappedFiles()
    {
    }

    /**
     * Create an owner-only file of {@code length} zero bytes and map all of it for reading and writing.
     * The file's channel is closed before returning; the mapping stays valid until unmapped.
     *
     * @param file       to create; must not exist.
     * @param length     of the file in bytes.
     * @param what       what the file is, for messages, e.g. {@code "slab"} or {@code "log segment"}.
     * @param toNeedLess what the user can lower to need less memory, e.g. {@code "lower the pool's bound"}.
     * @return the mapping of the whole file.
     * @throws FerryException naming the file, its size and what to do, if its file system lacks the
     *                        space or the file cannot be created, filled or mapped.
     */
    public static MappedByteBuffer createZeroFilled(
        final Path file, final int length, final String what, final String toNeedLess)
    {
        try
        {
            final long usable = Files.getFileStore(file.getParent()).getUsableSpace();
            if (usable < length)
            {
                throw new FerryException(
                    "cannot create a " + Sizes.format(length) + " " + what + " at " + file + ": its file system has " +
                    "only " + Sizes.format(usable) + " free; free space there, " + toNeedLess + ", or move Ferry's " +
                    "directory with -D" + ShmDirectory.DIR_PROP_NAME + "=DIR");
            }

            try (FileChannel channel = ShmDirectory.createOwnerOnlyFile(file))
            {
                try
                {
                    writeZeros(channel, length);
                    final MappedByteBuffer mapping = channel.map(FileChannel.MapMode.READ_WRITE, 0, length);
                    mapping.load();
                    return mapping;
                }
                catch (final IOException | RuntimeException ex)
                {
                    deleteAfterFailure(file, ex);
                    throw ex;
                }
            }
        }
        catch (final IOException ex)
        {
            throw new FerryException(
                "cannot create a " + Sizes.format(length) + " " + what + " at " + file + ": " + ex + "; check free " +
                "space and permissions there, or " + toNeedLess, ex);
        }
    }

    private static void writeZeros(final FileChannel channel, final int length) throws IOException
    {
        final ByteBuffer zeros = ZEROS.duplicate(); // a position and limit of its own: callers run on any thread
        long position = 0;
        while (position < length)
        {
            zeros.clear().limit((int)Math.min(ZEROS_BYTES, length - position));
            while (zeros.hasRemaining())
            {
                position += channel.write(zeros, position);
            }
        }
    }

    /**
     * The file was created here and is useless now: leave no half-filled file behind, and keep the
     * error that made it useless as the one reported.
     */
    private static void deleteAfterFailure(final Path file, final Exception failure)
    {
        try
        {
            Files.deleteIfExists(file);
        }
        catch (final IOException ex)
        {
            failure.addSuppressed(ex);
        }
    }
}
