package dev.ferry.cli;

import dev.ferry.client.Ferry;
import dev.ferry.client.Topic;
import dev.ferry.client.TopicDescription;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code ferry topic create} and {@code ferry topic list}: manage the topics of a running server.
 */
@Command(
    name = "topic",
    mixinStandardHelpOptions = true,
    description = "Create or list the topics of a running server.",
    subcommands = { TopicCommand.Create.class, TopicCommand.ListTopics.class })
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
        throw new ParameterException(spec.commandLine(), "Missing a command: ferry topic create, or ferry topic list");
    }

    /**
     * {@code ferry topic create NAME --partitions N}.
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

        @Mixin
        private ClientOptions client;

        public Integer call()
        {
            if (partitions < 1)
            {
                throw new ParameterException(spec.commandLine(), "--partitions must be at least 1, was " + partitions);
            }

            try (Ferry ferry = client.connect("topic-" + ProcessHandle.current().pid()))
            {
                final Topic topic = ferry.createTopic(name, partitions);
                final PrintWriter out = spec.commandLine().getOut();
                out.println("created topic '" + topic.name() + "' with " + topic.partitions() +
                    (1 == topic.partitions() ? " partition" : " partitions") + " on " + client.server());
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
