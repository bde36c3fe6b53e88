package dev.ferry.bench;

import dev.ferry.event.DataView;
import dev.ferry.event.Metadata;
import dev.ferry.topic.PartitionSelector;
import dev.ferry.topic.TopicConfig;
import dev.ferry.topic.Validator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * What a topic's validator and partition selector cost a producer per event, on the pushing thread:
 * the defaults ({@code config=default}: accept all, round robin) beside the JSON built-ins
 * ({@code config=json}: a JSON schema of four fields, partition by the {@code detector} field), on the
 * metadata {@code ferry produce} writes, 100 bytes of JSON. {@code route} is what {@code push} runs
 * before it takes the event: validate, then select.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@State(Scope.Benchmark)
public class TopicConfigBenchmark
{
    static final String SCHEMA = "{\"type\":\"object\",\"required\":[\"detector\",\"seq\",\"size\"]," +
        "\"properties\":{\"detector\":{\"type\":\"string\"},\"seq\":{\"type\":\"integer\",\"minimum\":0}," +
        "\"size\":{\"type\":\"integer\",\"maximum\":67108864},\"crc32c\":{\"type\":\"integer\"}}}";

    @Param({ "default", "json" })
    String config;

    private final Metadata metadata =
        Metadata.of("{\"detector\":\"cam-3\",\"seq\":123456,\"size\":1048576,\"crc32c\":-1282472910,\"pushNs\":81234567890123}");
    private Validator validator;
    private PartitionSelector selector;

    @Setup
    public void setUp()
    {
        final TopicConfig topicConfig = "json".equals(config) ?
            TopicConfig.defaults().withJsonSchema(SCHEMA).withPartitionKey("detector") : TopicConfig.defaults();
        validator = topicConfig.validator();
        selector = topicConfig.newPartitionSelector();
    }

    @Benchmark
    public int route()
    {
        validator.validate(metadata, DataView.EMPTY);
        return selector.select(metadata, 8);
    }
}
