package dev.ferry.systemtest;

import dev.ferry.client.Ferry;
import dev.ferry.client.Health;
import dev.ferry.server.FerryServer;
import dev.ferry.test.Conditions;
import dev.ferry.test.ShmTempDirFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.ferry.systemtest.EventPathInProcessTest.freeEndpoint;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client's session health over a real server and real Aeron: {@code CONNECTING}, {@code HAPPY}
 * once the server answers, {@code HUNGRY} when the server goes, {@code LOST} when reconnecting passes
 * its deadline or the client closes, each change told to the listener once, in order, with its reason.
 * ({@link ReconnectionTest} shows {@code HUNGRY} turning {@code HAPPY} again.)
 */
@Timeout(120)
class SessionHealthTest
{
    @TempDir(factory = ShmTempDirFactory.class)
    Path root;

    @Test
    void aSessionIsHappyOnceConnectedHungryWhenTheServerGoesAndLostAtItsReconnectDeadline() throws Exception
    {
        final List<String> changes = new CopyOnWriteArrayList<>();
        final FerryServer server = launchServer();
        try (Ferry ferry = connect(server, changes))
        {
            assertSame(Health.HAPPY, ferry.health());
            assertEquals(List.of("CONNECTING -> HAPPY"), names(changes), changes::toString);

            server.close();
            Conditions.await("the client gives up reconnecting", () -> Health.LOST == ferry.health());
            assertEquals(List.of("CONNECTING -> HAPPY", "HAPPY -> HUNGRY", "HUNGRY -> LOST"), names(changes),
                changes::toString);
            assertTrue(changes.get(1).contains("lost the connection to the Ferry server at " + server.address()),
                changes::toString);
            assertTrue(changes.get(2).contains("could not reconnect"), changes::toString);
        }
        finally
        {
            server.close();
        }
        assertEquals(3, changes.size(), "a lost session stays lost, even when closed: " + changes);
    }

    @Test
    void closingTheClientEndsItsSessionAsLost()
    {
        final List<String> changes = new CopyOnWriteArrayList<>();
        try (FerryServer server = launchServer())
        {
            final Ferry ferry = connect(server, changes);
            ferry.close();
            assertSame(Health.LOST, ferry.health());
            assertEquals(List.of("CONNECTING -> HAPPY", "HAPPY -> LOST"), names(changes), changes::toString);
            assertTrue(changes.get(1).contains("was closed"), changes::toString);
        }
    }

    private static List<String> names(final List<String> changes)
    {
        return changes.stream().map((change) -> change.substring(0, change.indexOf(':'))).toList();
    }

    private FerryServer launchServer()
    {
        return FerryServer.launch(new FerryServer.Context().endpoint(freeEndpoint("127.0.0.1")).shmRoot(root)
            .transport("shm"));
    }

    private Ferry connect(final FerryServer server, final List<String> changes)
    {
        return Ferry.connect(new Ferry.Context().server(server.address()).shmRoot(root).name("watched")
            .transport("shm").poolMaxBytes(16L << 20).poolSlabBytes(4 << 20).reconnectTimeout(Duration.ofSeconds(2))
            .healthListener((previous, current, reason) -> changes.add(previous + " -> " + current + ": " + reason)));
    }
}
