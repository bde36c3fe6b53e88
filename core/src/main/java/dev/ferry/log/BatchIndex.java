package dev.ferry.log;

import org.agrona.collections.Hashing;

import java.util.HashMap;

/**
 * The producer batches a partition log has committed, remembered so that a batch a producer sends
 * again can be recognised: per producer ({@code clientId, producerId}) the last
 * {@link #BATCHES_PER_PRODUCER} batches, for at most {@link #PRODUCERS_MAX} producers, forgetting the
 * producer that stored a batch least recently beyond that.
 * <p>
 * Fed each committed event in id order; consecutive events with the same identity form one batch.
 * Storing an event of the batch being stored, or a batch of a known producer, allocates nothing once
 * that producer's ring has grown to its bound; a new producer allocates its entry. Memory is at most
 * about {@code PRODUCERS_MAX * BATCHES_PER_PRODUCER * 20} bytes (320 MiB), and a few hundred bytes per
 * producer that has sent few batches. Not thread-safe: owned by its log's thread.
 */
final class BatchIndex
{
    /**
     * Batches remembered per producer: the most recent this many.
     */
    static final int BATCHES_PER_PRODUCER = 256;

    /**
     * Producers remembered; beyond this the one that stored a batch least recently is forgotten.
     */
    static final int PRODUCERS_MAX = 65_536;

    private static final int INITIAL_RING_CAPACITY = 8;

    private final int producersMax;
    private final HashMap<ProducerKey, Producer> producers = new HashMap<>();
    private final ProducerKey probe = new ProducerKey();
    private Producer leastRecent;
    private Producer mostRecent;

    private Producer runProducer;
    private int runSlot;
    private long runClientId;
    private long runProducerId;
    private long runBatchSeq;
    private long runNextEventId = -1;

    BatchIndex()
    {
        this(PRODUCERS_MAX);
    }

    BatchIndex(final int producersMax)
    {
        this.producersMax = producersMax;
    }

    /**
     * Take a committed event: it extends the batch stored last if it follows that batch's last event
     * with the same identity, else it starts a new batch of its producer.
     *
     * @param eventId    of the event, one more than the event taken before.
     * @param clientId   of its batch.
     * @param producerId of its batch.
     * @param batchSeq   of its batch; negative for an event of no batch, which is not remembered.
     */
    void onCommitted(final long eventId, final long clientId, final long producerId, final long batchSeq)
    {
        if (batchSeq < 0)
        {
            runProducer = null;
            return;
        }

        if (null != runProducer && eventId == runNextEventId && batchSeq == runBatchSeq &&
            clientId == runClientId && producerId == runProducerId)
        {
            runProducer.counts[runSlot]++;
            runNextEventId++;
            return;
        }

        final Producer producer = producerForStore(clientId, producerId);
        runSlot = producer.add(batchSeq, eventId);
        runProducer = producer;
        runClientId = clientId;
        runProducerId = producerId;
        runBatchSeq = batchSeq;
        runNextEventId = eventId + 1;
    }

    /**
     * @param clientId   of the batch's producer.
     * @param producerId of the batch's producer.
     * @param batchSeq   of the batch.
     * @param into       filled with the batch's first event and count if found.
     * @return true if such a batch is remembered, the most recent one if several.
     */
    boolean find(final long clientId, final long producerId, final long batchSeq, final StoredBatch into)
    {
        if (batchSeq < 0)
        {
            return false;
        }

        probe.set(clientId, producerId);
        final Producer producer = producers.get(probe);
        if (null == producer)
        {
            return false;
        }

        final int slot = producer.find(batchSeq);
        if (slot < 0)
        {
            return false;
        }

        into.set(producer.firstEventIds[slot], producer.counts[slot]);
        return true;
    }

    /**
     * @return how many producers are remembered.
     */
    int producerCount()
    {
        return producers.size();
    }

    /**
     * Forget everything.
     */
    void clear()
    {
        producers.clear();
        leastRecent = null;
        mostRecent = null;
        runProducer = null;
    }

