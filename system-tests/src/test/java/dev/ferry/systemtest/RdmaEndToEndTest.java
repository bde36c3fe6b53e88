package dev.ferry.systemtest;

import dev.ferry.systemtest.FerryProcesses.Result;
import dev.ferry.test.ChildJvm;
import dev.ferry.test.RdmaSupport;
import dev.ferry.test.ShmTempDirFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ferry end to end over RDMA: a server, a producer and a consumer, each its own JVM running the
 * {@code ferry} command with {@code --transport rdma}, metadata over Aeron UDP on the RDMA device's
 * address ({@code FERRY_RDMA_ADDRESS}, else loopback), data pulled by RDMA READ. Needs an RDMA
 * device (the soft-RoCE rig gives the guest one); skipped, saying so, where there is none.
 * <p>
 * Deadlines are generous and nothing is timed: under emulation (qemu TCG) everything is several
 * times slower, and starting a JVM alone takes seconds.
 */
@Tag("rdma")
@Timeout(3600)
class RdmaEndToEndTest
{
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(20);
    private static final Duration LOG_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration SURVIVOR_DEADLINE = Duration.ofMinutes(5);
    private static final String CONSUMER_TIMEOUT = "900s";
    private static final String COMMAND_TIMEOUT = "120s";
    private static final Pattern EVENTS_OF_TOPIC = Pattern.compile("(?m)^(\\S+)\\s+(\\d+)\\s+(\\d+)$");

    @TempDir(factory = ShmTempDirFactory.class)
    Path root;

    private FerryProcesses ferry;
    private String endpoint;

    @BeforeEach
    void needsAnRdmaDevice()
    {
        RdmaSupport.assumeSupported("RdmaEndToEndTest");

        final String address = System.getenv("FERRY_RDMA_ADDRESS");
        endpoint = EventPathInProcessTest.freeEndpoint(null == address || address.isBlank() ? "127.0.0.1" : address);
        ferry = new FerryProcesses(root)
            .runTimeout(RUN_TIMEOUT)
            // Under emulation a JVM can stall for longer than Aeron's 10 s liveness timeouts (JIT, page
            // zeroing, rxe's packet processing on two emulated CPUs); real machines keep the defaults.
            .systemProperty("aeron.client.liveness.timeout", "120s")
            .systemProperty("aeron.image.liveness.timeout", "120s")
            .systemProperty("aeron.publication.unblock.timeout", "180s")
            .systemProperty("ferry.aeron.driver.timeout", "120s")
            .systemProperty("org.slf4j.simpleLogger.log.dev.ferry.server.ServerConductor", "info")
            .systemProperty("org.slf4j.simpleLogger.log.dev.ferry.client.ClientConductor", "info");
    }

    @AfterEach
    void stopProcesses()
    {
        if (null != ferry)
        {
            ferry.printLogs(System.out);
            ferry.close();
        }
    }

    @Test
    void aThousandEventsOf1MiBArriveExactlyOnceOverRdmaWithEveryByteChecked()
    {
        final ChildJvm server = ferry.startServer(endpoint, "--transport", "rdma");
        ferry.expectSuccess(withRdma("topic", "create", "frames", "--partitions", "2", "--server", endpoint));

        final String[] consume = consumeArgs("frames", "checker", 1000);
        final ChildJvm consumer = ferry.start("consume", consume);
        final String produced = ferry.expectSuccess(
            withRdma("produce", "--server", endpoint, "--topic", "frames", "--events", "1000", "--size", "1MiB",
                "--timeout", "300s"));
        assertTrue(produced.contains(": 1000 acknowledged"), produced);

        final Result consumed = ferry.finish(consumer, consume);
        assertEquals(0, consumed.exitCode(), consumed.toString());
        assertTrue(consumed.stdout().startsWith("consumed 1000 events (1000 MiB)"), consumed.toString());
        assertTrue(consumed.stdout().contains("0 bad checksums, 0 duplicates"), consumed.toString());

        // The RDMA transport really carried the data: every session chose it, on both sides.
        assertTrue(consumed.stderr().contains("uses bulk transport rdma"), consumed.toString());
        assertFalse(server.stderr().contains("uses bulk transport shm"), server.stderr());
        assertTrue(server.stderr().matches("(?s).*session with client 'produce-\\d+'.* uses bulk transport rdma.*"),
            server.stderr());
        assertTrue(server.stderr().matches("(?s).*session with client 'consume-\\d+'.* uses bulk transport rdma.*"),
            server.stderr());
    }

