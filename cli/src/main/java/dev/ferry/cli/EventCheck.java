package dev.ferry.cli;

import dev.ferry.buffer.Segment;
import dev.ferry.client.Producer;
import dev.ferry.event.DataView;
import dev.ferry.event.Event;
import dev.ferry.event.Metadata;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.LongHashSet;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The events the {@code ferry} command makes and checks ({@code pipeline}, {@code produce},
 * {@code consume}): each carries in its metadata who made it, its sequence number, its size and the
 * CRC-32C of its data, so that any consumer can tell whether it arrived intact and whether it
 * arrived before.
 * <p>
 * Metadata is one line of JSON with the fields always in this order and nothing else:
 * <pre>
 * {"producer":"pipeline-0","seq":17,"size":1048576,"crc32c":-12345,"pushNs":81234567890123}
 * </pre>
 * {@code producer} is 1 to 64 letters, digits, '.', '_' or '-' (so it needs no escaping);
 * {@code crc32c} is the checksum as a signed 32-bit integer; {@code pushNs} is the producer's
 * {@link System#nanoTime()} just before the push, comparable only within one process (the pipeline
 * uses it for end-to-end latency). The fixed form is written and parsed here, without a JSON
 * library: metadata in any other form is not one of these events.
 * <p>
 * An instance tallies what consumers received. Thread-safe: consumers on several threads may
 * share one.
 */
final class EventCheck
{
    /**
     * What a producer name may be: it goes into JSON unescaped.
     */
    static final Pattern PRODUCER_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    /**
     * The highest sequence number the metadata holds (18 digits).
     */
    static final long MAX_SEQ = 999_999_999_999_999_999L;

    /**
     * Gaps listed per producer before the rest are only counted.
     */
    private static final int GAPS_LISTED = 8;

    private static final Pattern FORMAT = Pattern.compile(
        "\\{\"producer\":\"(" + PRODUCER_NAME.pattern() + ")\",\"seq\":(\\d{1,18}),\"size\":(\\d{1,10})," +
        "\"crc32c\":(-?\\d{1,10}),\"pushNs\":(-?\\d{1,19})}");

    /**
     * What a received event turned out to be.
     */
    enum Verdict
    {
        /**
         * First arrival, and its data (if checked) is what the producer wrote.
         */
        INTACT,

        /**
         * Its producer and sequence arrived before.
         */
        DUPLICATE,

        /**
         * Its data is not the size or the CRC-32C its metadata gives.
         */
        BAD_CHECKSUM,

        /**
         * Its metadata is not in this class's format, so nothing can be checked.
         */
        UNRECOGNISED
    }

    /**
     * What a producer stamps into an event's metadata.
     *
     * @param producer name of the producer, matching {@link #PRODUCER_NAME}.
     * @param seq      of the event within its producer, from 0.
     * @param size     of its data in bytes.
     * @param crc32c   of its data.
     * @param pushNs   {@link System#nanoTime()} of the producer just before the push.
     */
    record Stamp(String producer, long seq, int size, int crc32c, long pushNs)
    {
        /**
         * @return the metadata, in the fixed format.
         */
        Metadata toMetadata()
        {
            return Metadata.of(
                "{\"producer\":\"" + producer + "\",\"seq\":" + seq + ",\"size\":" + size + ",\"crc32c\":" + crc32c +
                ",\"pushNs\":" + pushNs + "}");
        }

        /**
         * @param metadata of a received event.
         * @return its stamp, or null if the metadata is not in the fixed format.
         */
        static Stamp parse(final Metadata metadata)
        {
            final Matcher matcher = FORMAT.matcher(metadata.asString());
            if (!matcher.matches())
            {
                return null;
            }
            try
            {
                return new Stamp(
                    matcher.group(1),
                    Long.parseLong(matcher.group(2)),
                    Integer.parseInt(matcher.group(3)),
                    Integer.parseInt(matcher.group(4)),
                    Long.parseLong(matcher.group(5)));
            }
            catch (final NumberFormatException ex)
            {
                return null;
            }
        }
    }

    private final boolean verifyData;
    private final Map<String, LongHashSet> seen = new HashMap<>();
    private long received;
    private long intact;
    private long duplicates;
    private long badChecksums;
    private long unrecognised;
    private String firstProblem;

    /**
     * @param verifyData whether to compute each event's CRC-32C and compare it with its metadata's;
     *                   without it only duplicates are detected.
     */
    EventCheck(final boolean verifyData)
    {
        this.verifyData = verifyData;
    }

    /**
     * Make one event's data in place and push it without a copy: deterministic pseudo-random bytes
     * (the same producer name and sequence always give the same bytes), stamped with their checksum.
     * <b>Blocks</b> as {@link Producer#allocate(int)} and {@link Producer#push(Metadata, Segment, int)} do.
     *
     * @param producer     to push with.
     * @param producerName to stamp, matching {@link #PRODUCER_NAME}.
     * @param seq          of the event within its producer.
     * @param size         of its data; 0 for a metadata-only event.
     * @param partition    to push it to.
     * @return the future event ID.
     */
    static CompletableFuture<Long> push(
        final Producer producer, final String producerName, final long seq, final int size, final int partition)
    {
        if (0 == size)
        {
            return producer.push(new Stamp(producerName, seq, 0, 0, System.nanoTime()).toMetadata(), DataView.EMPTY, partition);
        }

        final Segment segment = producer.allocate(size);
        final int crc32c;
        try
        {
            fill(segment.buffer(), size, new SplittableRandom(seed(producerName, seq)));
            crc32c = segment.view().crc32c();
        }
        catch (final RuntimeException ex)
        {
            segment.release();
            throw ex;
        }

        return producer.push(new Stamp(producerName, seq, size, crc32c, System.nanoTime()).toMetadata(), segment, partition);
    }

