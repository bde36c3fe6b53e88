package dev.ferry.shm;

import dev.ferry.FerryException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Ferry's shared-memory directory: the root under which every process keeps the files it maps
 * (pool slabs, partition logs, the embedded media driver), one owned sub-directory each.
 * <p>
 * Layout:
 * <pre>
 *   /dev/shm/ferry-$USER/                 root, mode 0700, one per user
 *   ├── pool-producer-4711-1/             an {@link OwnedDirectory}, mode 0700
 *   │   ├── owner.lock                    held locked (fcntl) by the owning process while it lives
 *   │   ├── owner                         "pid=4711\nboot=...\n", written after the lock is held
 *   │   ├── slab-0                        mode 0600, mapped by the owner, read-only by peers
 *   │   └── slab-1
 *   └── ...
 * </pre>
 * The kernel drops a process's file locks when it dies, so a directory whose lock can be taken and
 * whose {@code owner} file exists belongs to a dead process; {@link #reclaimDead()} removes it. This
 * needs no pid bookkeeping and cannot be fooled by pid reuse. A directory without an {@code owner}
 * file is being created right now, or its owner died in the few instructions between creating and
 * locking it; it is reclaimed only once it is older than {@link #UNCLAIMED_GRACE}.
 * <p>
 * The root is {@code ferry.dir} if that system property is set, else {@code /dev/shm/ferry-$USER}
 * where {@code /dev/shm} exists, else {@code $java.io.tmpdir/ferry-$USER}.
 */
public final class ShmDirectory
{
    /**
     * System property naming the root directory.
     */
    public static final String DIR_PROP_NAME = "ferry.dir";

    /**
     * Age after which a directory that never got an owner file is taken for abandoned.
     */
    public static final Duration UNCLAIMED_GRACE = Duration.ofSeconds(30);

    static final String LOCK_FILE_NAME = "owner.lock";
    static final String OWNER_FILE_NAME = "owner";

    private static final Logger LOGGER = LoggerFactory.getLogger(ShmDirectory.class);
    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    /**
     * Owned directories of this process. Never opened by {@link #reclaimDead()}: closing any channel
     * on a lock file drops every fcntl lock the process holds on that file, so probing our own lock
     * would leave the directory unlocked and let another process reclaim it while we live.
     */
    private static final Set<Path> OWNED_HERE = ConcurrentHashMap.newKeySet();

    private final Path root;

    private ShmDirectory(final Path root)
    {
        this.root = root;
    }

    /**
     * @return the root named by {@code ferry.dir}, or the platform default.
     */
    public static Path defaultRoot()
    {
        final String configured = System.getProperty(DIR_PROP_NAME);
        if (null != configured && !configured.isBlank())
        {
            return Paths.get(configured).toAbsolutePath().normalize();
        }

        final String user = System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9._-]", "_");
        final Path devShm = Paths.get("/dev/shm");
        final Path base = Files.isDirectory(devShm) ? devShm : Paths.get(System.getProperty("java.io.tmpdir"));

        return base.resolve("ferry-" + user).toAbsolutePath().normalize();
    }

    /**
     * Open the root, creating it owner-only if missing.
     *
     * @param root directory to use as the root.
     * @return the opened root.
     * @throws FerryException if it cannot be created, is not a directory, or is open to other users.
     */
    public static ShmDirectory open(final Path root)
    {
        final Path absolute = root.toAbsolutePath().normalize();
        try
        {
            if (!Files.exists(absolute, LinkOption.NOFOLLOW_LINKS))
            {
                Files.createDirectories(absolute.getParent());
                try
                {
                    Files.createDirectory(absolute, PosixFilePermissions.asFileAttribute(OWNER_DIR));
                }
                catch (final FileAlreadyExistsException ignore)
                {
                    // another process created it first: checked below like any existing root
                }
            }

            if (!Files.isDirectory(absolute, LinkOption.NOFOLLOW_LINKS))
            {
                throw new FerryException(
                    "Ferry's shared-memory root " + absolute + " exists but is not a directory (or is a symlink); " +
                    "remove it or choose another root with -D" + DIR_PROP_NAME + "=DIR");
            }

            final Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(absolute, LinkOption.NOFOLLOW_LINKS);
            if (!OWNER_DIR.containsAll(permissions))
            {
                final String owner = Files.getOwner(absolute, LinkOption.NOFOLLOW_LINKS).getName();
                if (!owner.equals(System.getProperty("user.name")))
                {
                    throw new FerryException(
                        "Ferry's shared-memory root " + absolute + " belongs to '" + owner + "' and is open to other " +
                        "users (" + PosixFilePermissions.toString(permissions) + "); choose your own root with -D" +
                        DIR_PROP_NAME + "=DIR");
                }
                Files.setPosixFilePermissions(absolute, OWNER_DIR);
            }
        }
        catch (final IOException ex)
        {
            throw new FerryException(
                "cannot create Ferry's shared-memory root " + absolute + ": " + ex + "; check that its parent is " +
                "writable, or choose another root with -D" + DIR_PROP_NAME + "=DIR", ex);
        }

        return new ShmDirectory(absolute);
    }

    /**
     * @return the absolute root path.
     */
    public Path root()
    {
        return root;
    }

    /**
     * Create a new directory owned by this process, after reclaiming the directories of dead processes.
     *
     * @param prefix what the directory is for, e.g. {@code pool-producer}; letters, digits, '.', '_' and '-'.
     * @return the directory, locked for as long as it is open.
     */
    public OwnedDirectory createOwned(final String prefix)
    {
        if (!prefix.matches("[A-Za-z0-9._-]+"))
        {
            throw new IllegalArgumentException(
                "directory prefix '" + prefix + "' may hold only letters, digits, '.', '_' and '-'");
        }

        reclaimDead();

        final long pid = ProcessHandle.current().pid();
        final Path dir = root.resolve(prefix + "-" + pid + "-" + SEQUENCE.incrementAndGet());
        OWNED_HERE.add(dir);
        FileChannel lockChannel = null;
        try
        {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_DIR));
            lockChannel = FileChannel.open(
                dir.resolve(LOCK_FILE_NAME),
                EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(OWNER_FILE));
            final FileLock lock = lockChannel.lock();
            final String owner = "pid=" + pid + "\nboot=" + HostIdentity.bootId() + "\n";
            final Path ownerFile = Files.createFile(
                dir.resolve(OWNER_FILE_NAME), PosixFilePermissions.asFileAttribute(OWNER_FILE));
            Files.write(ownerFile, owner.getBytes(StandardCharsets.US_ASCII));

            return new OwnedDirectory(dir, lockChannel, lock);
        }
        catch (final IOException ex)
        {
            closeQuietly(lockChannel);
            deleteRecursively(dir);
            OWNED_HERE.remove(dir);
            throw new FerryException(
                "cannot create " + dir + " in Ferry's shared-memory root: " + ex + "; check free space and " +
                "permissions there, or choose another root with -D" + DIR_PROP_NAME + "=DIR", ex);
        }
    }

    /**
     * Remove the owned directories of processes that are no longer alive.
     *
     * @return how many directories were removed.
     */
    public int reclaimDead()
    {
        int reclaimed = 0;
        try (DirectoryStream<Path> children = Files.newDirectoryStream(root))
        {
            for (final Path child : children)
            {
                if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS) && reclaimIfDead(child))
                {
                    reclaimed++;
                }
            }
        }
        catch (final IOException ex)
        {
            LOGGER.warn("could not scan {} for directories of dead processes: {}", root, ex.toString());
        }

        return reclaimed;
    }

    private static boolean reclaimIfDead(final Path dir)
    {
        if (OWNED_HERE.contains(dir))
        {
            return false;
        }

        final Path lockFile = dir.resolve(LOCK_FILE_NAME);
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE))
        {
            final FileLock lock;
            try
            {
                lock = channel.tryLock();
            }
            catch (final OverlappingFileLockException ex)
            {
                return false; // another thread of this process is reclaiming it
            }

            if (null == lock)
            {
                return false; // held by a live process
            }

            try
            {
                if (!Files.exists(dir.resolve(OWNER_FILE_NAME)) && isYoungerThanGrace(dir))
                {
                    return false;
                }
                deleteRecursively(dir);
                LOGGER.info("reclaimed {}: its owning process is no longer alive", dir);
                return true;
            }
            finally
            {
                lock.release();
            }
        }
        catch (final NoSuchFileException ex)
        {
            if (!isYoungerThanGrace(dir))
            {
                deleteRecursively(dir);
                LOGGER.info("reclaimed {}: it never got an owner", dir);
                return true;
            }
            return false;
        }
        catch (final IOException ex)
        {
            LOGGER.warn("could not check whether {} belongs to a live process: {}", dir, ex.toString());
            return false;
        }
    }

    private static boolean isYoungerThanGrace(final Path dir)
    {
        try
        {
            final FileTime modified = Files.getLastModifiedTime(dir, LinkOption.NOFOLLOW_LINKS);
            return System.currentTimeMillis() - modified.toMillis() < UNCLAIMED_GRACE.toMillis();
        }
        catch (final IOException ex)
        {
            return true;
        }
    }

    /**
     * Create a file readable and writable by its owner only.
     *
     * @param file to create; must not exist.
     * @return a channel open for reading and writing.
     * @throws IOException if the file exists or cannot be created.
     */
    public static FileChannel createOwnerOnlyFile(final Path file) throws IOException
    {
        return FileChannel.open(
            file,
            EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE),
            PosixFilePermissions.asFileAttribute(OWNER_FILE));
    }

    /**
     * Called by {@link OwnedDirectory#close()} once the directory is removed and its lock dropped.
     *
     * @param dir no longer owned by this process.
     */
    static void forgetOwned(final Path dir)
    {
        OWNED_HERE.remove(dir);
    }

    static void deleteRecursively(final Path dir)
    {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS))
        {
            return;
        }

        try (Stream<Path> walk = Files.walk(dir))
        {
            walk.sorted(Comparator.reverseOrder()).forEach(
                (path) ->
                {
                    try
                    {
                        Files.deleteIfExists(path);
                    }
                    catch (final IOException ex)
                    {
                        throw new UncheckedIOException(ex);
                    }
                });
        }
        catch (final IOException | UncheckedIOException ex)
        {
            LOGGER.warn("could not remove {} completely: {}", dir, ex.toString());
        }
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
                // already failing with a better error
            }
        }
    }
}
