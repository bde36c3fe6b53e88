package dev.ferry.cli.demo;

import dev.ferry.agent.IoAgentThreads;
import dev.ferry.buffer.BufferPool;
import dev.ferry.buffer.PoolClosedException;
import dev.ferry.buffer.Segment;
import dev.ferry.bulk.BulkTransport;
import dev.ferry.bulk.BulkTransportException;
import dev.ferry.bulk.PeerInfo;
import dev.ferry.bulk.PullHandler;
import org.HdrHistogram.Histogram;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;

/**
 * The consumer's I/O agent: takes descriptors from the producer's queue, attaches regions it has
 * not seen, pulls each event's data into a segment of its own pool, checks the CRC-32C, and gives
 * both segments back.
 * <p>
 * It owns the bulk transport and everything else here; only {@link #started()}, {@link #finished()}
 * and {@link #failure()} are read by other threads while it runs, the rest once its runner has stopped.
 * <p>
 * <b>Back-pressure.</b> When its pool is exhausted the agent queues a {@link SegmentWaiter} and
 * stops taking descriptors until memory comes (the I/O pause DESIGN.md describes); the producer's
 * segments then stay held, so the producer in turn waits for memory.
 */
final class ConsumerAgent implements Agent, PullHandler
{
    /**
     * Most descriptors taken from the queue per duty cycle.
     */
    static final int DRAIN_LIMIT = 16;

    private final OneToOneConcurrentArrayQueue<DescriptorHandoff> queue;
    private final BulkTransport transport;
    private final PeerInfo producer;
    private final BufferPool pool;
    private final long timeoutNs;
    private final boolean[] arrived;
    private final Int2ObjectHashMap<DescriptorHandoff> pulling = new Int2ObjectHashMap<>();
    private final Histogram pullLatencyNs = new Histogram(3);

    private DescriptorHandoff blocked;
    private SegmentWaiter waiter;
    private long blockedDeadlineNs;

    private long verified;
    private long corrupt;
    private long duplicates;
    private long failed;
    private long lastCompletionNs;
    private volatile boolean started;
    private volatile long finished;
    private volatile String failure;

    /**
     * @param queue     the producer hands descriptors over on.
     * @param transport to pull with; owned by this agent from now on, closed in {@link #onClose()}.
     * @param producer  the peer whose regions the descriptors name.
     * @param pool      the consumer's memory, to pull into.
     * @param events    how many events the producer will send, sequences 0 to events - 1.
     * @param timeoutNs longest wait for memory.
     */
    ConsumerAgent(
        final OneToOneConcurrentArrayQueue<DescriptorHandoff> queue,
        final BulkTransport transport,
        final PeerInfo producer,
        final BufferPool pool,
        final int events,
        final long timeoutNs)
    {
        this.queue = queue;
        this.transport = transport;
        this.producer = producer;
        this.pool = pool;
        this.timeoutNs = timeoutNs;
        this.arrived = new boolean[events];
    }

    public String roleName()
    {
        return "ferry-pipeline-consumer";
    }

    public void onStart()
    {
        IoAgentThreads.markCurrentThread(roleName());
        started = true;
    }

    public int doWork()
    {
        int workCount = 0;
        if (null != blocked)
        {
            workCount += resumeBlocked();
        }
        if (null == blocked)
        {
            workCount += drainQueue();
        }
        workCount += transport.doWork();

        return workCount;
    }

    /**
     * Fail what is still pending and close the transport.
     */
    public void onClose()
    {
        try
        {
            if (null != blocked)
            {
                if (waiter.giveUp())
                {
                    pool.cancel(waiter);
                }
                else
                {
                    blocked.destination = waiter.segment();
                }
                failEvent(blocked, "the pipeline stopped while event " + blocked.sequence + " waited for memory");
                blocked = null;
            }
            transport.close();
        }
        finally
        {
            IoAgentThreads.clearCurrentThread();
        }
    }

    public void onPullComplete(final long correlationId)
    {
        final DescriptorHandoff handoff = pulling.remove((int)correlationId);
        final long nowNs = System.nanoTime();
        pullLatencyNs.recordValue(Math.max(0, nowNs - handoff.handedOverNs));
        lastCompletionNs = nowNs;

        final int crc32c = handoff.destination.view().crc32c();
        if (crc32c != handoff.crc32c)
        {
            corrupt++;
            recordFailure(String.format(
                "event %d: the pulled data's CRC-32C is %08x, the producer wrote %08x",
                handoff.sequence, crc32c, handoff.crc32c));
        }
        else if (arrived[handoff.sequence])
        {
            duplicates++;
            recordFailure("event " + handoff.sequence + " arrived twice");
        }
        else
        {
            arrived[handoff.sequence] = true;
            verified++;
        }

        releaseBoth(handoff);
        finished = finished + 1;
    }

