package dev.ferry.cli;

import dev.ferry.FerryException;
import dev.ferry.buffer.BufferPool;
import dev.ferry.buffer.Sizes;
import dev.ferry.client.Ferry;
import dev.ferry.client.Producer;
import dev.ferry.client.ProducerOptions;
import dev.ferry.client.Topic;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code ferry produce}: push stamped events into a topic of a running server and report the event
 * IDs each partition gave them.
 */
@Command(
    name = "produce",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Push events into a topic of a running server.",
        "",
        "Each event's data is pseudo-random bytes filled in place in the client's registered pool (no copy); its " +
            "metadata names the producer and the event's sequence, size and CRC-32C, so that " +
            "'ferry consume --verify' can check it. Events go to the partitions in turn, whatever the topic's " +
            "partition selector; its validator (ferry topic create --schema) checks each event.",
        "" },
    footer = {
        "",
        "Prints how many events the server acknowledged, and the event IDs per partition.",
        "Exit status: 0 if every event was acknowledged; 1 if not (the reason is printed); 2 on bad usage." })
final class ProduceCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Option(names = "--topic", paramLabel = "NAME", required = true, description = "The topic to push to.")
    private String topicName;

    @Option(
        names = "--events",
        paramLabel = "N",
        defaultValue = "1000",
        description = "Events to push (default: ${DEFAULT-VALUE}).")
    private long events;

    @Option(
        names = "--size",
        paramLabel = "S",
        defaultValue = "1MiB",
        converter = SizeConverter.class,
        description = "Bytes of data in each event: 0, 512, 64KiB, 4MiB (default: ${DEFAULT-VALUE}).")
    private long sizeBytes;

    @Option(
        names = "--producer-name",
        paramLabel = "NAME",
        description = "Name stamped into each event; consumers count an event of the same name and sequence twice " +
            "as a duplicate, so give each run its own (default: produce-<process id>).")
    private String producerName;

    @Option(
        names = "--first-seq",
        paramLabel = "N",
        defaultValue = "0",
        description = "Sequence number of the first event, to go on where an earlier run of the same producer name " +
            "stopped (default: ${DEFAULT-VALUE}).")
    private long firstSeq;

    @Option(
        names = "--rate",
        paramLabel = "N",
        defaultValue = "0",
        description = "Events per second to push at, like a detector's fixed rate; 0 pushes as fast as the " +
            "server takes them (default: ${DEFAULT-VALUE}).")
    private long rate;

    @Mixin
    private ClientOptions client;

    /**
     * Push the events and wait for their acknowledgements.
     *
     * @return 0 if every event was acknowledged, 1 if not.
     * @throws ParameterException for values out of range, so that picocli prints the usage and exits 2.
     */
    public Integer call()
    {
        final String name = null != producerName ? producerName : "produce-" + ProcessHandle.current().pid();
        checkSettings(name);
        final int size = (int)sizeBytes;
        final PrintWriter out = spec.commandLine().getOut();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final long startNs;
        final long endNs;
        final PartitionRanges acknowledged;
        final Topic topic;
        long pushed = 0;

        try (Ferry ferry = client.connect("produce-" + ProcessHandle.current().pid()))
        {
            topic = ferry.openTopic(topicName);
            acknowledged = new PartitionRanges(topic.partitions());
            startNs = System.nanoTime();
            final Pacer pacer = new Pacer(rate);
            try (Producer producer = topic.producer(new ProducerOptions().name(name).pushTimeout(client.timeout())))
            {
                for (long seq = firstSeq; seq < firstSeq + events && null == failure.get(); seq++)
                {
                    pacer.awaitTurn();
                    final int partition = (int)(seq % topic.partitions());
                    EventCheck.push(producer, name, seq, size, partition).whenComplete((eventId, error) ->
                    {
                        if (null == error)
                        {
                            acknowledged.record(partition, eventId);
                        }
                        else
                        {
                            failure.compareAndSet(null, error);
                        }
                    });
                    pushed++;
                }
            }
            catch (final FerryException ex)
            {
                failure.compareAndSet(null, ex);
            }
            endNs = System.nanoTime();
        }

        final long acked = acknowledged.total();
        final double seconds = Math.max(1e-9, (endNs - startNs) / 1e9);
        out.println(String.format(
            Locale.ROOT,
            "produced %d events of %s to topic '%s' on %s as producer '%s': %d acknowledged in %.3f s " +
            "(%.0f events/s, %.1f MiB/s)",
            pushed, Sizes.format(size), topic.name(), client.server(), name, acked, seconds,
            acked / seconds, acked * (double)size / seconds / (1 << 20)));
        acknowledged.lines().forEach(out::println);
        out.flush();

        if (acked < events)
        {
            final Throwable cause = failure.get();
            final PrintWriter err = spec.commandLine().getErr();
            err.println(spec.qualifiedName() + ": " + (events - acked) + " of " + events + " events were not " +
                "acknowledged" + (null != cause ? ": " + cause.getMessage() :
                " within " + client.timeout().toMillis() + " ms; is the server keeping up?"));
            err.flush();
            return CommandLine.ExitCode.SOFTWARE;
        }

        return CommandLine.ExitCode.OK;
    }

    private void checkSettings(final String name)
    {
        if (events < 1)
        {
            throw usage("--events must be at least 1, was " + events);
        }
        if (rate < 0 || rate > Pacer.MAX_RATE)
        {
            throw usage("--rate must be from 0 (as fast as possible) to " + Pacer.MAX_RATE + " events per second, " +
                "was " + rate);
        }
        if (firstSeq < 0 || firstSeq > EventCheck.MAX_SEQ - events + 1)
        {
            throw usage("--first-seq must be from 0 to " + (EventCheck.MAX_SEQ - events + 1) + " for " + events +
                " events, was " + firstSeq);
        }
        if (sizeBytes < 0 || sizeBytes > BufferPool.Context.SLAB_BYTES_DEFAULT)
        {
            throw usage("--size must be from 0 to " + Sizes.format(BufferPool.Context.SLAB_BYTES_DEFAULT) +
                " (the client's largest segment), was " + Sizes.format(sizeBytes));
        }
        if (!EventCheck.PRODUCER_NAME.matcher(name).matches())
        {
            throw usage("--producer-name must be 1 to 64 letters, digits, '.', '_' or '-', was '" + name + "'");
        }
    }

    private ParameterException usage(final String message)
    {
        return new ParameterException(spec.commandLine(), message);
    }
}