    /**
     * Check a received event and count it. Its data is read here, so call this before acknowledging it.
     *
     * @param event received.
     * @param stamp parsed from its metadata with {@link Stamp#parse(Metadata)}, or null if it did not parse.
     * @return what the event turned out to be.
     */
    Verdict check(final Event event, final Stamp stamp)
    {
        String badData = null;
        if (null != stamp && verifyData)
        {
            final long length = event.data().length();
            if (length != stamp.size())
            {
                badData = "data of " + length + " bytes, where its producer wrote " + stamp.size();
            }
            else
            {
                final int crc32c = event.data().crc32c();
                if (crc32c != stamp.crc32c())
                {
                    badData = "data with CRC-32C " + crc32c + ", where its producer wrote " + stamp.crc32c();
                }
            }
        }

        return record(event, stamp, badData);
    }

    /**
     * @return events checked.
     */
    synchronized long received()
    {
        return received;
    }

    /**
     * @return events that arrived for the first time with the data their metadata describes.
     */
    synchronized long intact()
    {
        return intact;
    }

    /**
     * @return events whose producer and sequence had arrived before.
     */
    synchronized long duplicates()
    {
        return duplicates;
    }

    /**
     * @return events whose data did not match the size or CRC-32C of their metadata.
     */
    synchronized long badChecksums()
    {
        return badChecksums;
    }

    /**
     * @return events whose metadata is not in this class's format.
     */
    synchronized long unrecognised()
    {
        return unrecognised;
    }

    /**
     * Events missing from each producer's sequence: those below the highest sequence number received
     * from it that never arrived. A gap is a loss only if the consumer read the whole topic from its
     * start; a consumer that resumed, or stopped early, may have left some in partitions it read less
     * far.
     *
     * @return how many sequence numbers are missing over all producers.
     */
    synchronized long missing()
    {
        long missing = 0;
        for (final LongHashSet seqs : seen.values())
        {
            missing += highest(seqs) + 1 - seqs.size();
        }
        return missing;
    }

    /**
     * @return one line per producer, by name, such as {@code producer 'cam-1': 100 events, sequence
     * 0..99, none missing} or {@code producer 'p': 6 events, sequence 0..7, 2 missing: 3..4}.
     */
    synchronized List<String> sequenceLines()
    {
        final List<String> lines = new ArrayList<>(seen.size());
        for (final String producer : new TreeSet<>(seen.keySet()))
        {
            final long[] seqs = seen.get(producer).stream().mapToLong(Long::longValue).sorted().toArray();
            final long last = seqs[seqs.length - 1];
            final long missing = last + 1 - seqs.length;
            final StringBuilder line = new StringBuilder()
                .append("producer '").append(producer).append("': ").append(seqs.length)
                .append(1 == seqs.length ? " event" : " events").append(", sequence 0..").append(last).append(", ")
                .append(0 == missing ? "none" : Long.toString(missing)).append(" missing");
            int listed = 0;
            long expected = 0;
            for (final long seq : seqs)
            {
                if (seq > expected)
                {
                    line.append(0 == listed ? ": " : ", ");
                    if (listed++ == GAPS_LISTED)
                    {
                        line.append("…");
                        break;
                    }
                    line.append(expected).append(seq - 1 > expected ? ".." + (seq - 1) : "");
                }
                expected = seq + 1;
            }
            lines.add(line.toString());
        }
        return lines;
    }

    /**
     * @return the first bad, duplicate or unrecognised event, described; or null if there was none.
     */
    synchronized String firstProblem()
    {
        return firstProblem;
    }

    private synchronized Verdict record(final Event event, final Stamp stamp, final String badData)
    {
        received++;
        if (null == stamp)
        {
            unrecognised++;
            problem(event, "its metadata '" + event.metadata() + "' is not what ferry produce or ferry pipeline write");
            return Verdict.UNRECOGNISED;
        }
        if (!seen.computeIfAbsent(stamp.producer(), (name) -> new LongHashSet()).add(stamp.seq()))
        {
            duplicates++;
            problem(event, "event " + stamp.seq() + " of producer '" + stamp.producer() + "' arrived again");
            return Verdict.DUPLICATE;
        }
        if (null != badData)
        {
            badChecksums++;
            problem(event, badData);
            return Verdict.BAD_CHECKSUM;
        }

        intact++;
        return Verdict.INTACT;
    }

    private static long highest(final LongHashSet seqs)
    {
        long highest = -1;
        final LongHashSet.LongIterator iterator = seqs.iterator();
        while (iterator.hasNext())
        {
            highest = Math.max(highest, iterator.nextValue());
        }
        return highest;
    }

    private void problem(final Event event, final String what)
    {
        if (null == firstProblem)
        {
            firstProblem = "partition " + event.partition() + ", event " + event.eventId() + ": " + what;
        }
    }

    private static long seed(final String producerName, final long seq)
    {
        return producerName.hashCode() * 0x9E3779B97F4A7C15L + seq;
    }

    private static void fill(final MutableDirectBuffer buffer, final int length, final SplittableRandom random)
    {
        int i = 0;
        for (final int end = length & ~7; i < end; i += 8)
        {
            buffer.putLong(i, random.nextLong());
        }
        for (; i < length; i++)
        {
            buffer.putByte(i, (byte)random.nextInt());
        }
    }
}
