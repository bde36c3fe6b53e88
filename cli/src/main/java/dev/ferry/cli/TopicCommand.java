package dev.ferry.cli;

import dev.ferry.client.Ferry;
import dev.ferry.client.Topic;
import dev.ferry.client.TopicDescription;
import dev.ferry.topic.TopicConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code ferry topic create}, {@code list} and {@code describe}: manage the topics of a running server.
 */
@Command(
    name = "topic",
    mixinStandardHelpOptions = true,
    description = "Create, list or describe the topics of a running server.",
    subcommands = { TopicCommand.Create.class, TopicCommand.ListTopics.class, TopicCommand.Describe.class })
final class TopicCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    /**
     * {@code ferry topic} alone names no work to do.
     *
     * @return never returns normally.
     * @throws ParameterException always, so that picocli prints the usage and exits 2.
     */
    public Integer call()
    {
        throw new ParameterException(spec.commandLine(),
            "Missing a command: ferry topic create, ferry topic list, or ferry topic describe");
    }

    /**
     * {@code ferry topic create NAME --partitions N [--schema FILE] [--key FIELD]}.
     */
    @Command(
        name = "create",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Create a topic on a running server.",
        footer = { "", "Exit status: 0 created; 1 not (the reason is printed, e.g. it exists); 2 bad usage." })
    static final class Create implements Callable<Integer>
    {
        @Spec
        private CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NAME", description = "Name of the topic.")
        private String name;

        @Option(
            names = "--partitions",
            paramLabel = "N",
            defaultValue = "1",
            description = "Partitions of the topic; each stores its events in order (default: ${DEFAULT-VALUE}).")
        private int partitions;

        @Option(
            names = "--schema",
            paramLabel = "FILE",
            description = "A JSON schema (a file) every event's metadata must match; producers refuse events " +
                "that do not, naming the failing field (default: every event is accepted).")
        private Path schema;

        @Option(
            names = "--key",
            paramLabel = "FIELD",
            description = "A top-level field of the events' JSON metadata whose value picks the partition, so " +
                "that events with the same value keep their order (default: round robin).")
        private String key;

        @Mixin
        private ClientOptions client;

        public Integer call()
        {
            if (partitions < 1)
            {
                throw new ParameterException(spec.commandLine(), "--partitions must be at least 1, was " + partitions);
            }
            final TopicConfig config = config();

            try (Ferry ferry = client.connect("topic-" + ProcessHandle.current().pid()))
            {
                final Topic topic = ferry.createTopic(name, partitions, config);
                final PrintWriter out = spec.commandLine().getOut();
                out.println("created topic '" + topic.name() + "' with " + topic.partitions() +
                    (1 == topic.partitions() ? " partition" : " partitions") + " on " + client.server());
                if (!TopicConfig.defaults().equals(topic.config()))
                {
                    out.println(topic.config());
                }
                out.flush();
            }

            return CommandLine.ExitCode.OK;
        }

        private TopicConfig config()
        {
            try
            {
                TopicConfig config = TopicConfig.defaults();
                if (null != schema)
                {
                    final String text;
                    try
                    {
                        text = Files.readString(schema);
                    }
                    catch (final IOException ex)
                    {
                        throw new IllegalArgumentException("cannot read it: " + ex);
                    }
                    config = config.withJsonSchema(text);
                }
                return null == key ? config : config.withPartitionKey(key);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new ParameterException(spec.commandLine(),
                    (null != schema ? "--schema " + schema + " or --key: " : "--key: ") + ex.getMessage());
            }
        }
    }

    /**
     * {@code ferry topic describe NAME}: partitions, validator and partition selector.
     */
    @Command(
        name = "describe",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Show how a topic checks and places its events: partitions, validator, partition selector.",
        footer = { "", "Exit status: 0 shown; 1 not (the reason is printed, e.g. no such topic); 2 bad usage." })
    static final class Describe implements Callable<Integer>
    {
        @Spec
        private CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NAME", description = "Name of the topic.")
        private String name;

        @Mixin
        private ClientOptions client;

        public Integer call()
        {
            try (Ferry ferry = client.connect("topic-" + ProcessHandle.current().pid()))
            {
                final Topic topic = ferry.openTopic(name);
                final TopicConfig config = topic.config();
                final PrintWriter out = spec.commandLine().getOut();
                out.println("topic '" + topic.name() + "' on " + client.server() + ": " + topic.partitions() +
                    (1 == topic.partitions() ? " partition" : " partitions"));
                out.println("validator: " + (null == config.jsonSchema() ? "accept all" : "JSON schema " + config.jsonSchema()));
                out.println("partition selector: " +
                    (null == config.partitionKey() ? "round robin" : "by key '" + config.partitionKey() + "'"));
                out.flush();
            }
            return CommandLine.ExitCode.OK;
        }
    }

    /**
     * {@code ferry topic list}: a table of name, partitions, events.
     */
    @Command(
        name = "list",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "List the topics of a running server: name, partitions, events stored.",
        footer = { "", "Exit status: 0 listed; 1 the server could not be asked (the reason is printed); 2 bad usage." })
    static final class ListTopics implements Callable<Integer>
    {
        @Spec
        private CommandSpec spec;

        @Mixin
        private ClientOptions client;

        public Integer call()
        {
            final List<TopicDescription> topics;
            try (Ferry ferry = client.connect("topic-" + ProcessHandle.current().pid()))
            {
                topics = ferry.listTopics();
            }

            final PrintWriter out = spec.commandLine().getOut();
            if (topics.isEmpty())
            {
                out.println("no topics on " + client.server() + "; create one with: ferry topic create NAME --server " +
                    client.server());
            }
            else
            {
                int nameWidth = "NAME".length();
                for (final TopicDescription topic : topics)
                {
                    nameWidth = Math.max(nameWidth, topic.name().length());
                }
                final String format = "%-" + nameWidth + "s  %10s  %12s%n";
                out.printf(format, "NAME", "PARTITIONS", "EVENTS");
                for (final TopicDescription topic : topics)
                {
                    out.printf(format, topic.name(), topic.partitions(), topic.events());
                }
            }
            out.flush();

            return CommandLine.ExitCode.OK;
        }
    }
}
