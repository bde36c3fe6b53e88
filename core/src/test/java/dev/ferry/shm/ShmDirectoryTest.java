package dev.ferry.shm;

import dev.ferry.FerryException;
import dev.ferry.buffer.BufferPool;
import dev.ferry.buffer.Segment;
import dev.ferry.test.ChildJvm;
import dev.ferry.test.ShmTempDirFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(120)
class ShmDirectoryTest
{
    private static final Duration LINE_TIMEOUT = Duration.ofSeconds(60);

    @TempDir(factory = ShmTempDirFactory.class)
    Path temp;

    @Test
    void everythingCreatedIsOwnerOnly() throws IOException
    {
        final Path rootPath = temp.resolve("root");
        final ShmDirectory root = ShmDirectory.open(rootPath);

        try (OwnedDirectory owned = root.createOwned("perm-test");
            BufferPool pool = new BufferPool(new BufferPool.Context()
                .name("perm-test")
                .directory(rootPath)
                .slabBytes(64 << 10)
                .reserveBytes(4 << 10)
                .maxBytes((64 << 10) + (4 << 10))))
        {
            final Segment segment = pool.tryAllocate(100);
            final List<Path> files = new ArrayList<>();
            try (Stream<Path> walk = Files.walk(rootPath))
            {
                walk.forEach(files::add);
            }

            assertTrue(files.contains(owned.path()));
            assertTrue(files.contains(pool.directory().resolve("slab-0")), "the pool's slab file: " + files);
            assertTrue(files.size() >= 8, "root, 2 directories, their lock and owner files, slab and reserve: " + files);
            for (final Path path : files)
            {
                final String expected = Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS) ? "rwx------" : "rw-------";
                assertEquals(expected, permissions(path), path + " is open to others");
            }
            segment.release();
        }
    }

    @Test
    void closingAnOwnedDirectoryRemovesIt() throws IOException
    {
        final ShmDirectory root = ShmDirectory.open(temp);
        final OwnedDirectory owned = root.createOwned("close-test");
        Files.write(owned.path().resolve("data"), new byte[100]);
        assertTrue(owned.path().startsWith(temp), owned.path() + " is under the root");

        owned.close();
        owned.close();

        assertFalse(Files.exists(owned.path()), owned.path() + " is still there after close");
    }

    @Test
    void ownedDirectoryNamesCarryPrefixAndPidAndAreDistinct()
    {
        final ShmDirectory root = ShmDirectory.open(temp);
        try (OwnedDirectory first = root.createOwned("name-test");
            OwnedDirectory second = root.createOwned("name-test"))
        {
            final String prefix = "name-test-" + ProcessHandle.current().pid() + "-";
            assertTrue(first.path().getFileName().toString().startsWith(prefix), first.path().toString());
            assertTrue(second.path().getFileName().toString().startsWith(prefix), second.path().toString());
            assertFalse(first.path().equals(second.path()));
        }

        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> root.createOwned("../escape"));
        assertTrue(ex.getMessage().contains("'../escape' may hold only letters"), ex.getMessage());
    }

    @Test
    void aRootOfOursThatIsOpenToOthersIsTightened() throws IOException
    {
        final Path rootPath = Files.createDirectory(temp.resolve("wide"));
        Files.setPosixFilePermissions(rootPath, PosixFilePermissions.fromString("rwxrwxrwx"));

        final ShmDirectory root = ShmDirectory.open(rootPath);

        assertEquals(rootPath, root.root());
        assertEquals("rwx------", permissions(rootPath));
    }

    @Test
    void aRootThatIsAFileIsRefusedWithAClearError() throws IOException
    {
        final Path file = Files.write(temp.resolve("not-a-dir"), new byte[]{ 1 });

        final FerryException ex = assertThrows(FerryException.class, () -> ShmDirectory.open(file));

        assertTrue(ex.getMessage().contains(file + " exists but is not a directory"), ex.getMessage());
        assertTrue(ex.getMessage().contains("-Dferry.dir=DIR"), ex.getMessage());
    }

    @Test
    void aRootThatIsASymlinkIsRefused() throws IOException
    {
        final Path target = Files.createDirectory(temp.resolve("elsewhere"));
        final Path link = Files.createSymbolicLink(temp.resolve("link"), target);

        final FerryException ex = assertThrows(FerryException.class, () -> ShmDirectory.open(link));

        assertTrue(ex.getMessage().contains("(or is a symlink)"), ex.getMessage());
    }

    @Test
    void theDefaultRootIsFerryDirWhenSet()
    {
        final String previous = System.getProperty(ShmDirectory.DIR_PROP_NAME);
        try
        {
            System.setProperty(ShmDirectory.DIR_PROP_NAME, temp.resolve("a/../b").toString());
            assertEquals(temp.resolve("b"), ShmDirectory.defaultRoot());
        }
        finally
        {
            if (null == previous)
            {
                System.clearProperty(ShmDirectory.DIR_PROP_NAME);
            }
            else
            {
                System.setProperty(ShmDirectory.DIR_PROP_NAME, previous);
            }
        }
    }

    @Test
    void theDirectoriesOfAKilledProcessAreReclaimed()
    {
        final ShmDirectory root = ShmDirectory.open(temp);
        try (ChildJvm child = startOwner())
        {
            final List<Path> dirs = readDirs(child);
            assertTrue(Files.exists(dirs.get(0).resolve("slab-0")), "the child's slab exists before the kill");

            assertEquals(137, child.kill(), "SIGKILL ends the child with 128 + 9");

            assertEquals(2, root.reclaimDead(), "both directories of the killed child are reclaimed");
            for (final Path dir : dirs)
            {
                assertFalse(Files.exists(dir, LinkOption.NOFOLLOW_LINKS), dir + " of the killed child remains");
            }
            assertEquals(0, root.reclaimDead(), "nothing is left to reclaim");
        }
    }

    @Test
    void theDirectoriesOfALiveProcessAreNotReclaimed()
    {
        final ShmDirectory root = ShmDirectory.open(temp);
        try (ChildJvm child = startOwner())
        {
            final List<Path> dirs = readDirs(child);

            assertEquals(0, root.reclaimDead(), "nothing of the live child is reclaimed");
            for (final Path dir : dirs)
            {
                assertTrue(Files.exists(dir.resolve(ShmDirectory.OWNER_FILE_NAME)), dir + " of the live child is gone");
            }
            assertTrue(Files.exists(dirs.get(0).resolve("slab-0")), "the live child's slab is gone");

            child.writeLine("exit");
            assertEquals(0, child.waitForExit(LINE_TIMEOUT), child.stderr());
            for (final Path dir : dirs)
            {
                assertFalse(Files.exists(dir, LinkOption.NOFOLLOW_LINKS), dir + " remains after the child closed it");
            }
        }
    }

    @Test
    void anotherProcessDoesNotReclaimOurDirectoriesAfterWeScannedThem()
    {
        final ShmDirectory root = ShmDirectory.open(temp);
        try (OwnedDirectory first = root.createOwned("ours");
            OwnedDirectory second = root.createOwned("ours"))
        {
            assertEquals(0, root.reclaimDead(), "we do not reclaim our own directories");

            try (ChildJvm child = ChildJvm.builder(ShmDirectoryChild.class)
                .args(temp.toString(), "reclaim")
                .start())
            {
                assertEquals("RECLAIMED 0", child.readLine(LINE_TIMEOUT), child.stderr());
                assertEquals(0, child.waitForExit(LINE_TIMEOUT), child.stderr());
            }

            assertTrue(Files.exists(first.path().resolve(ShmDirectory.OWNER_FILE_NAME)), first + " was reclaimed");
            assertTrue(Files.exists(second.path().resolve(ShmDirectory.OWNER_FILE_NAME)), second + " was reclaimed");
        }
    }

    private ChildJvm startOwner()
    {
        return ChildJvm.builder(ShmDirectoryChild.class).args(temp.toString(), "own").start();
    }

    private static List<Path> readDirs(final ChildJvm child)
    {
        final List<Path> dirs = new ArrayList<>();
        String line;
        while (!"READY".equals(line = child.readLine(LINE_TIMEOUT)))
        {
            if (!line.startsWith("DIR "))
            {
                throw child.failure("printed '" + line + "', not DIR or READY");
            }
            dirs.add(Paths.get(line.substring(4)));
        }
        assertEquals(2, dirs.size(), child.stderr());
        for (final Path dir : dirs)
        {
            assertTrue(Files.isDirectory(dir), dir + " of the child does not exist");
        }

        return dirs;
    }

    private static String permissions(final Path path) throws IOException
    {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    }
}
