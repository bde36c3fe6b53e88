package dev.ferry.test;

import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Temporary directories in {@code /dev/shm} where it exists, so tests map memory the way Ferry does
 * in production (tmpfs, not disk). Use as {@code @TempDir(factory = ShmTempDirFactory.class)};
 * JUnit removes the directory after the test.
 */
public final class ShmTempDirFactory implements TempDirFactory
{
    public Path createTempDirectory(final AnnotatedElementContext elementContext, final ExtensionContext extensionContext)
        throws IOException
    {
        final Path devShm = Paths.get("/dev/shm");
        return Files.isDirectory(devShm) ?
            Files.createTempDirectory(devShm, "ferry-test-") : Files.createTempDirectory("ferry-test-");
    }
}
