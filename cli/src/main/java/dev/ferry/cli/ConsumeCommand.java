package dev.ferry.cli;

import dev.ferry.FerryException;
import dev.ferry.buffer.Sizes;
import dev.ferry.client.Consumer;
import dev.ferry.client.ConsumerOptions;
import dev.ferry.client.Ferry;
import dev.ferry.client.Topic;
import dev.ferry.client.TopicDescription;
import dev.ferry.event.Event;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code ferry consume}: read a topic's events under a consumer name, acknowledge each, and count
 * what arrived: events, bad checksums, duplicates.
 */
@Command(
    name = "consume",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Read events from a topic of a running server under a consumer name, and acknowledge each.",
        "",
        "A new consumer name starts at event 0 of every partition; the same name resumes after its last " +
            "acknowledgement. Duplicates are found by the producer and sequence in each event's metadata (as " +
            "'ferry produce' and 'ferry pipeline' write it); --verify also checks each event's data against the " +
            "CRC-32C there.",
        "" },
    footer = {
        "",
        "Prints the counts of events, bad checksums and duplicates, and the event IDs per partition; with --verify " +
            "also each producer's sequence and what is missing from it.",
        "Exit status: 0 if N events arrived, none bad or duplicate, and (having read the whole topic) none missing; " +
            "1 if not (the reason is printed); 2 on bad usage." })
final class ConsumeCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Option(names = "--topic", paramLabel = "NAME", required = true, description = "The topic to read.")
    private String topicName;

    @Option(
        names = "--consumer",
        paramLabel = "NAME",
        required = true,
        description = "Name the server keeps this consumer's position under.")
    private String consumerName;

    @Option(names = "--events", paramLabel = "N", required = true, description = "Events to read, then stop.")
    private long events;

    @Option(
        names = "--verify",
        description = "Check each event's data against the size and CRC-32C in its metadata (events whose " +
            "metadata is not in that form count as bad), and report per producer the sequence numbers missing below " +
            "the highest received; when the whole topic was read from its start, a gap is a lost event and fails.")
    private boolean verify;

    @Option(
        names = "--rate",
        paramLabel = "N",
        defaultValue = "0",
        description = "Most events per second to take, like a slow analysis; 0 takes them as fast as they come " +
            "(default: ${DEFAULT-VALUE}).")
    private long rate;

    @Mixin
    private ClientOptions client;

    /**
     * Read the events and count them.
     *
     * @return 0 if N events arrived and none was bad, duplicate or missing, 1 if not.
     * @throws ParameterException for values out of range, so that picocli prints the usage and exits 2.
     */
    public Integer call()
    {
        if (events < 1)
        {
            throw new ParameterException(spec.commandLine(), "--events must be at least 1, was " + events);
        }
        if (consumerName.isBlank())
        {
            throw new ParameterException(spec.commandLine(), "--consumer must name the consumer, was blank");
        }
        if (rate < 0 || rate > Pacer.MAX_RATE)
        {
            throw new ParameterException(spec.commandLine(),
                "--rate must be from 0 (as fast as they come) to " + Pacer.MAX_RATE + " events per second, was " + rate);
        }

        final long timeoutNs = client.timeout().toNanos();
        final EventCheck check = new EventCheck(verify);
        final PartitionRanges delivered;
        final Topic topic;
        final long startNs;
        final long endNs;
        long bytes = 0;
        long stored = -1;
        String stopped = null;

        try (Ferry ferry = client.connect("consume-" + ProcessHandle.current().pid()))
        {
            topic = ferry.openTopic(topicName);
            delivered = new PartitionRanges(topic.partitions());
            startNs = System.nanoTime();
            final Pacer pacer = new Pacer(rate);
            try (Consumer consumer = topic.consumer(new ConsumerOptions(consumerName)))
            {
                while (check.received() < events)
                {
                    pacer.awaitTurn();
                    final Event event = next(consumer.pull(), timeoutNs);
                    check.check(event, EventCheck.Stamp.parse(event.metadata()));
                    delivered.record(event.partition(), event.eventId());
                    bytes += event.data().length();
                    event.acknowledge();
                }
            }
            catch (final TimeoutException ex)
            {
                stopped = "no event arrived for " + client.timeout().toMillis() + " ms";
            }
            endNs = System.nanoTime();
            if (verify)
            {
                stored = storedEvents(ferry, topic.name());
            }
        }

        final double seconds = Math.max(1e-9, (endNs - startNs) / 1e9);
        final PrintWriter out = spec.commandLine().getOut();
        out.println(String.format(
            Locale.ROOT,
            "consumed %d events (%s) from topic '%s' on %s as consumer '%s' in %.3f s: %s, %d duplicates%s",
            check.received(), Sizes.format(bytes), topic.name(), client.server(), consumerName, seconds,
            verify ? check.badChecksums() + " bad checksums" : "checksums not checked (add --verify)",
            check.duplicates(),
            0 == check.unrecognised() ? "" : ", " + check.unrecognised() + " with metadata not from ferry produce"));
        delivered.lines().forEach(out::println);
        // Only a consumer that read every event the topic holds, from the first, can tell a gap from an
        // event it did not reach: a resumed consumer, or one that stopped early, may have left some.
        final boolean wholeTopic = delivered.fromStart() && check.received() == stored;
        if (verify)
        {
            check.sequenceLines().forEach(out::println);
            if (!wholeTopic && check.missing() > 0)
            {
                out.println("(this consumer did not read the whole topic from its start, so the numbers missing may " +
                    "be events it did not reach)");
            }
        }
        out.flush();

        final List<String> problems = new ArrayList<>();
        if (check.received() < events)
        {
            problems.add("only " + check.received() + " of " + events + " events arrived; " + stopped);
        }
        final long bad = check.badChecksums() + check.duplicates() + (verify ? check.unrecognised() : 0);
        if (bad > 0)
        {
            problems.add(bad + " events were bad or duplicates; the first: " + check.firstProblem());
        }
        final long missing = verify && wholeTopic ? check.missing() : 0;
        if (missing > 0)
        {
            problems.add(missing + " events are missing from their producers' sequences (listed above)");
        }
        if (!problems.isEmpty())
        {
            final PrintWriter err = spec.commandLine().getErr();
            err.println(spec.qualifiedName() + ": " + String.join("; ", problems));
            err.flush();
            return CommandLine.ExitCode.SOFTWARE;
        }

        return CommandLine.ExitCode.OK;
    }

    private static long storedEvents(final Ferry ferry, final String topicName)
    {
        for (final TopicDescription description : ferry.listTopics())
        {
            if (description.name().equals(topicName))
            {
                return description.events();
            }
        }
        return -1;
    }

    private static Event next(final CompletableFuture<Event> pull, final long timeoutNs) throws TimeoutException
    {
        try
        {
            return pull.get(timeoutNs, TimeUnit.NANOSECONDS);
        }
        catch (final ExecutionException ex)
        {
            final Throwable cause = ex.getCause();
            throw cause instanceof FerryException ? (FerryException)cause :
                new FerryException("reading the next event failed: " + cause.getMessage(), cause);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new FerryException("interrupted while waiting for the next event");
        }
    }
}
