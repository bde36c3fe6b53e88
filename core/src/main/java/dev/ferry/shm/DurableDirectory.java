package dev.ferry.shm;

import dev.ferry.FerryException;
import org.agrona.CloseHelper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.regex.Pattern;

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
 * accepts only a log segment file where a durable server keeps them,
 * {@code DIR/topics/<topic>/<partition>/seg-<n>}, in a directory whose marker is a regular file and
 * which, with the marker, belongs to this process's user and is writable by no one else. Another
 * user cannot make such a marker, and no other file of this user lies in that shape, so a peer
 * cannot point this process at, say, a private key to pull into a topic.
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

    /**
     * The file holding the directory's storage id, made once.
     */
    public static final String STORAGE_ID_FILE_NAME = "storage.id";

    private static final Pattern SEGMENT_FILE = Pattern.compile("seg-[0-9]{1,9}");
    private static final Pattern PARTITION_DIRECTORY = Pattern.compile("[0-9]{1,4}");

    private final Path path;
    private final FileChannel lockChannel;
    private final long storageId;

    private DurableDirectory(final Path path, final FileChannel lockChannel, final long storageId)
    {
        this.path = path;
        this.lockChannel = lockChannel;
        this.storageId = storageId;
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
            return new DurableDirectory(path, channel, storageId(path));
        }
        catch (final IOException ex)
        {
            CloseHelper.quietClose(channel);
            throw new FerryException(
                "cannot open the data directory " + path + ": " + ex + "; check that its parent exists and is writable", ex);
        }
        catch (final FerryException ex)
        {
            CloseHelper.quietClose(channel);
            throw ex;
        }
    }

    /**
     * @return the id the directory was given when first used, the same for every server that runs on
     * it: a client that reconnects learns from it that the server holds the topics it knew.
     */
    public long storageId()
    {
        return storageId;
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
        CloseHelper.quietClose(lockChannel);
    }

    /**
     * @param file an absolute, normalised path.
     * @return the marked data directory of this user that the file is a log segment of (see the
     * class's notes on trust), or null if it is none.
     */
    public static Path trustedRootOf(final Path file)
    {
        final int names = file.getNameCount();
        if (names < 5 || !SEGMENT_FILE.matcher(file.getFileName().toString()).matches() ||
            !PARTITION_DIRECTORY.matcher(file.getName(names - 2).toString()).matches() ||
            !"topics".equals(file.getName(names - 4).toString()))
        {
            return null;
        }
        final Path root = file.getParent().getParent().getParent().getParent();
        final Path marker = root.resolve(MARKER_FILE_NAME);
        return Files.isRegularFile(marker, LinkOption.NOFOLLOW_LINKS) && ownedAndClosed(marker) && ownedAndClosed(root) ?
            root : null;
    }

    private static long storageId(final Path directory) throws IOException
    {
        final Path file = directory.resolve(STORAGE_ID_FILE_NAME);
        if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS))
        {
            final String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
            try
            {
                return Long.parseUnsignedLong(text, 16);
            }
            catch (final NumberFormatException ex)
            {
                throw new FerryException("the data directory's " + file + " holds '" + text + "', not a storage id; " +
                    "restore it, or remove it if no client of the old server will reconnect");
            }
        }

        final long id = new SecureRandom().nextLong();
        final Path temporary = directory.resolve(STORAGE_ID_FILE_NAME + ".tmp");
        try (FileChannel channel = FileChannel.open(temporary,
            StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE))
        {
            channel.write(ByteBuffer.wrap((Long.toHexString(id) + "\n").getBytes(StandardCharsets.US_ASCII)));
            channel.force(true);
        }
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
        forceDirectory(directory);
        return id;
    }

    /**
     * Force a directory's entries to the device, so that files created, renamed or deleted in it stay
     * so after a power loss.
     *
     * @param directory to force.
     * @throws FerryException naming the directory if it cannot be forced.
     */
    public static void forceDirectory(final Path directory)
    {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ))
        {
            channel.force(true);
        }
        catch (final IOException ex)
        {
            throw new FerryException("cannot force the directory " + directory + " to its device: " + ex, ex);
        }
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
}
