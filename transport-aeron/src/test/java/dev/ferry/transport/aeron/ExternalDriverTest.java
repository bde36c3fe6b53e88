package dev.ferry.transport.aeron;

import dev.ferry.FerryException;
import dev.ferry.channel.Inbound;
import dev.ferry.channel.Outbound;
import dev.ferry.transport.aeron.Harness.Connections;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.ferry.transport.aeron.Harness.message;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExternalDriverTest
{
    private static final long SHORT_DRIVER_TIMEOUT_MS = 1_000;

    @TempDir
    Path tempDir;

    private final Harness harness = new Harness();

    @AfterEach
    void close()
    {
        harness.close();
    }

    @Test
    @Timeout(30)
    void aMissingDriverIsAClearErrorWithinTheTimeout()
    {
        final Path directory = tempDir.resolve("no-driver-here");
        final FerryException ex = assertThrows(FerryException.class, () -> connectTo(directory));

        assertNamesDirectoryAndRemedy(ex, directory);
    }

    @Test
    @Timeout(30)
    void aDeadDriverIsAClearErrorWithinTheTimeout()
    {
        final Path directory = tempDir.resolve("dead-driver");
        final MediaDriver.Context driverContext = new MediaDriver.Context()
            .aeronDirectoryName(directory.toString())
            .threadingMode(ThreadingMode.SHARED)
            .dirDeleteOnShutdown(false);
        MediaDriver.launch(driverContext).close();
        assertTrue(Files.exists(directory.resolve("cnc.dat")), "the dead driver left its files");

        final FerryException ex = assertThrows(FerryException.class, () -> connectTo(directory));

        assertNamesDirectoryAndRemedy(ex, directory);
    }

    @Test
    @Timeout(60)
    void transportsSharingADriverTalkOverIpcAndOnlyTheOwnerRemovesIt()
    {
        final AeronMessageTransport owner = harness.embedded(tempDir);
        final AeronMessageTransport guest = harness.add(new AeronMessageTransport(
            new AeronMessageTransport.Context().externalDriverDirectory(owner.aeronDirectory())));

        final Connections connections = new Connections();
        final Inbound inbound = guest.listen("ipc", connections);
        harness.poll(inbound, connections.receiver);
        final Outbound outbound = owner.connect("ipc");
        harness.send(harness.awaitConnected(outbound), message(1, 5_000));
        harness.await("the guest has the owner's message", () -> 1 == connections.receiver.messages.size());
        assertArrayEquals(message(1, 5_000), connections.receiver.messages.get(0).bytes);

        guest.close();
        assertTrue(Files.exists(owner.aeronDirectory().resolve("cnc.dat")), "a guest removed the owner's driver");
        harness.await("the owner sees the guest go", () -> !outbound.isConnected());

        final Connections ownConnections = new Connections();
        harness.poll(owner.listen("ipc", ownConnections), ownConnections.receiver);
        harness.send(harness.awaitConnected(outbound), message(2, 10));
        // An IPC receiver that joins a stream may first be given what an earlier receiver took, if
        // the driver had not yet seen how far that one got; only the new message matters here.
        harness.await(
            "the owner still works",
            () -> ownConnections.receiver.messages.stream().anyMatch((m) -> 2 == Harness.sequence(m.bytes)));
    }

    private static AeronMessageTransport connectTo(final Path directory)
    {
        return new AeronMessageTransport(new AeronMessageTransport.Context()
            .externalDriverDirectory(directory)
            .driverTimeoutMs(SHORT_DRIVER_TIMEOUT_MS));
    }

    private static void assertNamesDirectoryAndRemedy(final FerryException ex, final Path directory)
    {
        assertTrue(ex.getMessage().contains(directory.toString()), ex.getMessage());
        assertTrue(ex.getMessage().contains("start one there"), ex.getMessage());
        assertTrue(ex.getMessage().contains("drop the external driver option"), ex.getMessage());
    }
}
