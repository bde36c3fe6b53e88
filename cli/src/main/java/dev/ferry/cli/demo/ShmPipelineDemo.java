package dev.ferry.cli.demo;

import dev.ferry.FerryException;
import dev.ferry.buffer.BufferPool;
import dev.ferry.buffer.PoolExhaustedException;
import dev.ferry.buffer.Segment;
import dev.ferry.bulk.DataDescriptor;
import dev.ferry.bulk.PeerInfo;
import dev.ferry.bulk.Region;
import dev.ferry.bulk.RegionDescriptor;
import dev.ferry.bulk.shm.ShmBulkTransport;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.LongHashSet;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;

/**
 * Runs the shared-memory demo: the calling thread produces, an I/O agent on its own thread consumes.
 * <pre>
 *  calling thread (producer)                              agent thread (consumer)
 *  allocate from producer pool (waits, with a deadline)
 *  fill with pseudo-random bytes, CRC-32C
 *  register a new slab with the producer's transport
 *  offer {descriptor, crc} ──── bounded queue ────────▶ attach a new slab (read-only mapping)
 *                                                       allocate from consumer pool (or pause)
 *                                                       pull over shared memory
 *                                                       check CRC-32C, release both segments
 * </pre>
 * Not thread-safe: one run at a time per instance.
 */
public final class ShmPipelineDemo
{
    /**
     * The largest event: a pool's largest slab, and so its largest segment.
     */
    public static final int MAX_EVENT_BYTES = 1 << 30;

    /**
     * The default bound of each pool's event data, unless four events need more.
     */
    public static final long POOL_BYTES_DEFAULT = 16L << 20;

    /**
     * Descriptors the producer may hand over before the consumer takes them.
     */
    static final int QUEUE_CAPACITY = 1024;

    /**
     * Memory for control-path messages; the demo sends none, so each pool keeps the smallest reserve.
     */
    static final int RESERVE_BYTES = 4 << 10;

    private static final int MAX_SLAB_BYTES = 64 << 20;
    private static final long PRODUCER_PEER_ID = 1;
    private static final long CONSUMER_PEER_ID = 2;
    private static final long WAIT_PARK_NS = TimeUnit.MILLISECONDS.toNanos(1);
    /**
     * Stopping the agent is the demo's own business, not the user's; a tiny --timeout must not fail it.
     */
    private static final long MIN_STOP_WAIT_MS = 5_000;

    private final PipelineSettings settings;
    private final long timeoutNs;

    /**
     * @param settings of the run, already checked.
     */
    public ShmPipelineDemo(final PipelineSettings settings)
    {
        this.settings = settings;
        this.timeoutNs = settings.timeout().toNanos();
    }

    /**
     * @param eventBytes of data in an event.
     * @return the memory a pool sets aside for one such event: a power of two, at least a page.
     */
    public static int segmentBytes(final int eventBytes)
    {
        final int pow2 = eventBytes <= 1 ? 1 : Integer.highestOneBit(eventBytes - 1) << 1;
        return Math.max(BufferPool.Context.MIN_SEGMENT_BYTES_DEFAULT, pow2);
    }

    /**
     * @param eventBytes of data in an event.
     * @return the bound each pool gets when none is given: {@link #POOL_BYTES_DEFAULT}, or room for
     * four events if that is more.
     */
    public static long defaultPoolBytes(final int eventBytes)
    {
        return Math.max(POOL_BYTES_DEFAULT, 4L * segmentBytes(eventBytes));
    }

