package dev.ferry.log;

import dev.ferry.FerryException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * File operations of durable logs: mapping files that exist, and forcing files and directories to the
 * device. Cold paths only.
 */
final class LogFiles
{
    private LogFiles()
    {
    }

    /**
     * Map all of an existing file for reading and writing; the channel is closed before returning.
     *
     * @param file to map.
     * @param what the file is, for messages.
     * @return the mapping.
     * @throws FerryException naming the file if it cannot be opened or mapped.
     */
    static MappedByteBuffer mapExisting(final Path file, final String what)
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final long size = channel.size();
            if (size > Integer.MAX_VALUE)
            {
                throw new FerryException(
                    "cannot map the " + what + " " + file + ": it is " + size + " bytes, more than Ferry ever " +
                    "writes; it is not Ferry's, move it away");
            }
            return channel.map(FileChannel.MapMode.READ_WRITE, 0, size);
        }
        catch (final IOException ex)
        {
            throw new FerryException(
                "cannot map the " + what + " " + file + ": " + ex + "; check that it is readable and writable by " +
                "this user", ex);
        }
    }

    /**
     * @param file whose size to read.
     * @return its size in bytes.
     * @throws FerryException naming the file if its size cannot be read.
     */
    static long size(final Path file)
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            return channel.size();
        }
        catch (final IOException ex)
        {
            throw new FerryException("cannot read the size of " + file + ": " + ex, ex);
        }
    }

    /**
     * @param file  to look at.
     * @param bytes how many of its first bytes to read.
     * @return true if any of them is not 0: the file holds something.
     * @throws FerryException naming the file if it cannot be read.
     */
    static boolean startsWithContent(final Path file, final int bytes)
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final ByteBuffer head = ByteBuffer.allocate(bytes);
            while (head.hasRemaining() && channel.read(head) > 0)
            {
                continue;
            }
            for (int i = 0; i < head.position(); i++)
            {
                if (0 != head.get(i))
                {
                    return true;
                }
            }
            return false;
        }
        catch (final IOException ex)
        {
            throw new FerryException("cannot read " + file + ": " + ex, ex);
        }
    }

    /**
     * Force a file's content and metadata (its size) to the device.
     *
     * @param file to force.
     * @throws FerryException naming the file if it cannot be forced.
     */
    static void forceFile(final Path file)
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            channel.force(true);
        }
        catch (final IOException ex)
        {
            throw new FerryException("cannot force " + file + " to its device: " + ex, ex);
        }
    }
}
