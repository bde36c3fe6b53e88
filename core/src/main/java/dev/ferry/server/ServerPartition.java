package dev.ferry.server;

import dev.ferry.FerryException;
import dev.ferry.bulk.BulkTransportException;
import dev.ferry.bulk.DataDescriptor;
import dev.ferry.bulk.PullHandler;
import dev.ferry.log.PartitionLog;
import dev.ferry.protocol.InboundFrame;
import dev.ferry.protocol.codecs.ErrorCode;
import dev.ferry.protocol.codecs.MetadataBatchDecoder;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableRingBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.IntArrayList;
import org.agrona.collections.LongArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;

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
 * Queued batches are the MetadataBatch frames as received, each copied once into a ring of bounded
 * size; the client id of each sender waits beside it in a queue of the same order. A sender whose
 * batch finds the ring full is paused by the conductor (its batch stays in its image) and waits
 * here; once storing has drained the ring to half its bound, every waiting sender is resumed, in
 * the order they came, and its batch is delivered again.
 */
final class ServerPartition implements PullHandler
{
    final ServerTopic topic;
    final int partition;
    final PartitionLog log;
    private final ServerConductor conductor;
    private final ExpandableRingBuffer queued;
    private final LongArrayQueue queuedClientIds = new LongArrayQueue(Long.MIN_VALUE);
    private final IntArrayList waitingSenders = new IntArrayList();
    private final int maxQueuedBytes;
    private final int resumeAtBytes;
    private final ExpandableRingBuffer.MessageConsumer storeHead = this::storeHead;
    private final InboundFrame frame = new InboundFrame();
    private final UnsafeBuffer metadata = new UnsafeBuffer(0L, 0);

    private boolean storing;
    private long storingClientId;
    private long storingProducerId;
    private long storingBatchSeq;
    private long storingFirstEventId;
    private int storingCount;
    private int pullsOutstanding;
    private FerryException storingFailure;

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
     * @return false if the queue has no room for it.
     */
    boolean enqueue(final long clientId, final DirectBuffer buffer, final int offset, final int length)
    {
        final long needed = BitUtil.align(
            (long)ExpandableRingBuffer.HEADER_LENGTH + length, ExpandableRingBuffer.HEADER_ALIGNMENT);
        if (queued.size() + needed > maxQueuedBytes || !queued.append(buffer, offset, length))
        {
            return false;
        }
        queuedClientIds.offerLong(clientId);
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
        final long clientId = queuedClientIds.pollLong();
        final ServerSession session = conductor.sessionByClientId(clientId);
        if (null == session)
        {
            return true; // the producer left before its batch was stored; it was never acknowledged
        }

        frame.decode(buffer, offset, length);
        final MetadataBatchDecoder batch = frame.metadataBatch();
        storing = true;
        storingClientId = clientId;
        storingProducerId = batch.producerId();
        storingBatchSeq = batch.batchSeq();
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
            log.commit(storingFirstEventId + storingCount - 1);
        }
        conductor.sendBatchAck(
            storingClientId, storingProducerId, storingBatchSeq, topic.topicId, partition, storingFirstEventId, storingCount);
    }
}