    /**
     * Move the events and check them.
     * <p>
     * <b>Blocks</b> until every event is consumed, or nothing progressed for the timeout.
     *
     * @param onProgress told, on the calling thread, how many events the consumer has finished.
     * @return what happened.
     * @throws FerryException if a pool or transport cannot be set up (no shared memory, say).
     */
    public PipelineReport run(final LongConsumer onProgress)
    {
        final List<String> problems = new ArrayList<>();
        final PeerInfo producerPeer = PeerInfo.local(PRODUCER_PEER_ID);
        try (BufferPool producerPool = new BufferPool(poolContext("pipeline-producer"));
            BufferPool consumerPool = new BufferPool(poolContext("pipeline-consumer"));
            ShmBulkTransport producerTransport = newTransport(producerPeer))
        {
            final OneToOneConcurrentArrayQueue<DescriptorHandoff> queue = new OneToOneConcurrentArrayQueue<>(QUEUE_CAPACITY);
            final ConsumerAgent agent = new ConsumerAgent(
                queue,
                newTransport(PeerInfo.local(CONSUMER_PEER_ID)),
                producerPeer,
                consumerPool,
                settings.events(),
                timeoutNs);
            final AgentRunner runner = new AgentRunner(new BackoffIdleStrategy(), agent::onError, null, agent);

            AgentRunner.startOnThread(runner);
            final long startNs;
            try
            {
                awaitStart(agent);
                startNs = System.nanoTime();
                final int handedOver = produce(producerPool, producerTransport, queue, agent, problems, onProgress);
                awaitConsumer(agent, handedOver, problems, onProgress);
            }
            finally
            {
                stop(runner);
                releaseUnconsumed(queue);
            }

            final long endNs = 0 != agent.lastCompletionNs() ? agent.lastCompletionNs() : System.nanoTime();
            checkAllReleased(producerPool, problems);
            checkAllReleased(consumerPool, problems);

            return new PipelineReport(
                settings,
                agent,
                (endNs - startNs) / 1e9,
                new PipelineReport.PoolUse(producerPool),
                new PipelineReport.PoolUse(consumerPool),
                problems);
        }
    }

