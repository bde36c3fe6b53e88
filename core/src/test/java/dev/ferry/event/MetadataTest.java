package dev.ferry.event;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetadataTest
{
    private static final String NON_ASCII = "{\"detector\":\"Čerenkov\",\"unit\":\"µs\",\"note\":\"測定 ✓ 🚀\"}";

    @Test
    void ofStringEncodesUtf8AndDecodesTheSameText()
    {
        final Metadata metadata = Metadata.of(NON_ASCII);
        final byte[] utf8 = NON_ASCII.getBytes(StandardCharsets.UTF_8);

        assertEquals(utf8.length, metadata.length());
        assertTrue(metadata.length() > NON_ASCII.length(), "non-ASCII text takes more bytes than chars");
        assertArrayEquals(utf8, metadata.toByteArray());
        for (int i = 0; i < utf8.length; i++)
        {
            assertEquals(utf8[i], metadata.getByte(i), "byte " + i);
        }
        assertEquals(NON_ASCII, metadata.asString());
    }

    @Test
    void wrappedUtf8BytesDecodeToTheOriginalText()
    {
        final byte[] utf8 = NON_ASCII.getBytes(StandardCharsets.UTF_8);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[utf8.length + 10]);
        buffer.putBytes(7, utf8);

        final Metadata metadata = Metadata.wrap(buffer, 7, utf8.length);

        assertEquals(NON_ASCII, metadata.asString());
        assertEquals(7, metadata.offset());
        assertSame(buffer, metadata.buffer());
        assertArrayEquals(utf8, metadata.toByteArray());
    }

    @Test
    void ofBytesCopiesSoLaterChangesToTheArrayAreNotSeen()
    {
        final byte[] bytes = "{\"run\":1}".getBytes(StandardCharsets.UTF_8);
        final Metadata metadata = Metadata.of(bytes);
        bytes[7] = '2';

        assertEquals("{\"run\":1}", metadata.asString());
        assertEquals('1', metadata.getByte(7));
    }

    @Test
    void wrapIsAViewAndCopyDetachesIt()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(16));
        buffer.putStringWithoutLengthAscii(4, "abcdef");
        final Metadata view = Metadata.wrap(buffer, 4, 6);
        final Metadata copy = view.copy();

        buffer.putByte(4, (byte)'X');

        assertEquals('X', view.getByte(0), "a wrapped view sees changes to the wrapped bytes");
        assertEquals("abcdef", copy.asString(), "a copy does not");
        assertEquals('a', copy.getByte(0));
        assertEquals(0, copy.offset());
    }

    @Test
    void equalsComparesBytesWhereverTheyLie()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[32]);
        buffer.putStringWithoutLengthUtf8(11, "µs");

        final Metadata owned = Metadata.of("µs");
        final Metadata wrapped = Metadata.wrap(buffer, 11, owned.length());

        assertEquals(owned, wrapped);
        assertEquals(wrapped, owned);
        assertEquals(owned.hashCode(), wrapped.hashCode());
        assertEquals(owned, owned.copy());
        assertNotEquals(owned, Metadata.of("ms"));
        assertNotEquals(owned, Metadata.of("µs "));
        assertNotEquals(Metadata.of("ab"), Metadata.of("a"));
        assertNotEquals(owned, "µs");
    }

    @Test
    void emptyMetadata()
    {
        assertSame(Metadata.EMPTY, Metadata.of(""));
        assertSame(Metadata.EMPTY, Metadata.of(new byte[0]));
        assertSame(Metadata.EMPTY, Metadata.wrap(new UnsafeBuffer(new byte[4]), 2, 0).copy());
        assertEquals(0, Metadata.EMPTY.length());
        assertEquals("", Metadata.EMPTY.asString());
        assertEquals(0, Metadata.EMPTY.toByteArray().length);
        assertEquals(Metadata.EMPTY, Metadata.wrap(new UnsafeBuffer(new byte[4]), 4, 0));
    }

    @Test
    void wrapRefusesRangesOutsideTheBuffer()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[10]);

        assertWrapRefused(buffer, -1, 2, "metadata [-1, 2] lies outside a buffer of 10 bytes");
        assertWrapRefused(buffer, 0, -1, "metadata [0, -1] lies outside a buffer of 10 bytes");
        assertWrapRefused(buffer, 5, 6, "metadata [5, 6] lies outside a buffer of 10 bytes");
        assertWrapRefused(buffer, 11, 0, "metadata [11, 0] lies outside a buffer of 10 bytes");
        assertWrapRefused(buffer, Integer.MAX_VALUE, 2, "lies outside a buffer of 10 bytes");
        assertEquals(10, Metadata.wrap(buffer, 0, 10).length());
    }

    @Test
    void getByteRefusesIndicesOutsideTheMetadata()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[10]);
        final Metadata metadata = Metadata.wrap(buffer, 2, 3);

        assertEquals(
            "index -1 outside metadata of 3 bytes",
            assertThrows(IndexOutOfBoundsException.class, () -> metadata.getByte(-1)).getMessage());
        assertEquals(
            "index 3 outside metadata of 3 bytes",
            assertThrows(IndexOutOfBoundsException.class, () -> metadata.getByte(3)).getMessage());
    }

    @Test
    void toStringShortensLongText()
    {
        final String longText = "x".repeat(200);

        assertEquals(NON_ASCII, Metadata.of(NON_ASCII).toString());
        assertEquals("x".repeat(77) + "...", Metadata.of(longText).toString());
    }

    private static void assertWrapRefused(
        final UnsafeBuffer buffer, final int offset, final int length, final String expectedMessage)
    {
        final IndexOutOfBoundsException ex =
            assertThrows(IndexOutOfBoundsException.class, () -> Metadata.wrap(buffer, offset, length));
        assertTrue(ex.getMessage().contains(expectedMessage), ex.getMessage());
    }
}