    public void onPullFailed(final long correlationId, final BulkTransportException cause)
    {
        failEvent(pulling.remove((int)correlationId), cause.getMessage());
    }

    /**
     * Record an error that escaped the duty cycle; given to the agent's runner as its error handler.
     *
     * @param ex what escaped.
     */
    void onError(final Throwable ex)
    {
        recordFailure("the consumer's I/O agent failed: " + ex);
    }

    /**
     * @return true once the agent runs on its thread; any thread.
     */
    boolean started()
    {
        return started;
    }

    /**
     * @return events whose pull completed or failed; any thread.
     */
    long finished()
    {
        return finished;
    }

    /**
     * @return the first thing that went wrong, or null; any thread.
     */
    String failure()
    {
        return failure;
    }

    /**
     * @return events that arrived once with the data the producer wrote; read after the agent stopped.
     */
    long verified()
    {
        return verified;
    }

    /**
     * @return events whose data differed from what the producer wrote; read after the agent stopped.
     */
    long corrupt()
    {
        return corrupt;
    }

    /**
     * @return events that arrived more than once; read after the agent stopped.
     */
    long duplicates()
    {
        return duplicates;
    }

    /**
     * @return events whose pull failed; read after the agent stopped.
     */
    long failed()
    {
        return failed;
    }

    /**
     * @return {@link System#nanoTime()} of the last completed pull; read after the agent stopped.
     */
    long lastCompletionNs()
    {
        return lastCompletionNs;
    }

    /**
     * @return time from hand-over to pull completion, in nanoseconds; read after the agent stopped.
     */
    Histogram pullLatencyNs()
    {
        return pullLatencyNs;
    }

    private int drainQueue()
    {
        int workCount = 0;
        DescriptorHandoff handoff;
        while (workCount < DRAIN_LIMIT && null != (handoff = queue.poll()))
        {
            workCount++;
            if (null != handoff.newRegion)
            {
                try
                {
                    transport.attach(producer, handoff.newRegion);
                }
                catch (final BulkTransportException ex)
                {
                    failEvent(handoff, ex.getMessage());
                    continue;
                }
            }

            final Segment destination = pool.tryAllocate(handoff.length());
            if (null == destination)
            {
                block(handoff);
                break;
            }
            startPull(handoff, destination);
        }

        return workCount;
    }

    private void block(final DescriptorHandoff handoff)
    {
        blocked = handoff;
        blockedDeadlineNs = System.nanoTime() + timeoutNs;
        waiter = new SegmentWaiter(handoff.length());
        pool.subscribe(waiter);
    }

    private int resumeBlocked()
    {
        final Segment segment = waiter.segment();
        if (null != segment)
        {
            final DescriptorHandoff handoff = blocked;
            blocked = null;
            startPull(handoff, segment);
            return 1;
        }

        final PoolClosedException closedCause = waiter.closedCause();
        if (null != closedCause)
        {
            failBlocked(closedCause.getMessage());
            return 1;
        }

        if (System.nanoTime() - blockedDeadlineNs >= 0 && waiter.giveUp())
        {
            pool.cancel(waiter);
            failBlocked(
                "the consumer's pool '" + pool.name() + "' had no " + blocked.length() + " bytes free for event " +
                blocked.sequence + " within " + timeoutNs / 1_000_000 + " ms (" + pool + "); its pulls are stuck");
            return 1;
        }

        return 0;
    }

    private void failBlocked(final String why)
    {
        final DescriptorHandoff handoff = blocked;
        blocked = null;
        failEvent(handoff, why);
    }

    private void startPull(final DescriptorHandoff handoff, final Segment destination)
    {
        handoff.destination = destination;
        pulling.put(handoff.sequence, handoff);
        try
        {
            transport.pull(producer, handoff.data, 0, handoff.length(), destination.view(), handoff.sequence, this);
        }
        catch (final BulkTransportException ex)
        {
            pulling.remove(handoff.sequence);
            failEvent(handoff, ex.getMessage());
        }
    }

    private void failEvent(final DescriptorHandoff handoff, final String why)
    {
        failed++;
        recordFailure("event " + handoff.sequence + " was not delivered: " + why);
        releaseBoth(handoff);
        finished = finished + 1;
    }

    private void releaseBoth(final DescriptorHandoff handoff)
    {
        handoff.source.release();
        if (null != handoff.destination)
        {
            handoff.destination.release();
            handoff.destination = null;
        }
    }

    private void recordFailure(final String what)
    {
        if (null == failure)
        {
            failure = what;
        }
    }
}
