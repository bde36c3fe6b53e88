package dev.ferry.test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Stream;

/**
 * The RDMA devices of this host, as the kernel lists them under {@code /sys/class/infiniband}, for
 * tests that need one (tagged {@code rdma}, skipped without) and tests that need there to be none.
 */
public final class RdmaDevices
{
    private static final Path SYSFS = Paths.get("/sys/class/infiniband");

    private RdmaDevices()
    {
    }

    /**
     * @return the device names, sorted; empty if there are none or the directory does not exist.
     */
    public static List<String> names()
    {
        if (!Files.isDirectory(SYSFS))
        {
            return List.of();
        }
        try (Stream<Path> devices = Files.list(SYSFS))
        {
            return devices.map((device) -> device.getFileName().toString()).sorted().toList();
        }
        catch (final IOException ex)
        {
            return List.of();
        }
    }

    /**
     * @return why RDMA tests cannot run here: {@code Assumptions.assumeFalse(names().isEmpty(), absentReason())}.
     */
    public static String absentReason()
    {
        return "no RDMA device: " + SYSFS + " lists none; run the rdma-tagged tests in the soft-RoCE rig " +
            "(native/softroce/run-tests)";
    }
}
