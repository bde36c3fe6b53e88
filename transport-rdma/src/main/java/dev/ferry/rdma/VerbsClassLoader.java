package dev.ferry.rdma;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.ProtectionDomain;

/**
 * Loads DiSNI ({@code com.ibm.disni.*}) and Ferry's verbs implementation ({@code dev.ferry.rdma.verbs.*})
 * itself, child-first, from the class files its parent can see, and answers
 * {@code System.loadLibrary("disni")} from those classes with the file {@link NativeLibrary} found.
 * Everything else (core, Agrona, SLF4J, the JDK) comes from the parent, so the implementation's
 * {@code BulkTransport} is core's.
 * <p>
 * Why: DiSNI's {@code NativeDispatcher} loads its library by name in a static initializer, and
 * {@code java.library.path} cannot be changed once the JVM runs; a class loader's
 * {@link #findLibrary(String)} is the supported way to say where a named library lives. A native
 * library can be loaded by one class loader only, so there is one such loader per JVM.
 */
final class VerbsClassLoader extends ClassLoader
{
    private static final String[] ISOLATED_PACKAGES = { "com.ibm.disni.", "dev.ferry.rdma.verbs." };
    private static final String LIBRARY_NAME = "disni";

    static
    {
        registerAsParallelCapable();
    }

    private final Path library;
    private final ProtectionDomain protectionDomain;

    /**
     * @param parent  that holds every class, including the isolated ones' class files.
     * @param library the {@code libdisni.so} to load for {@code System.loadLibrary("disni")}.
     */
    VerbsClassLoader(final ClassLoader parent, final Path library)
    {
        super("ferry-rdma-verbs", parent);
        this.library = library.toAbsolutePath();
        this.protectionDomain = VerbsClassLoader.class.getProtectionDomain();
    }

    protected Class<?> loadClass(final String name, final boolean resolve) throws ClassNotFoundException
    {
        if (!isIsolated(name))
        {
            return super.loadClass(name, resolve);
        }

        synchronized (getClassLoadingLock(name))
        {
            Class<?> loaded = findLoadedClass(name);
            if (null == loaded)
            {
                loaded = findClass(name);
            }
            if (resolve)
            {
                resolveClass(loaded);
            }
            return loaded;
        }
    }

    protected Class<?> findClass(final String name) throws ClassNotFoundException
    {
        if (!isIsolated(name))
        {
            throw new ClassNotFoundException(name);
        }

        final String resource = name.replace('.', '/') + ".class";
        try (InputStream in = getParent().getResourceAsStream(resource))
        {
            if (null == in)
            {
                throw new ClassNotFoundException(
                    name + " is not on the class path; the RDMA transport needs com.ibm.disni:disni and " +
                    "ferry-transport-rdma there");
            }
            final byte[] bytes = in.readAllBytes();
            return defineClass(name, bytes, 0, bytes.length, protectionDomain);
        }
        catch (final IOException ex)
        {
            throw new ClassNotFoundException("cannot read " + resource + " from the class path: " + ex, ex);
        }
    }

    protected String findLibrary(final String name)
    {
        return LIBRARY_NAME.equals(name) ? library.toString() : null;
    }

    private static boolean isIsolated(final String name)
    {
        for (final String prefix : ISOLATED_PACKAGES)
        {
            if (name.startsWith(prefix))
            {
                return true;
            }
        }
        return false;
    }
}
