package dev.ferry.systemtest;

import dev.ferry.FerryException;
import dev.ferry.client.Consumer;
import dev.ferry.client.ConsumerOptions;
import dev.ferry.client.Ferry;
import dev.ferry.client.Producer;
import dev.ferry.client.ProducerOptions;
import dev.ferry.client.Topic;
import dev.ferry.client.TopicDescription;
import dev.ferry.event.DataView;
import dev.ferry.event.Event;
import dev.ferry.event.Metadata;
import dev.ferry.server.FerryServer;
import dev.ferry.test.ShmTempDirFactory;
import dev.ferry.topic.InvalidEventException;
import dev.ferry.topic.KeyPartitionSelector;
import dev.ferry.topic.TopicConfig;
import dev.ferry.topic.Validator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.ferry.systemtest.EventPathInProcessTest.freeEndpoint;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A topic's validator and partition selector, end to end over a real durable server, real Aeron and
 * real shared memory: set by the client that creates the topic, kept by the server (across a restart),
 * applied by the producers of another client, and what they let through stored where they said.
 */
@Timeout(120)
class TopicConfigTest
{
    static final String SCHEMA = "{\"type\":\"object\",\"required\":[\"detector\",\"size\"]," +
        "\"properties\":{\"detector\":{\"type\":\"string\"},\"size\":{\"type\":\"integer\",\"maximum\":1000}}}";
    private static final Pattern DETECTOR = Pattern.compile("\"detector\":\"([^\"]+)\"");
    private static final int PARTITIONS = 4;
    private static final int EVENTS = 40;

    @TempDir(factory = ShmTempDirFactory.class)
    Path root;

    @TempDir
    Path dataDirectory;

    @Test
    void theTopicsSchemaAndKeyApplyToEveryProducerAndSurviveARestart() throws Exception
    {
        final TopicConfig config = TopicConfig.defaults().withJsonSchema(SCHEMA).withPartitionKey("detector");
        final FerryServer.Context serverContext = new FerryServer.Context().endpoint(freeEndpoint("127.0.0.1"))
            .shmRoot(root).dataDirectory(dataDirectory).logSegmentBytes(8 << 20);
        try (FerryServer server = FerryServer.launch(serverContext))
        {
            try (Ferry creator = connect(server, "creator"))
            {
                assertEquals(config, creator.createTopic("frames", PARTITIONS, config).config());
            }
            try (Ferry ferry = connect(server, "producer");
                Producer producer = ferry.openTopic("frames").producer())
            {
                final InvalidEventException tooBig = assertThrows(InvalidEventException.class,
                    () -> producer.push(Metadata.of("{\"detector\":\"d1\",\"size\":4096}"), DataView.EMPTY));
                assertTrue(tooBig.getMessage().contains("/size: must have a maximum value of 1000"), tooBig.getMessage());
                final InvalidEventException noKey = assertThrows(InvalidEventException.class,
                    () -> producer.tryPush(Metadata.of("{\"size\":1}"), DataView.EMPTY, 0));
                assertTrue(noKey.getMessage().contains("detector"), "validated even with a partition given: " + noKey.getMessage());
                final int inUse = ferry.pool().segmentsInUse();
                assertThrows(InvalidEventException.class,
                    () -> producer.push(Metadata.of("{\"detector\":\"d1\",\"size\":4096}"), producer.allocate(4096)));
                assertEquals(inUse, ferry.pool().segmentsInUse(), "the segment of a refused push is released");

                for (int i = 0; i < EVENTS; i++)
                {
                    producer.push(metadata("d" + i % 5, i), data(i)).get(30, TimeUnit.SECONDS);
                }
                producer.push(metadata("d0", EVENTS), data(EVENTS), 3).get(30, TimeUnit.SECONDS); // bypasses the selector
            }
        }

        try (FerryServer server = FerryServer.launch(serverContext);
            Ferry ferry = connect(server, "consumer"))
        {
            final Topic topic = ferry.openTopic("frames");
            assertEquals(config, topic.config(), "the server keeps the config with the durable topic");
            final TopicDescription stored = ferry.listTopics().get(0);
            assertEquals(EVENTS + 1, stored.events(), "refused events were never sent");

            final Map<Integer, Integer> bySize = new HashMap<>();
            try (Consumer consumer = topic.consumer(new ConsumerOptions("check")))
            {
                for (int i = 0; i <= EVENTS; i++)
                {
                    final Event event = consumer.pull().get(30, TimeUnit.SECONDS);
                    final String metadata = event.metadata().asString();
                    final int size = Integer.parseInt(metadata.replaceAll(".*\"size\":(\\d+).*", "$1"));
                    final Matcher detector = DETECTOR.matcher(metadata);
                    assertTrue(detector.find(), metadata);
                    final int expected = size == EVENTS ? 3 : KeyPartitionSelector.partition(detector.group(1), PARTITIONS);
                    assertEquals(expected, event.partition(), metadata);
                    assertEquals(size, event.data().length(), metadata);
                    bySize.merge(size, 1, Integer::sum);
                    event.acknowledge();
                }
            }
            assertEquals(EVENTS + 1, bySize.size(), "every event exactly once: " + bySize);

            final Validator refuseAll = (metadata, data) ->
            {
                throw new InvalidEventException("refused by the producer's own validator");
            };
            try (Producer own = topic.producer(new ProducerOptions().validator(refuseAll).partitionSelector((m, n) -> 1)))
            {
                assertThrows(InvalidEventException.class, () -> own.push(metadata("d1", 1), data(1)));
            }
            try (Producer own = topic.producer(new ProducerOptions().validator(Validator.ACCEPT_ALL).partitionSelector((m, n) -> 1)))
            {
                own.push(Metadata.of("not JSON"), DataView.EMPTY).get(30, TimeUnit.SECONDS);
            }
            assertEquals(EVENTS + 2, ferry.listTopics().get(0).events());

            final FerryException exists = assertThrows(FerryException.class,
                () -> ferry.createTopic("frames", 1, TopicConfig.defaults()));
            assertTrue(exists.getMessage().contains("exists already"), exists.getMessage());
        }
    }

    private Ferry connect(final FerryServer server, final String name)
    {
        return Ferry.connect(new Ferry.Context().server(server.address()).shmRoot(root).name(name)
            .poolMaxBytes(16L << 20).poolSlabBytes(4 << 20));
    }

    private static Metadata metadata(final String detector, final int size)
    {
        return Metadata.of("{\"detector\":\"" + detector + "\",\"size\":" + size + "}");
    }

    private static DataView data(final int size)
    {
        return DataView.of(ByteBuffer.allocateDirect(size));
    }
}
