package dev.ferry.bench;

import org.agrona.MutableDirectBuffer;

import java.util.SplittableRandom;

/**
 * Reproducible pseudo-random bytes, for data whose checksum a benchmark compares before and after
 * moving it.
 */
final class RandomBytes
{
    private RandomBytes()
    {
    }

    /**
     * Fill a range of a buffer with the bytes a seed gives; the same seed and length give the same
     * bytes.
     *
     * @param buffer to fill.
     * @param offset of the first byte.
     * @param length bytes to fill.
     * @param seed   of the sequence.
     */
    static void fill(final MutableDirectBuffer buffer, final int offset, final int length, final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final int end = offset + length;
        int i = offset;
        for (; i <= end - Long.BYTES; i += Long.BYTES)
        {
            buffer.putLong(i, random.nextLong());
        }
        for (; i < end; i++)
        {
            buffer.putByte(i, (byte)random.nextInt());
        }
    }
}
