package dev.ferry.event;

import dev.ferry.buffer.BufferPool;
import dev.ferry.buffer.Segment;
import dev.ferry.test.ShmTempDirFactory;
import dev.ferry.test.TestBytes;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

import static dev.ferry.test.TestBytes.assertSameBytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataViewTest
{
    @TempDir(factory = ShmTempDirFactory.class)
    Path shmRoot;

    @Test
    void viewsTheBytesOfADirectByteBufferFromPositionToLimit()
    {
        final byte[] bytes = TestBytes.seeded(1, 100);
        final ByteBuffer buffer = ByteBuffer.allocateDirect(100).put(bytes);
        buffer.position(10).limit(90);

        final DataView view = DataView.of(buffer);

        assertEquals(80, view.length());
        assertEquals(1, view.segmentCount());
        assertSameBytes(Arrays.copyOfRange(bytes, 10, 90), view, "position..limit of a direct ByteBuffer");
        assertSameBytes(Arrays.copyOfRange(bytes, 5, 25), DataView.of(buffer, 5, 20), "range of a direct ByteBuffer");
    }

    @Test
    void viewsAnAgronaBufferOverOffHeapMemory()
    {
        final byte[] bytes = TestBytes.seeded(2, 4096);
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
        buffer.putBytes(0, bytes);

        final DataView view = DataView.of(buffer, 96, 4000);

        assertEquals(buffer.addressOffset() + 96, view.segmentAddress(0));
        assertSameBytes(Arrays.copyOfRange(bytes, 96, 4096), view, "range of an off-heap UnsafeBuffer");
    }

    @Test
    void viewsAPoolSegmentAndSeesWhatIsWrittenIntoIt()
    {
        final byte[] bytes = TestBytes.seeded(3, 10_000);
        try (BufferPool pool = smallPool())
        {
            final Segment segment = pool.tryAllocate(bytes.length);
            segment.buffer().putBytes(0, bytes);

            final DataView view = DataView.of(segment);

            assertEquals(segment.address(), view.segmentAddress(0));
            assertSameBytes(bytes, view, "a pool segment");
            segment.release();
        }
    }

    @Test
    void refusesHeapMemoryAndSaysToUseOffHeap()
    {
        final IllegalArgumentException fromByteBuffer =
            assertThrows(IllegalArgumentException.class, () -> DataView.of(ByteBuffer.allocate(16)));
        assertTrue(fromByteBuffer.getMessage().contains("must be off-heap"), fromByteBuffer.getMessage());
        assertTrue(fromByteBuffer.getMessage().contains("ByteBuffer.allocateDirect"), fromByteBuffer.getMessage());

        final IllegalArgumentException fromArrayBuffer =
            assertThrows(IllegalArgumentException.class, () -> DataView.of(new UnsafeBuffer(new byte[16]), 0, 16));
        assertTrue(fromArrayBuffer.getMessage().contains("must be off-heap"), fromArrayBuffer.getMessage());
        assertTrue(fromArrayBuffer.getMessage().contains("wraps a byte[]"), fromArrayBuffer.getMessage());
    }

    @Test
    void refusesRangesOutsideTheBuffer()
    {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(10);
        final UnsafeBuffer agrona = new UnsafeBuffer(buffer);

        assertEquals(
            "range [8, 3] lies outside a buffer of 10 bytes",
            assertThrows(IllegalArgumentException.class, () -> DataView.of(buffer, 8, 3)).getMessage());
        assertEquals(
            "range [-1, 3] lies outside a buffer of 10 bytes",
            assertThrows(IllegalArgumentException.class, () -> DataView.of(agrona, -1, 3)).getMessage());
        assertEquals(
            "range [0, -1] lies outside a buffer of 10 bytes",
            assertThrows(IllegalArgumentException.class, () -> DataView.of(agrona, 0, -1)).getMessage());
        assertEquals(
            "length must not be negative, was -5",
            assertThrows(IllegalArgumentException.class, () -> DataView.of(agrona.addressOffset(), -5, null))
                .getMessage());
        assertEquals(
            "a view of 5 bytes at address 0",
            assertThrows(IllegalArgumentException.class, () -> DataView.of(0L, 5, null)).getMessage());
    }

    @Test
    void everySliceOfAConcatenatedViewHoldsExactlyItsBytes()
    {
        final int[] segmentLengths = { 1, 3, 5, 2, 7, 1 };
        final byte[] expected = TestBytes.seeded(4, Arrays.stream(segmentLengths).sum());
        final DataView view = concatOf(expected, segmentLengths);

        assertEquals(expected.length, view.length());
        assertEquals(segmentLengths.length, view.segmentCount());
        for (int offset = 0; offset <= expected.length; offset++)
        {
            for (int length = 0; offset + length <= expected.length; length++)
            {
                final DataView slice = view.slice(offset, length);
                final String what = "slice [" + offset + ", " + length + "] of segments " + Arrays.toString(segmentLengths);
                assertSlice(expected, offset, length, slice, segmentLengths, what);

                if (length >= 2)
                {
                    assertSameBytes(
                        Arrays.copyOfRange(expected, offset + 1, offset + length - 1),
                        slice.slice(1, length - 2),
                        "inner slice of the " + what);
                }
            }
        }
    }

    @Test
    void randomSlicesAcrossViewsOfEveryKindOfMemory()
    {
        try (BufferPool pool = smallPool())
        {
            final byte[] first = TestBytes.seeded(5, 4096 + 13);
            final ByteBuffer direct = ByteBuffer.allocateDirect(first.length).put(first);
            final byte[] second = TestBytes.seeded(6, 65_536);
            final UnsafeBuffer agrona = new UnsafeBuffer(ByteBuffer.allocateDirect(second.length));
            agrona.putBytes(0, second);
            final byte[] third = TestBytes.seeded(7, 100_000);
            final Segment segment = pool.tryAllocate(third.length);
            segment.buffer().putBytes(0, third);
            final byte[] fourth = { 42 };
            final ByteBuffer single = ByteBuffer.allocateDirect(1).put(0, fourth[0]);

            final DataView view = DataView.concat(
                DataView.of(direct.flip()), DataView.of(agrona, 0, second.length), DataView.of(segment),
                DataView.EMPTY, DataView.of(single));
            final byte[] expected = concat(first, second, third, fourth);

            assertEquals(4, view.segmentCount(), "empty views add no segment");
            assertSameBytes(expected, view, "the concatenated view");
            assertEquals(crc32c(expected, 0, expected.length), view.crc32c());

            final SplittableRandom random = new SplittableRandom(8);
            for (int i = 0; i < 200; i++)
            {
                final int offset = random.nextInt(expected.length);
                final int length = random.nextInt(expected.length - offset + 1);
                final DataView slice = view.slice(offset, length);
                final String what = "slice [" + offset + ", " + length + "]";

                assertSameBytes(Arrays.copyOfRange(expected, offset, offset + length), slice, what);
                assertEquals(crc32c(expected, offset, length), slice.crc32c(), "CRC-32C of " + what);
            }
            segment.release();
        }
    }

    @Test
    void crc32cOfAMultiSegmentViewEqualsTheJdkCrc32cOfTheSameBytes()
    {
        final int[] segmentLengths = { 7, 64, 1, 4096, 9, 100_003 };
        final byte[] expected = TestBytes.seeded(9, Arrays.stream(segmentLengths).sum());
        final DataView view = concatOf(expected, segmentLengths);

        assertEquals(crc32c(expected, 0, expected.length), view.crc32c());
        assertEquals(crc32c(expected, 0, 0), DataView.EMPTY.crc32c());
        assertNotEquals(
            view.crc32c(), view.slice(0, expected.length - 1).crc32c(), "one byte fewer gives another checksum");
    }

    @Test
    void sliceRefusesRangesOutsideTheView()
    {
        final DataView view = concatOf(new byte[10], new int[]{ 4, 6 });

        assertEquals(
            "slice [-1, 2] lies outside data of 10 bytes",
            assertThrows(IndexOutOfBoundsException.class, () -> view.slice(-1, 2)).getMessage());
        assertEquals(
            "slice [0, -1] lies outside data of 10 bytes",
            assertThrows(IndexOutOfBoundsException.class, () -> view.slice(0, -1)).getMessage());
        assertEquals(
            "slice [5, 6] lies outside data of 10 bytes",
            assertThrows(IndexOutOfBoundsException.class, () -> view.slice(5, 6)).getMessage());
        assertEquals(
            "slice [11, 0] lies outside data of 10 bytes",
            assertThrows(IndexOutOfBoundsException.class, () -> view.slice(11, 0)).getMessage());
        assertEquals(
            "slice [1, 9223372036854775807] lies outside data of 10 bytes",
            assertThrows(IndexOutOfBoundsException.class, () -> view.slice(1, Long.MAX_VALUE)).getMessage());
        assertSame(DataView.EMPTY, view.slice(10, 0));
    }

    @Test
    void getByteRefusesIndicesOutsideTheView()
    {
        final DataView view = concatOf(new byte[10], new int[]{ 4, 6 });

        assertEquals(
            "index -1 outside data of 10 bytes",
            assertThrows(IndexOutOfBoundsException.class, () -> view.getByte(-1)).getMessage());
        assertEquals(
            "index 10 outside data of 10 bytes",
            assertThrows(IndexOutOfBoundsException.class, () -> view.getByte(10)).getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> DataView.EMPTY.getByte(0));
    }

    @Test
    void copyToWritesEveryByteAtTheIndexAndNothingElse()
    {
        final byte[] expected = TestBytes.seeded(10, 30);
        final DataView view = concatOf(expected, new int[]{ 10, 1, 19 });
        final byte[] target = new byte[40];
        Arrays.fill(target, (byte)-1);

        view.copyTo(new UnsafeBuffer(target), 5);

        assertSameBytes(expected, Arrays.copyOfRange(target, 5, 35), "copied bytes");
        for (final int untouched : new int[]{ 0, 4, 35, 39 })
        {
            assertEquals(-1, target[untouched], "byte " + untouched + " outside the copy");
        }
    }

    @Test
    void copyToRefusesATooShortDestinationBeforeWritingAnything()
    {
        final DataView view = concatOf(TestBytes.seeded(11, 30), new int[]{ 10, 20 });
        final byte[] target = new byte[40];

        assertEquals(
            "cannot copy 30 bytes into a buffer of 40 at 11",
            assertThrows(IndexOutOfBoundsException.class, () -> view.copyTo(new UnsafeBuffer(target), 11)).getMessage());
        assertEquals(
            "cannot copy 30 bytes into a buffer of 40 at -1",
            assertThrows(IndexOutOfBoundsException.class, () -> view.copyTo(new UnsafeBuffer(target), -1)).getMessage());
        assertArrayEquals(new byte[40], target, "nothing was written");
    }

    @Test
    void viewsWithTheSameBytesAreEqualHoweverTheyAreSplit()
    {
        final byte[] bytes = TestBytes.seeded(12, 50);
        final DataView one = concatOf(bytes, new int[]{ 50 });
        final DataView three = concatOf(bytes, new int[]{ 20, 1, 29 });
        final byte[] changed = bytes.clone();
        changed[49]++;

        assertEquals(one, three);
        assertEquals(one.hashCode(), three.hashCode());
        assertNotEquals(one, concatOf(changed, new int[]{ 25, 25 }));
        assertNotEquals(one, one.slice(0, 49));
        assertSame(DataView.EMPTY, DataView.concat());
        assertSame(DataView.EMPTY, DataView.concat(DataView.EMPTY, DataView.EMPTY));
    }

    private BufferPool smallPool()
    {
        return new BufferPool(new BufferPool.Context()
            .name("view-test")
            .directory(shmRoot)
            .slabBytes(1 << 20)
            .reserveBytes(4096)
            .maxBytes((1 << 20) + 4096));
    }

    private static void assertSlice(
        final byte[] expected,
        final int offset,
        final int length,
        final DataView slice,
        final int[] segmentLengths,
        final String what)
    {
        assertEquals(length, slice.length(), "length of the " + what);
        assertSameBytes(Arrays.copyOfRange(expected, offset, offset + length), slice, what);
        assertEquals(crc32c(expected, offset, length), slice.crc32c(), "CRC-32C of the " + what);

        int touched = 0;
        int start = 0;
        for (final int segmentLength : segmentLengths)
        {
            if (length > 0 && start < offset + length && offset < start + segmentLength)
            {
                touched++;
            }
            start += segmentLength;
        }
        assertEquals(touched, slice.segmentCount(), "segments of the " + what);

        long sum = 0;
        for (int i = 0; i < slice.segmentCount(); i++)
        {
            assertTrue(slice.segmentLength(i) > 0, "segment " + i + " of the " + what + " is empty");
            sum += slice.segmentLength(i);
        }
        assertEquals(length, sum, "segment lengths of the " + what);
    }

    /**
     * @return a view of {@code bytes} split over separate direct buffers of the given lengths.
     */
    private static DataView concatOf(final byte[] bytes, final int[] segmentLengths)
    {
        final DataView[] views = new DataView[segmentLengths.length];
        int at = 0;
        for (int i = 0; i < segmentLengths.length; i++)
        {
            final ByteBuffer buffer = ByteBuffer.allocateDirect(segmentLengths[i]);
            buffer.put(bytes, at, segmentLengths[i]).flip();
            views[i] = DataView.of(buffer);
            at += segmentLengths[i];
        }
        return DataView.concat(views);
    }

    private static byte[] concat(final byte[]... arrays)
    {
        final byte[] result = new byte[Arrays.stream(arrays).mapToInt((array) -> array.length).sum()];
        int at = 0;
        for (final byte[] array : arrays)
        {
            System.arraycopy(array, 0, result, at, array.length);
            at += array.length;
        }
        return result;
    }

    private static int crc32c(final byte[] bytes, final int offset, final int length)
    {
        final CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int)crc.getValue();
    }
}
