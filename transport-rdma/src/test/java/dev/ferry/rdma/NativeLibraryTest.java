package dev.ferry.rdma;

import dev.ferry.bulk.BulkTransportException;
import dev.ferry.test.TestBytes;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Extraction of the library to an owner-only directory named by its hash: made once, reused, a
 * corrupted copy replaced, unsafe directories refused.
 */
class NativeLibraryTest
{
    @TempDir
    Path tmp;

    @Test
    void extractsToAnOwnerOnlyDirectoryNamedByTheContentHash() throws IOException
    {
        final byte[] library = TestBytes.seeded(1, 100_000);
        final Path userDirectory = tmp.resolve("ferry-native-test");

        final Path file = NativeLibrary.extract(library, userDirectory);

        assertEquals(userDirectory.resolve(NativeLibrary.sha256(library).substring(0, 16)).resolve("libdisni.so"), file);
        assertArrayEquals(library, Files.readAllBytes(file));
        assertEquals("rwx------", permissions(userDirectory));
        assertEquals("rwx------", permissions(file.getParent()));
        assertTrue(permissions(file).matches("r.x------|rw.------"), permissions(file));
        try (var entries = Files.list(file.getParent()))
        {
            assertEquals(1, entries.count(), "no temporary file left behind");
        }
    }

    @Test
    void reusesAnIntactCopyAndReplacesACorruptedOne() throws IOException
    {
        final byte[] library = TestBytes.seeded(2, 50_000);
        final Path userDirectory = tmp.resolve("ferry-native-test");
        final Path file = NativeLibrary.extract(library, userDirectory);
        final Object firstCopy = Files.readAttributes(file, "unix:ino").get("ino");

        assertEquals(file, NativeLibrary.extract(library, userDirectory));
        assertEquals(firstCopy, Files.readAttributes(file, "unix:ino").get("ino"), "an intact copy is reused");

        Files.write(file, new byte[]{ 1, 2, 3 });
        assertEquals(file, NativeLibrary.extract(library, userDirectory));
        assertArrayEquals(library, Files.readAllBytes(file), "a corrupted copy is replaced");

        final Path other = NativeLibrary.extract(TestBytes.seeded(3, 50_000), userDirectory);
        assertTrue(!other.getParent().equals(file.getParent()), "another build gets another directory");
        assertArrayEquals(library, Files.readAllBytes(file));
    }

    @Test
    void refusesDirectoriesOthersCouldWriteOrThatLeadElsewhere() throws IOException
    {
        final byte[] library = TestBytes.seeded(4, 1000);
        final Path open = Files.createDirectory(tmp.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));

        final BulkTransportException openEx =
            assertThrows(BulkTransportException.class, () -> NativeLibrary.extract(library, open));
        assertTrue(openEx.getMessage().startsWith("refusing to load the RDMA library from " + open +
            ": it is open to others (rwxrwxrwx), so its code could be anyone's"), openEx.getMessage());

        final Path target = Files.createDirectory(tmp.resolve("target"));
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwx------"));
        final Path link = Files.createSymbolicLink(tmp.resolve("link"), target);
        final BulkTransportException linkEx =
            assertThrows(BulkTransportException.class, () -> NativeLibrary.extract(library, link));
        assertTrue(linkEx.getMessage().contains("it is a symbolic link"), linkEx.getMessage());
    }

    @Test
    void extractsThePackagedLibraryWhenTheBuildMadeOne() throws IOException
    {
        final ClassLoader resources = NativeLibraryTest.class.getClassLoader();
        Assumptions.assumeTrue(null != resources.getResource(NativeLibrary.RESOURCE) &&
            null == System.getProperty(NativeLibrary.LIBRARY_PROP_NAME),
            "the ferry-native jar on the class path holds no libdisni.so (built without the verbs headers)");

        final Path file = NativeLibrary.locate(resources, tmp);

        try (var in = resources.getResourceAsStream(NativeLibrary.RESOURCE))
        {
            assertArrayEquals(in.readAllBytes(), Files.readAllBytes(file));
        }
        assertTrue(file.startsWith(tmp.resolve("ferry-native-" + System.getProperty("user.name"))), file.toString());
        assertEquals(file, NativeLibrary.locate(resources, tmp));
    }

    private static String permissions(final Path path) throws IOException
    {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    }
}
