package dev.ferry.rdma;

import dev.ferry.bulk.BulkTransport;
import dev.ferry.bulk.BulkTransportException;
import dev.ferry.bulk.BulkTransportProvider;
import dev.ferry.bulk.PeerInfo;

import java.lang.reflect.InvocationTargetException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Provides the RDMA transport when this host can run it: Linux on x86-64, an RDMA device with an
 * IPv4 address on its netdev (or one given), and Ferry's {@code libdisni.so} loadable. Each missing
 * piece is reported by {@link #unsupportedReason()} with what to do.
 * <p>
 * The implementation ({@code dev.ferry.rdma.verbs}) and DiSNI are loaded through one
 * {@link VerbsClassLoader} per JVM, which hands DiSNI the library {@link NativeLibrary} found; the
 * transport comes back as core's {@link BulkTransport}.
 */
public final class RdmaBulkTransportProvider implements BulkTransportProvider
{
    /**
     * The implementation, loaded in the {@link VerbsClassLoader}.
     */
    static final String IMPLEMENTATION = "dev.ferry.rdma.verbs.RdmaBulkTransport";

    private final Path sysfsRoot;

    /**
     * The provider {@link java.util.ServiceLoader} makes: devices from {@link RdmaDevices#SYSFS_ROOT}.
     */
    public RdmaBulkTransportProvider()
    {
        this(RdmaDevices.SYSFS_ROOT);
    }

    /**
     * @param sysfsRoot where RDMA devices are listed.
     */
    RdmaBulkTransportProvider(final Path sysfsRoot)
    {
        this.sysfsRoot = sysfsRoot;
    }

    public String name()
    {
        return RdmaLocator.TRANSPORT_NAME;
    }

    public String unsupportedReason()
    {
        final String os = System.getProperty("os.name");
        final String arch = System.getProperty("os.arch");
        if (!"Linux".equals(os) || !"amd64".equals(arch))
        {
            return "the RDMA transport runs on Linux x86-64 only, this is " + os + " " + arch;
        }

        final RdmaDevices devices = RdmaDevices.find(sysfsRoot, RdmaDevices.addressOverride());
        if (null != devices.unsupportedReason())
        {
            return devices.unsupportedReason();
        }

        return Verbs.load().failure;
    }

    public BulkTransport newTransport(final PeerInfo localPeer, final Path shmRoot)
    {
        final String reason = unsupportedReason();
        if (null != reason)
        {
            throw new BulkTransportException("bulk transport 'rdma' cannot run here: " + reason);
        }

        final RdmaSettings settings =
            RdmaSettings.fromSystemProperties(RdmaDevices.find(sysfsRoot, RdmaDevices.addressOverride()).address());
        try
        {
            return (BulkTransport)Verbs.load().loader.loadClass(IMPLEMENTATION)
                .getConstructor(PeerInfo.class, RdmaSettings.class)
                .newInstance(localPeer, settings);
        }
        catch (final InvocationTargetException ex)
        {
            if (ex.getCause() instanceof BulkTransportException)
            {
                throw (BulkTransportException)ex.getCause();
            }
            throw new BulkTransportException("cannot open the RDMA transport: " + ex.getCause(), ex.getCause());
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new BulkTransportException(
                "cannot load the RDMA transport " + IMPLEMENTATION + ": " + ex + "; ferry-transport-rdma and " +
                "com.ibm.disni:disni must be on the class path", ex);
        }
    }

    /**
     * The one class loader of DiSNI and the implementation in this JVM, made on first use, or why it
     * cannot be made.
     */
    static final class Verbs
    {
        private static Verbs loaded;

        final ClassLoader loader;
        final String failure;

        private Verbs(final ClassLoader loader, final String failure)
        {
            this.loader = loader;
            this.failure = failure;
        }

        /**
         * @return the loader with DiSNI's library loaded and checked, or the failure; the same every call.
         */
        static synchronized Verbs load()
        {
            if (null == loaded)
            {
                loaded = tryLoad();
            }
            return loaded;
        }

        private static Verbs tryLoad()
        {
            final ClassLoader parent = RdmaBulkTransportProvider.class.getClassLoader();
            final Path library;
            try
            {
                library = NativeLibrary.locate(parent, Paths.get(System.getProperty("java.io.tmpdir")));
            }
            catch (final BulkTransportException ex)
            {
                return new Verbs(null, ex.getMessage());
            }

            final VerbsClassLoader loader = new VerbsClassLoader(parent, library);
            try
            {
                // Loads libdisni, checks its version and learns the struct sizes it reports.
                loader.loadClass("com.ibm.disni.verbs.RdmaProvider").getMethod("provider").invoke(null);
                // DiSNI reads direct buffers' addresses through sun.nio.ch: fails without the export.
                loader.loadClass("com.ibm.disni.util.MemoryUtils")
                    .getMethod("getAddress", ByteBuffer.class)
                    .invoke(null, ByteBuffer.allocateDirect(1));
            }
            catch (final InvocationTargetException ex)
            {
                return new Verbs(null, loadFailure(library, ex.getCause()));
            }
            catch (final ReflectiveOperationException | LinkageError ex)
            {
                return new Verbs(null, loadFailure(library, ex));
            }

            return new Verbs(loader, null);
        }

        private static String loadFailure(final Path library, final Throwable cause)
        {
            final Throwable root = cause instanceof ExceptionInInitializerError && null != cause.getCause() ?
                cause.getCause() : cause;
            if (root instanceof IllegalAccessError)
            {
                return "DiSNI cannot read direct buffer addresses (" + root.getMessage() + "); start the JVM with " +
                    "--add-exports java.base/sun.nio.ch=ALL-UNNAMED (Ferry's launcher and ferry.jvmargs do)";
            }
            return "cannot load the RDMA library " + library + ": " + root + "; install rdma-core's libraries " +
                "(libibverbs1, librdmacm1, ibverbs-providers), or point -D" + NativeLibrary.LIBRARY_PROP_NAME +
                " at a libdisni.so built for this host";
        }
    }
}
