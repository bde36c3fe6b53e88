package dev.ferry.bench.compare;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The physical ceiling of the comparison: each event's bytes copied once, off-heap to off-heap, from
 * the producer's buffer into a ring of slots the consumer reads in place. No transport does less work
 * than one copy per event and a hand-over between two threads, so every contender's rate is judged
 * against this one's.
 * <p>
 * The ring has {@link #slots(int)} slots of one event each; the producer copies into the next free
 * slot ({@link UnsafeBuffer#putBytes}, which is {@code Unsafe.copyMemory}) and publishes it with an
 * ordered write of its position, the consumer reads the slot, checks it and frees it the same way.
 * Nothing is allocated per event.
 * <p>
 * The producer copies each event from the next of as many source slots as the ring has, not from
 * one buffer: a detector's events are new bytes each time, and so are Ferry's (each in a segment of
 * the producer's pool, up to 64 MiB of them in flight). One source would stay in the cache from 4 KiB to
 * 4 MiB and make the ceiling a copy out of the cache: on this project's 2-core VM a 4 MiB copy ran
 * at about 19,000 MiB/s from one source and 12,000 MiB/s from a 64 MiB window of them.
 */
final class MemcpyContender implements Contender
{
    static final String NAME = "memcpy";

    /**
     * Bytes of slots in the ring, whatever the event size.
     */
    static final long RING_BYTES = 64L << 20;

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public void start(final Path workDir)
    {
    }

    @Override
    public Channel open(final int size) throws ContenderUnsupportedException
    {
        if ((long)Ring.align(size) * slots(size) > Integer.MAX_VALUE)
        {
            throw new ContenderUnsupportedException(
                "a ring of " + slots(size) + " slots of " + size + " bytes does not fit one direct buffer (2 GiB)");
        }
        return new Ring(size);
    }

    @Override
    public void close()
    {
    }

    /**
     * @param size of every event.
     * @return slots in the ring: a power of two, 64 MiB of them but at least 4 and at most 16384.
     */
    static int slots(final int size)
    {
        final long wanted = Math.min(16384, Math.max(4, RING_BYTES / size));
        return Long.highestOneBit(wanted) == wanted ? (int)wanted : (int)Long.highestOneBit(wanted) << 1;
    }

    /**
     * A single-producer, single-consumer ring of event slots.
     */
    private static final class Ring implements Channel
    {
        private final int size;
        private final int mask;
        private final ByteBuffer sourceMemory;
        private final ByteBuffer slotMemory;
        private final UnsafeBuffer source;
        private final UnsafeBuffer slots;
        private final AtomicLong published = new AtomicLong();
        private final AtomicLong freed = new AtomicLong();

        Ring(final int size)
        {
            this.size = size;
            final int slotCount = slots(size);
            this.mask = slotCount - 1;
            this.sourceMemory = ByteBuffer.allocateDirect(align(size) * slotCount);
            this.slotMemory = ByteBuffer.allocateDirect(align(size) * slotCount);
            this.source = new UnsafeBuffer(sourceMemory);
            this.slots = new UnsafeBuffer(slotMemory);
            for (int i = 0; i < size; i++)
            {
                source.putByte(i, (byte)(i * 31 + 7)); // the bytes between the stamps, written once
            }
            for (int slot = 1; slot < slotCount; slot++)
            {
                source.putBytes(slot * align(size), source, 0, size);
            }
        }

        static int align(final int size)
        {
            return (size + 63) & ~63;
        }

        @Override
        public boolean offer(final long sequence, final long sentNs)
        {
            final long position = published.get();
            if (position - freed.get() > mask)
            {
                return false;
            }
            final int offset = (int)(position & mask) * align(size);
            CompareEvent.stamp(source, offset, size, sequence, sentNs);
            slots.putBytes(offset, source, offset, size);
            published.lazySet(position + 1);
            return true;
        }

        @Override
        public int poll(final EventSink sink, final int limit)
        {
            long position = freed.get();
            final long available = Math.min(limit, published.get() - position);
            for (long i = 0; i < available; i++)
            {
                CompareEvent.deliver(NAME, slots, (int)(position & mask) * align(size), size, size, sink);
                freed.lazySet(++position);
            }
            return (int)available;
        }

        @Override
        public void close()
        {
            BufferUtil.free(sourceMemory);
            BufferUtil.free(slotMemory);
        }
    }
}
