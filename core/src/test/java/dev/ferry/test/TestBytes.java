package dev.ferry.test;

import dev.ferry.event.DataView;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Reproducible test bytes and an every-byte comparison that says where data went wrong.
 */
public final class TestBytes
{
    private TestBytes()
    {
    }

    /**
     * @param seed   of the generator; the same seed gives the same bytes in every process.
     * @param length of the result.
     * @return pseudo-random bytes.
     */
    public static byte[] seeded(final long seed, final int length)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    /**
     * @param view to read.
     * @return a copy of every byte of the view.
     */
    public static byte[] toArray(final DataView view)
    {
        final byte[] bytes = new byte[Math.toIntExact(view.length())];
        view.copyTo(new UnsafeBuffer(bytes), 0);
        return bytes;
    }

    /**
     * Check every byte of {@code actual} against {@code expected}.
     *
     * @param expected bytes.
     * @param actual   bytes.
     * @param what     the data is, for the message.
     * @throws AssertionError naming the first differing byte and how many differ.
     */
    public static void assertSameBytes(final byte[] expected, final byte[] actual, final String what)
    {
        if (expected.length != actual.length)
        {
            throw new AssertionError(what + ": expected " + expected.length + " bytes, got " + actual.length);
        }

        final int first = Arrays.mismatch(expected, actual);
        if (first >= 0)
        {
            int differing = 0;
            for (int i = first; i < expected.length; i++)
            {
                if (expected[i] != actual[i])
                {
                    differing++;
                }
            }
            throw new AssertionError(
                what + ": " + differing + " of " + expected.length + " bytes differ, the first at index " + first +
                " (expected " + expected[first] + ", got " + actual[first] + ")");
        }
    }

    /**
     * Check every byte of a view against {@code expected}, reading the view byte by byte as well as
     * by bulk copy, so that both paths through its segments are checked.
     *
     * @param expected bytes.
     * @param actual   view.
     * @param what     the data is, for the message.
     * @throws AssertionError naming the first differing byte.
     */
    public static void assertSameBytes(final byte[] expected, final DataView actual, final String what)
    {
        if (expected.length != actual.length())
        {
            throw new AssertionError(what + ": expected " + expected.length + " bytes, the view has " + actual.length());
        }

        assertSameBytes(expected, toArray(actual), what + " (bulk copy)");
        for (int i = 0; i < expected.length; i++)
        {
            if (expected[i] != actual.getByte(i))
            {
                throw new AssertionError(
                    what + ": byte " + i + " read alone is " + actual.getByte(i) + ", expected " + expected[i]);
            }
        }
    }
}
