package dev.ferry.event;

import dev.ferry.buffer.Segment;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.lang.ref.Reference;
import java.util.zip.CRC32C;

/**
 * An event's data: a read-only, non-owning view of one or more off-heap memory segments, read in
 * order as one sequence of {@link #length()} bytes.
 * <p>
 * <b>Ownership.</b> A view owns none of the memory it names and frees nothing. It keeps the objects
 * that hold the memory (a direct {@link ByteBuffer}, a mapping) reachable, so the memory is not
 * unmapped under it, but whoever allocated the memory decides how long its bytes mean anything: a
 * producer must not change or release data until its push completes; data a consumer receives is
 * valid until the event is acknowledged.
 * <p>
 * Views are immutable; {@link #slice(long, long)} and {@link #concat(DataView...)} make new ones and
 * copy no data. Only off-heap memory can be viewed: a bulk transport reads it by address.
 */
public final class DataView
{
    /**
     * A view of no bytes.
     */
    public static final DataView EMPTY = new DataView(new long[0], new int[0], new Object[0], 0);

    private final long[] addresses;
    private final int[] lengths;
    private final Object[] keepAlive;
    private final long length;

    private DataView(final long[] addresses, final int[] lengths, final Object[] keepAlive, final long length)
    {
        this.addresses = addresses;
        this.lengths = lengths;
        this.keepAlive = keepAlive;
        this.length = length;
    }

    /**
     * A view of memory at an address, for transports and pools that own mapped memory.
     *
     * @param address   of the first byte.
     * @param length    in bytes.
     * @param keepAlive the object whose reachability keeps the memory mapped, or null.
     * @return the view.
     */
    public static DataView of(final long address, final int length, final Object keepAlive)
    {
        if (length < 0)
        {
            throw new IllegalArgumentException("length must not be negative, was " + length);
        }
        if (0 == length)
        {
            return EMPTY;
        }
        if (0 == address)
        {
            throw new IllegalArgumentException("a view of " + length + " bytes at address 0");
        }
        return new DataView(new long[]{ address }, new int[]{ length }, new Object[]{ keepAlive }, length);
    }

    /**
     * @param buffer a direct buffer; its bytes from position to limit are viewed.
     * @return the view.
     * @throws IllegalArgumentException if the buffer is on the heap.
     */
    public static DataView of(final ByteBuffer buffer)
    {
        return of(buffer, buffer.position(), buffer.remaining());
    }

    /**
     * @param buffer a direct buffer.
     * @param offset of the first byte, from the buffer's start.
     * @param length in bytes.
     * @return the view.
     * @throws IllegalArgumentException if the buffer is on the heap or the range lies outside it.
     */
    public static DataView of(final ByteBuffer buffer, final int offset, final int length)
    {
        if (!buffer.isDirect())
        {
            throw new IllegalArgumentException(
                "event data must be off-heap, and this ByteBuffer is on the heap; use ByteBuffer.allocateDirect, " +
                "or allocate from the producer's pool to fill data in place");
        }
        checkRange(offset, length, buffer.capacity());
        return of(BufferUtil.address(buffer) + offset, length, buffer);
    }

    /**
     * @param buffer an Agrona buffer over off-heap memory.
     * @param offset of the first byte.
     * @param length in bytes.
     * @return the view.
     * @throws IllegalArgumentException if the buffer wraps a heap array or the range lies outside it.
     */
    public static DataView of(final DirectBuffer buffer, final int offset, final int length)
    {
        if (null != buffer.byteArray())
        {
            throw new IllegalArgumentException(
                "event data must be off-heap, and this buffer wraps a byte[]; wrap a direct ByteBuffer or " +
                "off-heap memory instead, or allocate from the producer's pool to fill data in place");
        }
        checkRange(offset, length, buffer.capacity());
        final Object keepAlive = null != buffer.byteBuffer() ? buffer.byteBuffer() : buffer;
        return of(buffer.addressOffset() + offset, length, keepAlive);
    }

    /**
     * @param segment of a buffer pool.
     * @return a view of its bytes.
     */
    public static DataView of(final Segment segment)
    {
        return segment.view();
    }

    /**
     * @param views to join, in order.
     * @return one view reading each in turn.
     */
    public static DataView concat(final DataView... views)
    {
        int count = 0;
        long total = 0;
        for (final DataView view : views)
        {
            count += view.addresses.length;
            total += view.length;
        }

        final long[] addresses = new long[count];
        final int[] lengths = new int[count];
        final Object[] keepAlive = new Object[count];
        int at = 0;
        for (final DataView view : views)
        {
            final int n = view.addresses.length;
            System.arraycopy(view.addresses, 0, addresses, at, n);
            System.arraycopy(view.lengths, 0, lengths, at, n);
            System.arraycopy(view.keepAlive, 0, keepAlive, at, n);
            at += n;
        }

        return 0 == total ? EMPTY : new DataView(addresses, lengths, keepAlive, total);
    }

    /**
     * @return the total length in bytes.
     */
    public long length()
    {
        return length;
    }

