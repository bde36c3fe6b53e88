package dev.ferry.shm;

import dev.ferry.FerryException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DurableDirectoryTest
{
    @TempDir
    Path parent;

    @Test
    void aDirectoryIsUsedByOneServerAtATimeAndKeepsItsStorageId()
    {
        final Path dir = parent.resolve("data");
        final long storageId;
        try (DurableDirectory first = DurableDirectory.open(dir))
        {
            storageId = first.storageId();
            assertTrue(Files.isRegularFile(dir.resolve(DurableDirectory.MARKER_FILE_NAME)));
            final FerryException inUse = assertThrows(FerryException.class, () -> DurableDirectory.open(dir));
            assertTrue(inUse.getMessage().contains("is in use by another running Ferry server"), inUse.getMessage());
        }
        try (DurableDirectory again = DurableDirectory.open(dir))
        {
            assertEquals(storageId, again.storageId(), "the same storage for every server on the directory");
        }
        try (DurableDirectory other = DurableDirectory.open(parent.resolve("other")))
        {
            assertTrue(storageId != other.storageId(), "another directory, another storage");
        }
    }

    @Test
    void onlyLogSegmentsOfAMarkedDirectoryOfThisUserAreTrusted() throws IOException
    {
        final Path dir = parent.resolve("data");
        final Path segment = dir.resolve("topics").resolve("frames").resolve("0").resolve("seg-3");
        assertNull(DurableDirectory.trustedRootOf(segment), "no marker yet");

        try (DurableDirectory ignored = DurableDirectory.open(dir))
        {
            assertEquals(dir, DurableDirectory.trustedRootOf(segment));
            assertNull(DurableDirectory.trustedRootOf(dir.resolve("id_rsa")), "not a segment");
            assertNull(DurableDirectory.trustedRootOf(segment.resolveSibling("id_rsa")), "not a segment");
            assertNull(DurableDirectory.trustedRootOf(dir.resolve("topics").resolve("frames").resolve("seg-3")),
                "not where segments are kept");
            assertNull(DurableDirectory.trustedRootOf(dir.resolve("x").resolve("frames").resolve("0").resolve("seg-3")),
                "not under topics/");

            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwx---"));
            assertNull(DurableDirectory.trustedRootOf(segment), "others may write the directory");
        }
    }
}
