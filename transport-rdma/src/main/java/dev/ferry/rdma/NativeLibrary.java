package dev.ferry.rdma;

import dev.ferry.bulk.BulkTransportException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumSet;
import java.util.Set;

/**
 * Finds Ferry's {@code libdisni.so} without the user setting {@code java.library.path}: the file
 * named by {@value #LIBRARY_PROP_NAME} if set, else the resource {@value #RESOURCE} of the
 * {@code ferry-native} jar, copied once to a directory only this user can write,
 * <pre>
 *   ${java.io.tmpdir}/ferry-native-USER/SHA256-PREFIX/libdisni.so
 * </pre>
 * The directory is named by the content hash, so different builds never share a file and a JVM
 * that finds the file already there checks its hash before trusting it (a corrupted or foreign copy
 * is replaced). The copy is written to a temporary file and renamed into place, so concurrent JVMs
 * never load a half-written library. Directories that are symbolic links, belong to another user or
 * can be written by others are refused: a library loaded from them could be anyone's code.
 */
public final class NativeLibrary
{
    /**
     * System property: absolute path of a {@code libdisni.so} to load instead of the packaged one.
     */
    public static final String LIBRARY_PROP_NAME = "ferry.rdma.library";

    /**
     * Where the {@code ferry-native} jar holds the library.
     */
    public static final String RESOURCE = "META-INF/native/linux-x86_64/libdisni.so";

    /**
     * The library's file name, as {@code System.loadLibrary("disni")} expects it.
     */
    public static final String FILE_NAME = "libdisni.so";

    /**
     * Hex digits of the SHA-256 that name the directory of one build of the library.
     */
    public static final int HASH_PREFIX_CHARS = 16;

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private NativeLibrary()
    {
    }

    /**
     * @param resources   where to look for {@value #RESOURCE}.
     * @param extractRoot the directory under which {@code ferry-native-USER} is made; normally
     *                    {@code java.io.tmpdir}.
     * @return the library file to load: the override, or the verified or freshly extracted copy.
     * @throws BulkTransportException saying why there is none and what to do.
     */
    public static Path locate(final ClassLoader resources, final Path extractRoot)
    {
        final String override = System.getProperty(LIBRARY_PROP_NAME);
        if (null != override)
        {
            final Path file = Paths.get(override);
            if (!file.isAbsolute() || !Files.isRegularFile(file) || !Files.isReadable(file))
            {
                throw new BulkTransportException(
                    "-D" + LIBRARY_PROP_NAME + "=" + override + " names no readable file by absolute path; point it " +
                    "at a libdisni.so built by Ferry's native module, or unset it to use the packaged one");
            }
            return file;
        }

        final byte[] library = readResource(resources);
        if (null == library)
        {
            throw new BulkTransportException(
                "the class path holds no " + RESOURCE + ": the ferry-native jar was built without " +
                "libibverbs-dev and librdmacm-dev (its build printed 'RDMA support skipped'); install them and " +
                "rebuild, or point -D" + LIBRARY_PROP_NAME + " at a libdisni.so");
        }

        return extract(library, extractRoot.resolve("ferry-native-" + safeUserName()));
    }

    /**
     * Copy the library into {@code userDirectory/HASH-PREFIX/}, unless a copy with the same content is
     * there already.
     *
     * @param library       the library's bytes.
     * @param userDirectory this user's directory of extracted libraries; made owner-only if absent.
     * @return the library file.
     * @throws BulkTransportException if a directory is unsafe or the copy cannot be written.
     */
    public static Path extract(final byte[] library, final Path userDirectory)
    {
        final String hash = sha256(library);
        final Path directory = userDirectory.resolve(hash.substring(0, HASH_PREFIX_CHARS));
        final Path file = directory.resolve(FILE_NAME);
        try
        {
            ownerOnlyDirectory(userDirectory);
            ownerOnlyDirectory(directory);
            if (isIntactCopy(file, hash))
            {
                return file;
            }

            final Path temporary = Files.createTempFile(
                directory, "libdisni-", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            try
            {
                Files.write(temporary, library);
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            finally
            {
                Files.deleteIfExists(temporary);
            }
        }
        catch (final IOException ex)
        {
            throw new BulkTransportException(
                "cannot extract the RDMA library to " + file + ": " + ex + "; make " + userDirectory.getParent() +
                " writable, or point -D" + LIBRARY_PROP_NAME + " at a libdisni.so", ex);
        }

        return file;
    }

    /**
     * @param bytes to hash.
     * @return their SHA-256 in lower-case hex.
     */
    static String sha256(final byte[] bytes)
    {
        try
        {
            final byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            final StringBuilder hex = new StringBuilder(digest.length * 2);
            for (final byte b : digest)
            {
                hex.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
            }
            return hex.toString();
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("every JVM has SHA-256", ex);
        }
    }

    private static boolean isIntactCopy(final Path file, final String hash) throws IOException
    {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS))
        {
            return false;
        }

        final PosixFileAttributes attributes =
            Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        return attributes.isRegularFile() &&
            attributes.owner().getName().equals(System.getProperty("user.name")) &&
            hash.equals(sha256(Files.readAllBytes(file)));
    }

    private static void ownerOnlyDirectory(final Path directory) throws IOException
    {
        try
        {
            Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        }
        catch (final FileAlreadyExistsException ignore)
        {
            // checked below like one made now
        }

        final PosixFileAttributes attributes =
            Files.readAttributes(directory, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        final String user = System.getProperty("user.name");
        final EnumSet<PosixFilePermission> othersMay = EnumSet.copyOf(attributes.permissions());
        othersMay.removeAll(OWNER_ONLY);
        if (!attributes.isDirectory() || !attributes.owner().getName().equals(user) || !othersMay.isEmpty())
        {
            throw new BulkTransportException(
                "refusing to load the RDMA library from " + directory + ": it is " +
                (attributes.isSymbolicLink() ? "a symbolic link" : !attributes.isDirectory() ? "not a directory" :
                !attributes.owner().getName().equals(user) ? "owned by '" + attributes.owner().getName() + "'" :
                "open to others (" + PosixFilePermissions.toString(attributes.permissions()) + ")") +
                ", so its code could be anyone's; remove it, or point -D" + LIBRARY_PROP_NAME + " at a libdisni.so");
        }
    }

    private static byte[] readResource(final ClassLoader resources)
    {
        try (InputStream in = resources.getResourceAsStream(RESOURCE))
        {
            return null == in ? null : in.readAllBytes();
        }
        catch (final IOException ex)
        {
            throw new BulkTransportException("cannot read " + RESOURCE + " from the class path: " + ex, ex);
        }
    }

    private static String safeUserName()
    {
        return System.getProperty("user.name").replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
