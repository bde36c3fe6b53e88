package dev.ferry.rdma.nativelib;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.lang.reflect.Constructor;
import java.nio.file.Files;
import java.nio.file.Path;

import com.ibm.disni.verbs.impl.NativeDispatcher;

/**
 * The libdisni.so this module built, as the tests find it: on {@code java.library.path}, which the
 * build points at {@code target/classes/META-INF/native/linux-x86_64}.
 */
final class NativeLibrary
{
    private NativeLibrary()
    {
    }

    /**
     * Skips the calling test, with the reason printed, when the build produced no library (the
     * RDMA headers, cmake or a compiler were missing and the build said "RDMA support skipped").
     */
    static void assumeBuilt()
    {
        final String libraryPath = System.getProperty("java.library.path", "");
        final String fileName = System.mapLibraryName("disni");
        boolean found = false;
        for (final String directory : libraryPath.split(File.pathSeparator))
        {
            found |= !directory.isEmpty() && Files.isRegularFile(Path.of(directory, fileName));
        }
        final String reason = fileName + " was not built (the build printed 'RDMA support skipped: ...'); " +
            "java.library.path=" + libraryPath;
        if (!found)
        {
            System.out.println("skipped: " + reason);
        }
        assumeTrue(found, reason);
    }

    /**
     * A dispatcher made the way DiSNI's provider makes it: loading the library, checking its version
     * and adopting its struct sizes.
     *
     * @return a new dispatcher over the built library.
     * @throws ReflectiveOperationException if the constructor fails, with the cause attached.
     */
    static NativeDispatcher newDispatcher() throws ReflectiveOperationException
    {
        final Constructor<NativeDispatcher> constructor = NativeDispatcher.class.getDeclaredConstructor();
        constructor.setAccessible(true);
        return constructor.newInstance();
    }
}
