package dev.ferry.event;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;

/**
 * An event's metadata: a few bytes, usually UTF-8 JSON, that travel in batches with the control
 * messages.
 * <p>
 * <b>Ownership.</b> {@link #of(String)} and {@link #of(byte[])} copy, so the metadata owns its bytes
 * and is immutable. {@link #wrap(DirectBuffer, int, int)} is a view: it is valid only as long as
 * the wrapped bytes stay unchanged, which for metadata handed out by a consumer means until the
 * event is acknowledged; {@link #copy()} detaches it.
 * <p>
 * JSON is left to the application: {@link #asString()} decodes the UTF-8 once, lazily, and any JSON
 * library can parse it. Ferry itself never parses metadata it does not have to.
 */
public final class Metadata
{
    /**
     * Metadata of no bytes.
     */
    public static final Metadata EMPTY = new Metadata(new UnsafeBuffer(new byte[0]), 0, 0);

    private final DirectBuffer buffer;
    private final int offset;
    private final int length;
    private String string;

    private Metadata(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
    }

    /**
     * @param text encoded as UTF-8.
     * @return metadata owning a copy of the encoded text.
     */
    public static Metadata of(final String text)
    {
        final Metadata metadata = of(text.getBytes(StandardCharsets.UTF_8));
        metadata.string = text;
        return metadata;
    }

    /**
     * @param bytes copied.
     * @return metadata owning a copy of the bytes.
     */
    public static Metadata of(final byte[] bytes)
    {
        return 0 == bytes.length ? EMPTY : new Metadata(new UnsafeBuffer(bytes.clone()), 0, bytes.length);
    }

    /**
     * A view over bytes owned by someone else; nothing is copied.
     *
     * @param buffer holding the bytes.
     * @param offset of the first byte.
     * @param length in bytes.
     * @return a view, valid while the wrapped bytes are unchanged.
     * @throws IndexOutOfBoundsException if the range is not within the buffer.
     */
    public static Metadata wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        if (offset < 0 || length < 0 || offset > buffer.capacity() - length)
        {
            throw new IndexOutOfBoundsException(
                "metadata [" + offset + ", " + length + "] lies outside a buffer of " + buffer.capacity() + " bytes");
        }
        return new Metadata(buffer, offset, length);
    }

    /**
     * @return the length in bytes.
     */
    public int length()
    {
        return length;
    }

    /**
     * @return the buffer the bytes are in; read from {@link #offset()} for {@link #length()} bytes.
     */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return the offset of the first byte in {@link #buffer()}.
     */
    public int offset()
    {
        return offset;
    }

    /**
     * @param index from 0 to {@link #length()} - 1.
     * @return the byte at the index.
     */
    public byte getByte(final int index)
    {
        if (index < 0 || index >= length)
        {
            throw new IndexOutOfBoundsException("index " + index + " outside metadata of " + length + " bytes");
        }
        return buffer.getByte(offset + index);
    }

    /**
     * @return the bytes decoded as UTF-8; decoded once and kept.
     */
    public String asString()
    {
        String result = string;
        if (null == result)
        {
            result = buffer.getStringWithoutLengthUtf8(offset, length);
            string = result;
        }
        return result;
    }

    /**
     * @return a new array holding a copy of the bytes.
     */
    public byte[] toByteArray()
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return bytes;
    }

    /**
     * @return metadata owning a copy of these bytes, independent of the buffer they are in.
     */
    public Metadata copy()
    {
        return 0 == length ? EMPTY : new Metadata(new UnsafeBuffer(toByteArray()), 0, length);
    }

    public boolean equals(final Object other)
    {
        if (this == other)
        {
            return true;
        }
        if (!(other instanceof Metadata))
        {
            return false;
        }

        final Metadata that = (Metadata)other;
        if (length != that.length)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            if (buffer.getByte(offset + i) != that.buffer.getByte(that.offset + i))
            {
                return false;
            }
        }
        return true;
    }

    public int hashCode()
    {
        int hash = 1;
        for (int i = 0; i < length; i++)
        {
            hash = 31 * hash + buffer.getByte(offset + i);
        }
        return hash;
    }

    public String toString()
    {
        final String text = asString();
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }
}
