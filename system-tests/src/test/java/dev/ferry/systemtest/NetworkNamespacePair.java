package dev.ferry.systemtest;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Two Linux network namespaces joined by a veth pair, for a test that cuts the network between
 * processes: a server side and a client side, each with loopback up and an address of its own on
 * its end of the pair ({@code 10.231.x.1/24} and {@code 10.231.x.2/24}).
 * <pre>
 *   namespace ferry-cut-PID-srv                 namespace ferry-cut-PID-cli
 *   +--------------------------+                +--------------------------+
 *   | lo                       |                | lo                       |
 *   | veth-srv 10.231.x.1/24   +---- veth ------+ veth-cli 10.231.x.2/24   |
 *   +--------------------------+                +--------------------------+
 * </pre>
 * The names carry the test JVM's pid, so two runs at once never share a namespace; a namespace of
 * the same name left by a run that crashed is deleted first, and so are those of runs whose JVM is
 * gone. The veth ends are made inside the namespaces, so their names never meet the host's.
 * <p>
 * Only the network is separate: the processes still share the file system, {@code /dev/shm} and
 * the boot id, so Ferry's shared-memory bulk transport works across the pair and only its control
 * plane (Aeron over UDP) crosses the veth link.
 * <p>
 * Needs root and the {@code ip} command (iproute2); {@link #create} says why it cannot make the pair
 * instead of failing, so that a test can skip where namespaces are forbidden (most containers).
 */
final class NetworkNamespacePair implements AutoCloseable
{
    private static final String NAME_PREFIX = "ferry-cut-";
    private static final Pattern NAME_PATTERN = Pattern.compile("^" + NAME_PREFIX + "(\\d+)-(srv|cli)$");
    private static final String SERVER_VETH = "veth-srv";
    private static final String CLIENT_VETH = "veth-cli";
    private static final long COMMAND_TIMEOUT_S = 10;
    private static final String[] SYSTEM_BIN_DIRECTORIES = { "/usr/sbin", "/sbin", "/usr/bin", "/bin" };

    private final String ip;
    private final String serverNamespace;
    private final String clientNamespace;
    private final String serverAddress;
    private final String clientAddress;
    private final List<String> created = new ArrayList<>();

    private NetworkNamespacePair(final String ip, final long pid)
    {
        this.ip = ip;
        this.serverNamespace = NAME_PREFIX + pid + "-srv";
        this.clientNamespace = NAME_PREFIX + pid + "-cli";
        final long subnet = pid % 250 + 1;
        this.serverAddress = "10.231." + subnet + ".1";
        this.clientAddress = "10.231." + subnet + ".2";
    }

    /**
     * Make the pair.
     *
     * @return the pair, configured and up.
     * @throws Unavailable saying why the pair cannot be made here (no {@code ip} command, not root,
     *                     namespaces or veth links forbidden), for a test to skip with.
     * @throws AssertionError if the pair was begun but could not be finished (a fault of this code or
     *                        of the machine, not a missing permission); what was made is removed.
     */
    static NetworkNamespacePair create() throws Unavailable
    {
        final String ip = findIpCommand();
        if (null == ip)
        {
            throw new Unavailable("no 'ip' command (iproute2) on PATH or in " +
                String.join(", ", SYSTEM_BIN_DIRECTORIES) + "; install iproute2 to run this test");
        }
        final String uid = effectiveUid();
        if (!"0".equals(uid))
        {
            throw new Unavailable("not root (effective uid " + uid + "); making network namespaces needs root");
        }

        final NetworkNamespacePair pair = new NetworkNamespacePair(ip, ProcessHandle.current().pid());
        pair.removeLeftovers();
        try
        {
            for (final String namespace : List.of(pair.serverNamespace, pair.clientNamespace))
            {
                final Result added = pair.ip("netns", "add", namespace);
                if (0 != added.exitCode)
                {
                    throw new Unavailable("'ip netns add " + namespace + "' failed (containers often forbid it): " +
                        added.output.trim());
                }
                pair.created.add(namespace);
            }
            final Result veth = pair.ip("-n", pair.serverNamespace, "link", "add", SERVER_VETH, "type", "veth",
                "peer", "name", CLIENT_VETH, "netns", pair.clientNamespace);
            if (0 != veth.exitCode)
            {
                throw new Unavailable("cannot make a veth pair between two network namespaces (no veth driver?): " +
                    veth.output.trim());
            }
            pair.configure(pair.serverNamespace, SERVER_VETH, pair.serverAddress);
            pair.configure(pair.clientNamespace, CLIENT_VETH, pair.clientAddress);
        }
        catch (final Unavailable | RuntimeException | Error ex)
        {
            pair.close();
            throw ex;
        }

        return pair;
    }

    /**
     * @return the namespace the server runs in.
     */
    String serverNamespace()
    {
        return serverNamespace;
    }

    /**
     * @return the namespace the clients run in.
     */
    String clientNamespace()
    {
        return clientNamespace;
    }

    /**
     * @return the server side's address on the link.
     */
    String serverAddress()
    {
        return serverAddress;
    }

    /**
     * @return the client side's address on the link.
     */
    String clientAddress()
    {
        return clientAddress;
    }

    /**
     * @param namespace one of the pair's.
     * @return the command prefix that runs a program in it, for {@code ChildJvm.Builder.launcher}.
     */
    String[] launcherIn(final String namespace)
    {
        return new String[]{ ip, "netns", "exec", namespace };
    }

    /**
     * Cut the link: both ends down, so nothing crosses it either way until {@link #restore()}.
     */
    void cut()
    {
        expectSuccess("-n", serverNamespace, "link", "set", SERVER_VETH, "down");
        expectSuccess("-n", clientNamespace, "link", "set", CLIENT_VETH, "down");
    }

    /**
     * Bring both ends of the link up again.
     */
    void restore()
    {
        expectSuccess("-n", serverNamespace, "link", "set", SERVER_VETH, "up");
        expectSuccess("-n", clientNamespace, "link", "set", CLIENT_VETH, "up");
    }

    /**
     * Delete the namespaces made (which removes the veth pair). Call after every process in them has
     * ended: a namespace lives on, nameless, while a process is in it. Idempotent; never throws.
     */
    public void close()
    {
        for (final String namespace : created)
        {
            final Result deleted = ip("netns", "delete", namespace);
            if (0 != deleted.exitCode)
            {
                System.out.println("could not delete network namespace " + namespace + ": " + deleted.output.trim() +
                    "; delete it with: ip netns delete " + namespace);
            }
        }
        created.clear();
    }

    public String toString()
    {
        return "network namespaces " + serverNamespace + " (" + serverAddress + ") and " + clientNamespace + " (" +
            clientAddress + ")";
    }

    /**
     * Delete namespaces of this pair's names (a crashed run of a JVM that had this pid), and those of
     * runs whose JVM is no longer running.
     */
    private void removeLeftovers()
    {
        final Result listed = ip("netns", "list");
        if (0 != listed.exitCode)
        {
            return;
        }
        for (final String line : listed.output.split("\n"))
        {
            final String name = line.trim().split("\\s+")[0];
            final Matcher matcher = NAME_PATTERN.matcher(name);
            if (matcher.matches() &&
                (name.equals(serverNamespace) || name.equals(clientNamespace) ||
                ProcessHandle.of(Long.parseLong(matcher.group(1))).isEmpty()))
            {
                ip("netns", "delete", name);
            }
        }
    }

    private void configure(final String namespace, final String veth, final String address)
    {
        expectSuccess("-n", namespace, "link", "set", "lo", "up");
        expectSuccess("-n", namespace, "addr", "add", address + "/24", "dev", veth);
        expectSuccess("-n", namespace, "link", "set", veth, "up");
    }

    private void expectSuccess(final String... args)
    {
        final Result result = ip(args);
        if (0 != result.exitCode)
        {
            throw new AssertionError("'ip " + String.join(" ", args) + "' exited with status " + result.exitCode +
                " for " + this + ": " + result.output.trim());
        }
    }

    private Result ip(final String... args)
    {
        final List<String> command = new ArrayList<>();
        command.add(ip);
        command.addAll(List.of(args));
        return run(command);
    }

    private static Result run(final List<String> command)
    {
        try
        {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            if (!process.waitFor(COMMAND_TIMEOUT_S, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                return new Result(-1, "did not finish within " + COMMAND_TIMEOUT_S + " s");
            }
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new Result(process.exitValue(), output);
        }
        catch (final IOException ex)
        {
            return new Result(-1, "could not be run: " + ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted while waiting for it");
        }
    }

    /**
     * @return the path of the {@code ip} command, or null if there is none.
     */
    private static String findIpCommand()
    {
        final List<String> directories =
            new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        directories.addAll(List.of(SYSTEM_BIN_DIRECTORIES));
        for (final String directory : directories)
        {
            if (!directory.isEmpty())
            {
                final Path candidate = Path.of(directory, "ip");
                if (Files.isExecutable(candidate) && !Files.isDirectory(candidate))
                {
                    return candidate.toString();
                }
            }
        }
        return null;
    }

    /**
     * @return this process's effective user id from {@code /proc/self/status}, or a phrase saying it is unknown.
     */
    private static String effectiveUid()
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8))
            {
                if (line.startsWith("Uid:"))
                {
                    return line.substring("Uid:".length()).trim().split("\\s+")[1];
                }
            }
            return "unknown: /proc/self/status has no Uid line";
        }
        catch (final IOException | RuntimeException ex)
        {
            return "unknown: " + ex;
        }
    }

    /**
     * Why a pair of network namespaces cannot be made here: a reason to skip, not a failure.
     */
    static final class Unavailable extends Exception
    {
        private static final long serialVersionUID = 1L;

        Unavailable(final String reason)
        {
            super(reason);
        }
    }

    private record Result(int exitCode, String output)
    {
    }
}
