package dev.ferry.server;

import dev.ferry.FerryException;
import dev.ferry.bulk.BulkTransportException;
import dev.ferry.bulk.DataDescriptor;
import dev.ferry.bulk.PullHandler;
import dev.ferry.log.PartitionLog;
import dev.ferry.log.StoredBatch;
import dev.ferry.protocol.InboundFrame;
import dev.ferry.protocol.codecs.ErrorCode;
import dev.ferry.protocol.codecs.MetadataBatchDecoder;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableRingBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.IntArrayList;
import org.agrona.collections.IntArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * One partition of a topic: its log and the producers' batches waiting to be stored in it.
 * <p>
 * Batches are stored one at a time, in the order they arrived: the batch's events are appended to
 * the log (metadata copied, data space reserved), the bulk transport pulls each event's data from
 * the producer's memory straight into the log, and when every pull is done the events are
 * committed, which makes them visible, and the producer is acknowledged with their IDs. If a pull
 * fails, or the log has no room, the batch's records are rolled back and the producer is told;
 * nothing half-stored ever becomes visible. Storing one batch at a time is what makes that rollback
 * simple; pulls within a batch still run together.
 * <p>
 * <b>Once only.</b> Each record carries its batch's (client id, producer id, batch sequence), and the
 * log remembers the batches stored ({@link PartitionLog#findBatch}). A batch a producer sends again
 * after a reconnection because it never saw the acknowledgement is not stored a second time: it is
 * acknowledged again with the ids it got the first time. A batch queued by a connection that has
 * since been replaced is dropped unstored (the client sends it again on the new one), and a batch's
 * refusal goes only to the connection that sent it, never to its successor, which sent it anew.
 * <p>
 * Queued batches are the MetadataBatch frames as received, each copied once into a ring of bounded
 * size; the channel session of each sender waits beside it in a queue of the same order. A sender whose
 * batch finds the ring full is paused by the conductor (its batch stays in its image) and waits
 * here; once storing has drained the ring to half its bound, every waiting sender is resumed, in
 * the order they came, and its batch is delivered again.
 */
final class ServerPartition implements PullHandler
{
    private static final Logger LOGGER = LoggerFactory.getLogger(ServerPartition.class);
    private static final long SYNC_FAILURE_REPORT_NS = TimeUnit.SECONDS.toNanos(10);

    final ServerTopic topic;
    final int partition;
    final PartitionLog log;
    private final ServerConductor conductor;
    private final ExpandableRingBuffer queued;
    private final IntArrayQueue queuedSenders = new IntArrayQueue(Integer.MIN_VALUE);
    private final StoredBatch stored = new StoredBatch();
    private final IntArrayList waitingSenders = new IntArrayList();
    private final int maxQueuedBytes;
    private final int resumeAtBytes;
    private final ExpandableRingBuffer.MessageConsumer storeHead = this::storeHead;
    private final InboundFrame frame = new InboundFrame();
    private final UnsafeBuffer metadata = new UnsafeBuffer(0L, 0);

    private boolean storing;
    private ServerSession storingSession;
    private long storingClientId;
    private long storingProducerId;
    private long storingBatchSeq;
    private long storingFirstEventId;
    private int storingCount;
    private int pullsOutstanding;
    private FerryException storingFailure;
    private long lastSyncFailureNs;

    ServerPartition(
        final ServerConductor conductor,
        final ServerTopic topic,
        final int partition,
        final PartitionLog log,
        final int maxQueuedBytes)
    {
        this.conductor = conductor;
        this.topic = topic;
        this.partition = partition;
        this.log = log;
        // The ring may grow to twice the bound and is filled to the bound at most: then a frame within
        // the bound always fits in one piece, before or after the ring's wrap point, so append never
        // needs to grow a ring that cannot grow (which Agrona 2.4's ring does not handle).
        this.queued = new ExpandableRingBuffer(FerryServer.Context.MIN_QUEUED_BATCH_BYTES, 2 * maxQueuedBytes, true);
        this.maxQueuedBytes = maxQueuedBytes;
        this.resumeAtBytes = maxQueuedBytes / 2;
    }

    /**
     * Queue a validated MetadataBatch frame.
     *
     * @param channelSessionId of the sender.
     * @return false if the queue has no room for it.
     */
    boolean enqueue(final int channelSessionId, final DirectBuffer buffer, final int offset, final int length)
    {
        final long needed = BitUtil.align(
            (long)ExpandableRingBuffer.HEADER_LENGTH + length, ExpandableRingBuffer.HEADER_ALIGNMENT);
        if (queued.size() + needed > maxQueuedBytes || !queued.append(buffer, offset, length))
        {
            return false;
        }
        queuedSenders.offerInt(channelSessionId);
        return true;
    }

    int queuedBytes()
    {
        return queued.size();
    }

    /**
     * Note a sender paused because its batch did not fit; it is resumed once the queue has drained.
     *
     * @param channelSessionId of the sender.
     */
    void awaitRoom(final int channelSessionId)
    {
        if (!waitingSenders.containsInt(channelSessionId))
        {
            waitingSenders.addInt(channelSessionId);
        }
    }

    /**
     * Start storing the next batch if none is being stored.
     *
     * @return work done.
     */
    int doWork()
    {
        if (storing || queued.isEmpty())
        {
            return 0;
        }
        final int work = queued.consume(storeHead, 1);
        if (!waitingSenders.isEmpty() && queued.size() <= resumeAtBytes)
        {
            for (int i = 0, size = waitingSenders.size(); i < size; i++)
            {
                conductor.resume(waitingSenders.getInt(i));
            }
            waitingSenders.clear();
        }
        return work;
    }

    private boolean storeHead(final MutableDirectBuffer buffer, final int offset, final int length, final int headOffset)
    {
        final ServerSession session = conductor.sessionByChannel(queuedSenders.pollInt());
        if (null == session || session.closed)
        {
            return true; // its connection is gone before it was stored: never acknowledged, sent again if it comes back
        }

        frame.decode(buffer, offset, length);
        final MetadataBatchDecoder batch = frame.metadataBatch();
        final long clientId = session.clientId;
        final long producerId = batch.producerId();
        final long batchSeq = batch.batchSeq();
        if (log.findBatch(clientId, producerId, batchSeq, stored))
        {
            conductor.sendBatchAck(
                clientId, producerId, batchSeq, topic.topicId, partition, stored.firstEventId(), stored.count());
            return true;
        }

        storing = true;
        storingSession = session;
        storingClientId = clientId;
        storingProducerId = producerId;
        storingBatchSeq = batchSeq;
        log.batch(clientId, producerId, batchSeq);
        storingFirstEventId = log.nextEventId();
        storingCount = 0;
        storingFailure = null;
        pullsOutstanding = 0;

        final long timestampNanos = conductor.epochNanos();
        try
        {
            for (final MetadataBatchDecoder.EventsDecoder event : batch.events())
            {
                final long regionId = event.regionId();
                final long dataOffset = event.offset();
                final long dataLength = event.length();
                event.wrapMetadata(metadata);
                final long eventId = log.append(metadata, 0, metadata.capacity(), dataLength, timestampNanos);
                storingCount++;
                if (dataLength > 0)
                {
                    session.bulk.pull(
                        session.peer,
                        new DataDescriptor(regionId, dataOffset, dataLength),
                        0,
                        (int)dataLength,
                        log.dataDestination(eventId),
                        eventId,
                        this);
                    pullsOutstanding++;
                }
            }
        }
        catch (final FerryException ex)
        {
            storingFailure = ex; // pulls already started finish first; then the batch is rolled back
        }

        finishIfPulled();
        return true;
    }

    /**
     * Force the log to disk if its interval policy says it is time.
     *
     * @return work done.
     */
    int sync(final long nowNs)
    {
        try
        {
            return log.sync(nowNs);
        }
        catch (final RuntimeException ex)
        {
            final long reportNs = nowNs - lastSyncFailureNs;
            if (0 == lastSyncFailureNs || reportNs > SYNC_FAILURE_REPORT_NS)
            {
                lastSyncFailureNs = nowNs;
                LOGGER.error("cannot force topic '{}' partition {} to disk; what it stored is in the page cache " +
                    "and survives a crash of this process, not a power loss: {}", topic.name, partition, ex.toString());
            }
            return 0;
        }
    }

    public void onPullComplete(final long correlationId)
    {
        pullsOutstanding--;
        finishIfPulled();
    }

    public void onPullFailed(final long correlationId, final BulkTransportException cause)
    {
        pullsOutstanding--;
        if (null == storingFailure)
        {
            storingFailure = cause;
        }
        finishIfPulled();
    }

    private void finishIfPulled()
    {
        if (pullsOutstanding > 0)
        {
            return;
        }

        storing = false;
        if (null != storingFailure)
        {
            log.rollback();
            if (conductor.sessionByClientId(storingClientId) != storingSession)
            {
                return; // the connection that sent it is replaced, and its successor sent the batch anew
            }
            conductor.sendError(
                storingClientId,
                storingBatchSeq,
                storingFailure instanceof BulkTransportException ? ErrorCode.BULK_TRANSPORT : ErrorCode.LIMIT_EXCEEDED,
                "batch " + storingBatchSeq + " for topic '" + topic.name + "' partition " + partition +
                " was not stored: " + storingFailure.getMessage());
            return;
        }

        if (storingCount > 0)
        {
            try
            {
                log.commit(storingFirstEventId + storingCount - 1);
            }
            catch (final RuntimeException ex) // durable mode: the disk refused to force the batch
            {
                log.rollback();
                conductor.sendError(storingClientId, storingBatchSeq, ErrorCode.GENERIC,
                    "batch " + storingBatchSeq + " for topic '" + topic.name + "' partition " + partition +
                    " was not stored: the server could not force it to disk: " + ex.getMessage());
                return;
            }
        }
        conductor.sendBatchAck(
            storingClientId, storingProducerId, storingBatchSeq, topic.topicId, partition, storingFirstEventId, storingCount);
    }
}