    private Producer producerForStore(final long clientId, final long producerId)
    {
        probe.set(clientId, producerId);
        Producer producer = producers.get(probe);
        if (null != producer)
        {
            unlink(producer);
        }
        else if (producers.size() >= producersMax)
        {
            producer = leastRecent;
            unlink(producer);
            producers.remove(producer.key);
            producer.reset(clientId, producerId);
            producers.put(producer.key, producer);
        }
        else
        {
            producer = new Producer(clientId, producerId);
            producers.put(producer.key, producer);
        }

        linkMostRecent(producer);
        return producer;
    }

    private void unlink(final Producer producer)
    {
        if (null == producer.lessRecent)
        {
            leastRecent = producer.moreRecent;
        }
        else
        {
            producer.lessRecent.moreRecent = producer.moreRecent;
        }

        if (null == producer.moreRecent)
        {
            mostRecent = producer.lessRecent;
        }
        else
        {
            producer.moreRecent.lessRecent = producer.lessRecent;
        }

        producer.lessRecent = null;
        producer.moreRecent = null;
    }

    private void linkMostRecent(final Producer producer)
    {
        producer.lessRecent = mostRecent;
        if (null == mostRecent)
        {
            leastRecent = producer;
        }
        else
        {
            mostRecent.moreRecent = producer;
        }
        mostRecent = producer;
    }

    /**
     * A producer's identity, as the key of the map; the index's probe is one that is reset per lookup
     * and never stored.
     */
    static final class ProducerKey
    {
        private long clientId;
        private long producerId;

        void set(final long clientId, final long producerId)
        {
            this.clientId = clientId;
            this.producerId = producerId;
        }

        public boolean equals(final Object other)
        {
            return other instanceof ProducerKey &&
                ((ProducerKey)other).clientId == clientId && ((ProducerKey)other).producerId == producerId;
        }

        public int hashCode()
        {
            return Hashing.hash(clientId * 0x9E3779B97F4A7C15L + producerId);
        }
    }

    /**
     * One producer's most recent batches, in a ring that grows by doubling up to
     * {@link #BATCHES_PER_PRODUCER}, and its place in the order of recent use.
     */
    static final class Producer
    {
        final ProducerKey key = new ProducerKey();
        long[] batchSeqs = new long[INITIAL_RING_CAPACITY];
        long[] firstEventIds = new long[INITIAL_RING_CAPACITY];
        int[] counts = new int[INITIAL_RING_CAPACITY];
        int next;
        int size;
        Producer lessRecent;
        Producer moreRecent;

        Producer(final long clientId, final long producerId)
        {
            key.set(clientId, producerId);
        }

        void reset(final long clientId, final long producerId)
        {
            key.set(clientId, producerId);
            next = 0;
            size = 0;
        }

        /**
         * @return the slot the batch was stored in, overwriting the oldest once the ring is full.
         */
        int add(final long batchSeq, final long firstEventId)
        {
            if (size == batchSeqs.length && size < BATCHES_PER_PRODUCER)
            {
                grow();
            }

            final int slot = next;
            batchSeqs[slot] = batchSeq;
            firstEventIds[slot] = firstEventId;
            counts[slot] = 1;
            next = (slot + 1) & (batchSeqs.length - 1);
            size = Math.min(size + 1, batchSeqs.length);

            return slot;
        }

        /**
         * @return the slot of the most recent batch with that sequence, or -1.
         */
        int find(final long batchSeq)
        {
            final int mask = batchSeqs.length - 1;
            for (int i = 1; i <= size; i++)
            {
                final int slot = (next - i) & mask;
                if (batchSeqs[slot] == batchSeq)
                {
                    return slot;
                }
            }

            return -1;
        }

        private void grow()
        {
            final int capacity = batchSeqs.length;
            final long[] newBatchSeqs = new long[capacity * 2];
            final long[] newFirstEventIds = new long[capacity * 2];
            final int[] newCounts = new int[capacity * 2];
            for (int i = 0; i < size; i++)
            {
                final int slot = (next + i) & (capacity - 1); // oldest first when full
                newBatchSeqs[i] = batchSeqs[slot];
                newFirstEventIds[i] = firstEventIds[slot];
                newCounts[i] = counts[slot];
            }

            batchSeqs = newBatchSeqs;
            firstEventIds = newFirstEventIds;
            counts = newCounts;
            next = size;
        }
    }
}
