package dev.ferry.event;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.util.zip.CRC32C;

/**
 * Running CRC-32C over off-heap memory by address, so that one checksum can span several segments.
 * <p>
 * The JDK computes CRC-32C over memory with an intrinsic ({@code CRC32C.updateDirectByteBuffer}),
 * reached the way Agrona's {@code Crc32c} reaches it, which needs
 * {@code --add-opens java.base/java.util.zip=ALL-UNNAMED} (set by the launcher, the tests and the
 * benchmarks). Agrona's version starts a new checksum per call; this one carries the running value.
 */
final class Crc32cUpdate
{
    private static final MethodHandle UPDATE;
    private static final RuntimeException UNAVAILABLE;

    static
    {
        MethodHandle update = null;
        RuntimeException unavailable = null;
        try
        {
            final Method method = CRC32C.class.getDeclaredMethod(
                "updateDirectByteBuffer", int.class, long.class, int.class, int.class);
            method.setAccessible(true);
            update = MethodHandles.lookup().unreflect(method);
        }
        catch (final ReflectiveOperationException | RuntimeException ex)
        {
            unavailable = new IllegalStateException(
                "CRC-32C over off-heap memory needs the JVM flag --add-opens java.base/java.util.zip=ALL-UNNAMED; " +
                "start the JVM with it (./ferry and the Maven build do)", ex);
        }
        UPDATE = update;
        UNAVAILABLE = unavailable;
    }

    private Crc32cUpdate()
    {
    }

    /**
     * @param crc     the running value, not complemented; start with {@code 0xFFFFFFFF}.
     * @param address of the first byte.
     * @param length  in bytes.
     * @return the running value after the bytes; complement it for the checksum.
     * @throws IllegalStateException if the JVM was started without the flag above.
     */
    static int update(final int crc, final long address, final int length)
    {
        if (null == UPDATE)
        {
            throw UNAVAILABLE;
        }

        try
        {
            return (int)UPDATE.invokeExact(crc, address, 0, length);
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException("CRC32C.updateDirectByteBuffer failed on " + length + " bytes", ex);
        }
    }
}