    /**
     * @return the number of contiguous segments.
     */
    public int segmentCount()
    {
        return addresses.length;
    }

    /**
     * @param index of a segment.
     * @return the address of its first byte.
     */
    public long segmentAddress(final int index)
    {
        return addresses[index];
    }

    /**
     * @param index of a segment.
     * @return its length in bytes.
     */
    public int segmentLength(final int index)
    {
        return lengths[index];
    }

    /**
     * Point a flyweight at one segment, creating nothing. Read through it only: the memory may be
     * mapped read-only, and writing it would crash the process.
     *
     * @param index     of a segment.
     * @param flyweight to wrap.
     */
    public void wrapSegment(final int index, final DirectBuffer flyweight)
    {
        flyweight.wrap(addresses[index], lengths[index]);
    }

    /**
     * @param offset of the first byte of the slice within this view.
     * @param length of the slice.
     * @return a view of those bytes; no data is copied.
     * @throws IndexOutOfBoundsException if the range lies outside this view.
     */
    public DataView slice(final long offset, final long length)
    {
        if (offset < 0 || length < 0 || offset > this.length - length)
        {
            throw new IndexOutOfBoundsException(
                "slice [" + offset + ", " + length + "] lies outside data of " + this.length + " bytes");
        }
        if (0 == length)
        {
            return EMPTY;
        }

        int first = 0;
        long skip = offset;
        while (skip >= lengths[first])
        {
            skip -= lengths[first];
            first++;
        }

        int last = first;
        long remaining = length + skip;
        while (remaining > lengths[last])
        {
            remaining -= lengths[last];
            last++;
        }

        final int count = last - first + 1;
        final long[] sliceAddresses = Arrays.copyOfRange(addresses, first, last + 1);
        final int[] sliceLengths = Arrays.copyOfRange(lengths, first, last + 1);
        final Object[] sliceKeepAlive = Arrays.copyOfRange(keepAlive, first, last + 1);
        sliceAddresses[0] += skip;
        sliceLengths[0] -= (int)skip;
        sliceLengths[count - 1] = (int)(count == 1 ? length : remaining);

        return new DataView(sliceAddresses, sliceLengths, sliceKeepAlive, length);
    }

    /**
     * @param index from 0 to {@link #length()} - 1.
     * @return the byte there.
     */
    public byte getByte(final long index)
    {
        if (index < 0 || index >= length)
        {
            throw new IndexOutOfBoundsException("index " + index + " outside data of " + length + " bytes");
        }

        long at = index;
        int segment = 0;
        while (at >= lengths[segment])
        {
            at -= lengths[segment];
            segment++;
        }
        final byte value = UnsafeApi.getByte(addresses[segment] + at);
        Reference.reachabilityFence(keepAlive);
        return value;
    }

    /**
     * Copy every byte of the view into a buffer.
     *
     * @param destination to copy into.
     * @param index       where the first byte goes.
     * @throws IndexOutOfBoundsException if the destination is too short.
     */
    public void copyTo(final MutableDirectBuffer destination, final int index)
    {
        if (index < 0 || length > destination.capacity() - (long)index)
        {
            throw new IndexOutOfBoundsException(
                "cannot copy " + length + " bytes into a buffer of " + destination.capacity() + " at " + index);
        }

        // Bounds are checked above for the whole view, so each segment is copied raw: no flyweight per call.
        final byte[] array = destination.byteArray();
        long at = destination.addressOffset() + index;
        for (int i = 0; i < addresses.length; i++)
        {
            UnsafeApi.copyMemory(null, addresses[i], array, at, lengths[i]);
            at += lengths[i];
        }
        Reference.reachabilityFence(keepAlive);
    }

    /**
     * @return the CRC-32C of every byte of the view, in order, the same value as
     * {@link CRC32C} over the bytes laid end to end.
     */
    public int crc32c()
    {
        int crc = 0xFFFFFFFF;
        for (int i = 0; i < addresses.length; i++)
        {
            crc = Crc32cUpdate.update(crc, addresses[i], lengths[i]);
        }
        Reference.reachabilityFence(keepAlive);

        return ~crc;
    }

    public boolean equals(final Object other)
    {
        if (this == other)
        {
            return true;
        }
        if (!(other instanceof DataView))
        {
            return false;
        }

        final DataView that = (DataView)other;
        if (length != that.length)
        {
            return false;
        }
        for (long i = 0; i < length; i++)
        {
            if (getByte(i) != that.getByte(i))
            {
                return false;
            }
        }
        return true;
    }

    public int hashCode()
    {
        return crc32c();
    }

    public String toString()
    {
        return "DataView{length=" + length + ", segments=" + addresses.length + "}";
    }

    private static void checkRange(final int offset, final int length, final int capacity)
    {
        if (offset < 0 || length < 0 || offset > capacity - length)
        {
            throw new IllegalArgumentException(
                "range [" + offset + ", " + length + "] lies outside a buffer of " + capacity + " bytes");
        }
    }
}
