package dev.ferry.rdma;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The transport's settings from system properties: defaults, overrides, and a clear refusal of a value
 * that is not a positive whole number.
 */
class RdmaSettingsTest
{
    private static final String[] PROPERTIES =
    {
        RdmaSettings.TIMEOUT_PROP_NAME, RdmaSettings.CONNECT_TIMEOUT_PROP_NAME, RdmaSettings.SEND_QUEUE_DEPTH_PROP_NAME
    };

    @AfterEach
    void clearProperties()
    {
        for (final String name : PROPERTIES)
        {
            System.clearProperty(name);
        }
    }

    @Test
    void theHandshakeOutlastsSeveralResendsOfALostMessageByDefault() throws UnknownHostException
    {
        final RdmaSettings settings = RdmaSettings.fromSystemProperties(loopback());

        assertEquals(TimeUnit.SECONDS.toNanos(5), settings.timeoutNs());
        assertEquals(TimeUnit.SECONDS.toNanos(20), settings.connectTimeoutNs());
        assertEquals(128, settings.sendQueueDepth());
    }

    @Test
    void eachDeadlineAndTheQueueDepthComeFromTheirOwnProperty() throws UnknownHostException
    {
        System.setProperty(RdmaSettings.TIMEOUT_PROP_NAME, "1500");
        System.setProperty(RdmaSettings.CONNECT_TIMEOUT_PROP_NAME, " 45000 ");
        System.setProperty(RdmaSettings.SEND_QUEUE_DEPTH_PROP_NAME, "16");

        final RdmaSettings settings = RdmaSettings.fromSystemProperties(loopback());

        assertEquals(TimeUnit.MILLISECONDS.toNanos(1500), settings.timeoutNs());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(45_000), settings.connectTimeoutNs());
        assertEquals(16, settings.sendQueueDepth());
    }

    @Test
    void refusesAValueThatIsNotAPositiveWholeNumberNamingTheProperty()
    {
        for (final String name : PROPERTIES)
        {
            for (final String bad : new String[]{ "0", "-5", "2s", "", "99999999999" })
            {
                System.setProperty(name, bad);
                final IllegalArgumentException ex =
                    assertThrows(IllegalArgumentException.class, () -> RdmaSettings.fromSystemProperties(loopback()));
                assertEquals("-D" + name + "=" + bad + " is not a positive whole number", ex.getMessage());
                System.clearProperty(name);
            }
        }
    }

    private static Inet4Address loopback() throws UnknownHostException
    {
        return (Inet4Address)InetAddress.getByName("127.0.0.1");
    }
}
