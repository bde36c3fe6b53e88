package dev.ferry.shm;

import dev.ferry.FerryException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A durable server's data directory on disk: its partition logs outlive the process, and peers on the
 * same host map their segment files like those under the shared-memory root.
 * <p>
 * <b>One server at a time.</b> The server holds an exclusive lock on {@value #LOCK_FILE_NAME} in the
 * directory while it runs; the kernel drops it when the process dies, however it dies, so a restarted
 * server takes the directory over at once and a second server on the same directory is refused.
 * <p>
 * <b>Trust.</b> The shared-memory transport maps a peer's file only where the peer cannot lead it to
 * a file it should not read (see {@link dev.ferry.bulk.shm.ShmBulkTransport}). A data directory is
 * such a place once it holds the marker {@value #MARKER_FILE_NAME}: {@link #trustedRootOf(Path)}
 * accepts a file under a directory whose marker is a regular file and which, with the marker, belongs
 * to this process's user and is writable by no one else. Another user cannot make such a marker, so
 * cannot point this process at its user's files; its own user can read them anyway.
 */
public final class DurableDirectory implements AutoCloseable
{
    /**
     * The file whose lock says a server uses the directory.
     */
    public static final String LOCK_FILE_NAME = "ferry-server.lock";

    /**
     * The file that marks a data directory whose files peers may map.
     */
    public static final String MARKER_FILE_NAME = "ferry-durable-root";

    private static final int MAX_DEPTH = 16;

    private final Path path;
    private final FileChannel lockChannel;

    private DurableDirectory(final Path path, final FileChannel lockChannel)
    {
        this.path = path;
        this.lockChannel = lockChannel;
    }

    /**
     * Open a data directory, creating it owner-only if missing, mark it, and lock it for this process.
     *
     * @param directory the data directory.
     * @return the open directory; close it to release the lock.
     * @throws FerryException if it cannot be created, is open to other users, or another running
     *                        server holds it.
     */
    public static DurableDirectory open(final Path directory)
    {
        final Path path = directory.toAbsolutePath().normalize();
        FileChannel channel = null;
        try
        {
            Files.createDirectories(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS) || !ownedAndClosed(path))
            {
                throw new FerryException(
                    "the data directory " + path + " is not a directory of this user that others cannot write to " +
                    "(or is a symbolic link); give a directory of your own, e.g. chmod 700 it");
            }
            channel = FileChannel.open(path.resolve(LOCK_FILE_NAME),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
            final FileLock lock;
            try
            {
                lock = channel.tryLock();
            }
            catch (final OverlappingFileLockException ex)
            {
                throw inUse(path);
            }
            if (null == lock)
            {
                throw inUse(path);
            }
            final Path marker = path.resolve(MARKER_FILE_NAME);
            if (!Files.exists(marker, LinkOption.NOFOLLOW_LINKS))
            {
                Files.createFile(marker, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            return new DurableDirectory(path, channel);
        }
        catch (final IOException ex)
        {
            closeQuietly(channel);
            throw new FerryException(
                "cannot open the data directory " + path + ": " + ex + "; check that its parent exists and is writable", ex);
        }
        catch (final FerryException ex)
        {
            closeQuietly(channel);
            throw ex;
        }
    }

    /**
     * @return the directory's absolute path.
     */
    public Path path()
    {
        return path;
    }

    /**
     * Release the lock; the files stay.
     */
    public void close()
    {
        closeQuietly(lockChannel);
    }

    /**
     * @param file an absolute, normalised path.
     * @return the nearest directory above the file that is a marked data directory of this user
     * (see the class's notes on trust), or null if there is none.
     */
    public static Path trustedRootOf(final Path file)
    {
        Path dir = file.getParent();
        for (int depth = 0; null != dir && depth < MAX_DEPTH; depth++, dir = dir.getParent())
        {
            final Path marker = dir.resolve(MARKER_FILE_NAME);
            if (Files.isRegularFile(marker, LinkOption.NOFOLLOW_LINKS))
            {
                return ownedAndClosed(marker) && ownedAndClosed(dir) ? dir : null;
            }
        }
        return null;
    }

    private static boolean ownedAndClosed(final Path path)
    {
        try
        {
            final PosixFileAttributes attributes =
                Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return attributes.owner().getName().equals(System.getProperty("user.name")) &&
                !attributes.permissions().contains(PosixFilePermission.GROUP_WRITE) &&
                !attributes.permissions().contains(PosixFilePermission.OTHERS_WRITE);
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    private static FerryException inUse(final Path path)
    {
        return new FerryException(
            "the data directory " + path + " is in use by another running Ferry server (it holds " + LOCK_FILE_NAME +
            "); stop that server, or give this one another directory");
    }

    private static void closeQuietly(final FileChannel channel)
    {
        if (null != channel)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignore)
            {
                // nothing more to release
            }
        }
    }
}