    /**
     * Wait for the agent's thread to run, so that thread start-up is not counted as pull latency.
     */
    private void awaitStart(final ConsumerAgent agent)
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        while (!agent.started())
        {
            if (System.nanoTime() - deadlineNs >= 0)
            {
                throw new FerryException(
                    "the pipeline's I/O agent did not start within " + settings.timeout().toMillis() + " ms; " +
                    "the machine may be overloaded, try a longer --timeout");
            }
            LockSupport.parkNanos(WAIT_PARK_NS);
        }
    }

    private int produce(
        final BufferPool pool,
        final ShmBulkTransport transport,
        final OneToOneConcurrentArrayQueue<DescriptorHandoff> queue,
        final ConsumerAgent agent,
        final List<String> problems,
        final LongConsumer onProgress)
    {
        final int eventBytes = settings.eventBytes();
        final SplittableRandom random = new SplittableRandom();
        final LongHashSet registered = new LongHashSet();
        final IdleStrategy idle = new BackoffIdleStrategy();

        for (int sequence = 0; sequence < settings.events(); sequence++)
        {
            if (null != agent.failure())
            {
                return sequence;
            }

            final Segment segment;
            try
            {
                segment = pool.allocate(eventBytes, System.nanoTime() + timeoutNs);
            }
            catch (final PoolExhaustedException ex)
            {
                problems.add("the producer waited in vain for memory: " + ex.getMessage());
                return sequence;
            }

            final DescriptorHandoff handoff;
            try
            {
                fill(segment.buffer(), eventBytes, random);
                final Region region = segment.region();
                final RegionDescriptor newRegion = registered.add(region.regionId()) ? transport.register(region) : null;
                handoff = new DescriptorHandoff(
                    sequence,
                    segment,
                    newRegion,
                    DataDescriptor.of(region, segment.regionOffset(), eventBytes),
                    segment.view().crc32c());
            }
            catch (final RuntimeException ex)
            {
                segment.release();
                throw ex;
            }

            if (!handOver(queue, handoff, agent, idle, problems))
            {
                segment.release();
                return sequence;
            }
            onProgress.accept(agent.finished());
        }

        return settings.events();
    }

    private boolean handOver(
        final OneToOneConcurrentArrayQueue<DescriptorHandoff> queue,
        final DescriptorHandoff handoff,
        final ConsumerAgent agent,
        final IdleStrategy idle,
        final List<String> problems)
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        idle.reset();
        while (true)
        {
            final long nowNs = System.nanoTime();
            handoff.handedOverNs = nowNs;
            if (queue.offer(handoff))
            {
                return true;
            }
            if (null != agent.failure())
            {
                return false;
            }
            if (nowNs - deadlineNs >= 0)
            {
                problems.add(
                    "the consumer took no descriptor from its queue (" + QUEUE_CAPACITY + " waiting) for " +
                    settings.timeout().toMillis() + " ms; its I/O agent is stuck");
                return false;
            }
            idle.idle();
        }
    }

    private void awaitConsumer(
        final ConsumerAgent agent, final int handedOver, final List<String> problems, final LongConsumer onProgress)
    {
        long lastFinished = -1;
        long deadlineNs = 0;
        while (true)
        {
            final long finished = agent.finished();
            onProgress.accept(finished);
            if (finished >= handedOver)
            {
                return;
            }

            final long nowNs = System.nanoTime();
            if (finished != lastFinished)
            {
                lastFinished = finished;
                deadlineNs = nowNs + timeoutNs;
            }
            else if (nowNs - deadlineNs >= 0)
            {
                problems.add(
                    "the consumer finished no event for " + settings.timeout().toMillis() + " ms with " +
                    (handedOver - finished) + " of " + handedOver + " still pending; its I/O agent is stuck");
                return;
            }
            LockSupport.parkNanos(WAIT_PARK_NS);
        }
    }

    private void stop(final AgentRunner runner)
    {
        final int waitMs = (int)Math.min(Integer.MAX_VALUE, Math.max(MIN_STOP_WAIT_MS, settings.timeout().toMillis()));
        runner.close(
            waitMs,
            (thread) ->
            {
                throw new FerryException(
                    "the pipeline's I/O agent (thread '" + thread.getName() + "') did not stop within " + waitMs +
                    " ms; the process must exit to free its memory");
            });
    }

    private static void releaseUnconsumed(final OneToOneConcurrentArrayQueue<DescriptorHandoff> queue)
    {
        DescriptorHandoff handoff;
        while (null != (handoff = queue.poll()))
        {
            handoff.source.release();
        }
    }

    private static void checkAllReleased(final BufferPool pool, final List<String> problems)
    {
        if (pool.segmentsInUse() > 0 || pool.leaks() > 0)
        {
            problems.add(
                "buffer pool '" + pool.name() + "' has " + pool.segmentsInUse() + " segments never released and " +
                pool.leaks() + " leaked at the end of the run; the demo lost track of memory");
        }
    }

    private BufferPool.Context poolContext(final String name)
    {
        final int slabBytes = slabBytes(settings.eventBytes(), settings.poolBytes());
        return new BufferPool.Context()
            .name(name)
            .directory(settings.directory())
            .slabBytes(slabBytes)
            .maxBytes(settings.poolBytes() / slabBytes * slabBytes + RESERVE_BYTES)
            .reserveBytes(RESERVE_BYTES);
    }

    /**
     * Slabs of about a quarter of the pool (so the pool is mapped as it fills, in a few files), at
     * most 64 MiB, and never smaller than one event's segment.
     */
    private static int slabBytes(final int eventBytes, final long poolBytes)
    {
        final long quarter = Long.highestOneBit(Math.max(1, Math.min(MAX_SLAB_BYTES, poolBytes / 4)));
        return (int)Math.max(segmentBytes(eventBytes), quarter);
    }

    private ShmBulkTransport newTransport(final PeerInfo peer)
    {
        return new ShmBulkTransport(peer, settings.directory(), ShmBulkTransport.CHUNK_BYTES_DEFAULT);
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