    @Test
    void aProducerKilledWhileTheServerPullsFromItLeavesTheServerServingAndNoHalfStoredEvent()
    {
        final ChildJvm server = ferry.startServer(endpoint, "--transport", "rdma");
        ferry.expectSuccess(withRdma("topic", "create", "frames", "--partitions", "1", "--server", endpoint));
        final String[] produce = withRdma(
            "produce", "--server", endpoint, "--topic", "frames", "--events", "1000000", "--size", "1MiB",
            "--timeout", "300s");
        final ChildJvm producer = ferry.start("produce", produce);
        final String producerName = "client 'produce-" + producer.pid() + "'";
        FerryProcesses.awaitStderr(
            server, Pattern.compile("session with " + producerName + ".* uses bulk transport rdma"), LOG_TIMEOUT);
        awaitStoredEvents("frames");

        producer.kill();

        // The survivor notices within its deadline and keeps serving: a new producer is stored, and
        // every event stored before the kill reads back whole.
        FerryProcesses.awaitStderr(
            server,
            Pattern.compile(producerName + "[^\n]* disconnected|closing the session of " + producerName),
            SURVIVOR_DEADLINE);
        assertTrue(server.isAlive(), server.stderr());
        ferry.expectSuccess(withRdma(
            "produce", "--server", endpoint, "--topic", "frames", "--events", "20", "--size", "1MiB", "--timeout",
            "300s"));
        final long stored = storedEvents("frames");
        final Result consumed = ferry.run(consumeArgs("frames", "after-kill", stored));
        assertEquals(0, consumed.exitCode(), consumed.toString());
        assertTrue(consumed.stdout().contains("0 bad checksums, 0 duplicates"), consumed.toString());
    }

    @Test
    void aServerKilledWhileTheConsumerPullsMakesTheConsumerReportAnErrorAndExit()
    {
        final ChildJvm server = ferry.startServer(endpoint, "--transport", "rdma");
        ferry.expectSuccess(withRdma("topic", "create", "frames", "--partitions", "1", "--server", endpoint));
        ferry.expectSuccess(withRdma(
            "produce", "--server", endpoint, "--topic", "frames", "--events", "500", "--size", "1MiB", "--timeout",
            "300s"));
        final String[] consume = consumeArgs("frames", "survivor", 500);
        final ChildJvm consumer = ferry.start("consume", consume);
        FerryProcesses.awaitStderr(server, Pattern.compile("consumes topic 'frames'"), LOG_TIMEOUT);

        server.kill();

        final String stdout = consumer.remainingOutput(SURVIVOR_DEADLINE);
        final int exitCode = consumer.waitForExit(Duration.ofSeconds(30));
        final Result result = new Result(String.join(" ", consume), exitCode, stdout, consumer.stderr());
        assertNotEquals(0, exitCode, result.toString());
        assertTrue(result.stderr().contains("ferry consume: "), result.toString());
        assertFalse(result.stderr().contains("no event arrived"),
            "the consumer must notice the server is gone, not wait out its timeout: " + result);
    }

    private String[] consumeArgs(final String topic, final String consumer, final long events)
    {
        return withRdma(
            "consume", "--server", endpoint, "--topic", topic, "--consumer", consumer, "--events",
            Long.toString(events), "--verify", "--timeout", CONSUMER_TIMEOUT);
    }

    /**
     * @return a command line over RDMA, with a timeout for answers long enough for three JVMs sharing two
     * emulated CPUs in the soft-RoCE guest.
     */
    private static String[] withRdma(final String... args)
    {
        final boolean timed = Arrays.asList(args).contains("--timeout");
        final String[] all = Arrays.copyOf(args, args.length + (timed ? 2 : 4));
        all[args.length] = "--transport";
        all[args.length + 1] = "rdma";
        if (!timed)
        {
            all[args.length + 2] = "--timeout";
            all[args.length + 3] = COMMAND_TIMEOUT;
        }
        return all;
    }

    /**
     * Wait until the server has stored at least one event of a topic, asking it with {@code topic list}.
     */
    private void awaitStoredEvents(final String topic)
    {
        final long deadlineNs = System.nanoTime() + LOG_TIMEOUT.toNanos();
        while (storedEvents(topic) < 1)
        {
            assertTrue(System.nanoTime() - deadlineNs < 0, "no event of topic '" + topic + "' was stored within " +
                LOG_TIMEOUT);
            LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
        }
    }

    private long storedEvents(final String topic)
    {
        final String listing = ferry.expectSuccess(withRdma("topic", "list", "--server", endpoint));
        final Matcher matcher = EVENTS_OF_TOPIC.matcher(listing);
        while (matcher.find())
        {
            if (matcher.group(1).equals(topic))
            {
                return Long.parseLong(matcher.group(3));
            }
        }
        throw new AssertionError("topic list does not show topic '" + topic + "':\n" + listing);
    }
}
