package dev.ferry.shm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;

/**
 * What tells two processes that they share a host and so can share memory: the kernel's boot id.
 * <p>
 * Two processes with the same boot id run under the same kernel instance. Where the kernel has no
 * boot id (not Linux), a host name stands in; shared memory across containers that share a kernel
 * but not {@code /dev/shm} is caught later, when the peer's file cannot be opened.
 */
public final class HostIdentity
{
    private static final String BOOT_ID = readBootId();

    private HostIdentity()
    {
    }

    /**
     * @return this host's boot id.
     */
    public static String bootId()
    {
        return BOOT_ID;
    }

    private static String readBootId()
    {
        try
        {
            return new String(
                Files.readAllBytes(Paths.get("/proc/sys/kernel/random/boot_id")), StandardCharsets.US_ASCII).trim();
        }
        catch (final IOException | SecurityException ex)
        {
            try
            {
                return "host:" + java.net.InetAddress.getLocalHost().getHostName();
            }
            catch (final IOException hostEx)
            {
                return "host:unknown";
            }
        }
    }
}
