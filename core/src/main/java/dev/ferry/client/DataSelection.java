package dev.ferry.client;

import java.util.Arrays;

/**
 * Byte ranges of an event's data to fetch, in the order they are to be delivered: what a
 * {@link DataSelector} returns. A range, a strided view (one block every {@code stride} bytes) or any
 * list of ranges; ranges may not overlap. Immutable.
 */
public final class DataSelection
{
    /**
     * No data at all: the event arrives with its metadata only.
     */
    public static final DataSelection NONE = new DataSelection(new long[0], new long[0]);

    private final long[] offsets;
    private final long[] lengths;
    private final long totalLength;

    private DataSelection(final long[] offsets, final long[] lengths)
    {
        this.offsets = offsets;
        this.lengths = lengths;
        long total = 0;
        for (int i = 0; i < offsets.length; i++)
        {
            if (offsets[i] < 0 || lengths[i] < 0)
            {
                throw new IllegalArgumentException("range " + i + " of a data selection has offset " + offsets[i] +
                    " and length " + lengths[i] + "; neither may be negative");
            }
            total += lengths[i];
        }
        checkNoOverlap();
        this.totalLength = total;
    }

    /**
     * @param length of the event's data.
     * @return the whole of it.
     */
    public static DataSelection all(final long length)
    {
        return range(0, length);
    }

    /**
     * @param offset of the first byte.
     * @param length bytes from there.
     * @return one range.
     */
    public static DataSelection range(final long offset, final long length)
    {
        return new DataSelection(new long[]{ offset }, new long[]{ length });
    }

    /**
     * A strided view, such as one column of a row-major array: {@code count} blocks of {@code blockLength}
     * bytes, the first at {@code offset}, each {@code stride} bytes after the one before.
     *
     * @param offset      of the first block.
     * @param blockLength bytes of each block.
     * @param stride      bytes from the start of one block to the start of the next, at least
     *                    {@code blockLength}.
     * @param count       blocks.
     * @return the blocks, in order.
     */
    public static DataSelection strided(final long offset, final long blockLength, final long stride, final int count)
    {
        if (stride < blockLength || count < 0)
        {
            throw new IllegalArgumentException("a strided selection needs stride >= block length and count >= 0; was " +
                "stride " + stride + ", block length " + blockLength + ", count " + count);
        }
        final long[] offsets = new long[count];
        final long[] lengths = new long[count];
        for (int i = 0; i < count; i++)
        {
            offsets[i] = offset + i * stride;
            lengths[i] = blockLength;
        }
        return new DataSelection(offsets, lengths);
    }

    /**
     * @param offsetLengthPairs offset and length of each range, in the order to deliver them.
     * @return the ranges.
     */
    public static DataSelection ranges(final long... offsetLengthPairs)
    {
        if (0 != offsetLengthPairs.length % 2)
        {
            throw new IllegalArgumentException("ranges are given as offset, length pairs; " +
                offsetLengthPairs.length + " numbers are not pairs");
        }
        final long[] offsets = new long[offsetLengthPairs.length / 2];
        final long[] lengths = new long[offsets.length];
        for (int i = 0; i < offsets.length; i++)
        {
            offsets[i] = offsetLengthPairs[2 * i];
            lengths[i] = offsetLengthPairs[2 * i + 1];
        }
        return new DataSelection(offsets, lengths);
    }

    /**
     * @return ranges in the selection.
     */
    public int count()
    {
        return offsets.length;
    }

    /**
     * @param index of a range.
     * @return offset of its first byte in the event's data.
     */
    public long offset(final int index)
    {
        return offsets[index];
    }

    /**
     * @param index of a range.
     * @return its bytes.
     */
    public long length(final int index)
    {
        return lengths[index];
    }

    /**
     * @return bytes of all the ranges together: the length of the data delivered.
     */
    public long totalLength()
    {
        return totalLength;
    }

    /**
     * @param dataLength of the event's data.
     * @return null if every range lies within it, else what is wrong.
     */
    String outside(final long dataLength)
    {
        for (int i = 0; i < offsets.length; i++)
        {
            if (offsets[i] + lengths[i] > dataLength)
            {
                return "range " + i + " of the selection, [" + offsets[i] + ", " + (offsets[i] + lengths[i]) +
                    "), ends past the event's " + dataLength + " bytes of data";
            }
        }
        return null;
    }

    /**
     * Ranges given in order of offset (the usual case, a strided view among them) are checked in one pass;
     * others are sorted first.
     */
    private void checkNoOverlap()
    {
        boolean ascending = true;
        for (int i = 1; i < offsets.length && ascending; i++)
        {
            ascending = offsets[i - 1] <= offsets[i];
        }
        if (ascending)
        {
            for (int i = 1; i < offsets.length; i++)
            {
                checkApart(i - 1, i);
            }
            return;
        }
        final Integer[] byOffset = new Integer[offsets.length];
        Arrays.setAll(byOffset, (i) -> i);
        Arrays.sort(byOffset, (a, b) -> Long.compare(offsets[a], offsets[b]));
        for (int k = 1; k < byOffset.length; k++)
        {
            checkApart(byOffset[k - 1], byOffset[k]);
        }
    }

    private void checkApart(final int previous, final int next)
    {
        if (offsets[previous] + lengths[previous] > offsets[next])
        {
            throw new IllegalArgumentException("ranges " + previous + " and " + next + " of a data selection " +
                "overlap: [" + offsets[previous] + ", " + (offsets[previous] + lengths[previous]) + ") and [" +
                offsets[next] + ", " + (offsets[next] + lengths[next]) + ")");
        }
    }

    public String toString()
    {
        final StringBuilder text = new StringBuilder("[");
        for (int i = 0; i < offsets.length; i++)
        {
            text.append(0 == i ? "" : ", ").append(offsets[i]).append('+').append(lengths[i]);
        }
        return text.append("] (").append(totalLength).append(" bytes)").toString();
    }
}
