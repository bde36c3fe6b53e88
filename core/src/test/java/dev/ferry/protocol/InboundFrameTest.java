package dev.ferry.protocol;

import dev.ferry.protocol.codecs.HelloEncoder;
import dev.ferry.protocol.codecs.MessageHeaderEncoder;
import dev.ferry.protocol.codecs.MetadataBatchDecoder;
import dev.ferry.protocol.codecs.MetadataBatchEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InboundFrameTest
{
    private static final int FRAME_OFFSET = 64;

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
    private final InboundFrame frame = new InboundFrame();

    private int encodeBatch()
    {
        final MetadataBatchEncoder batch = new MetadataBatchEncoder()
            .wrapAndApplyHeader(buffer, FRAME_OFFSET, new MessageHeaderEncoder())
            .producerId(7).batchSeq(3).topicId(1).partition(2);
        final MetadataBatchEncoder.EventsEncoder events = batch.eventsCount(3);
        for (int i = 0; i < 3; i++)
        {
            final byte[] metadata = ("{\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8);
            events.next().regionId(10 + i).offset(4096L * i).length(100 + i).putMetadata(metadata, 0, metadata.length);
        }
        return MessageHeaderEncoder.ENCODED_LENGTH + batch.encodedLength();
    }

    @Test
    void aValidFrameDecodesAndItsDecoderReadsEveryField()
    {
        final int length = encodeBatch();

        assertEquals(MetadataBatchDecoder.TEMPLATE_ID, frame.decode(buffer, FRAME_OFFSET, length));

        final MetadataBatchDecoder batch = frame.metadataBatch();
        assertEquals(7, batch.producerId());
        assertEquals(3, batch.batchSeq());
        int i = 0;
        for (final MetadataBatchDecoder.EventsDecoder event : batch.events())
        {
            assertEquals(10 + i, event.regionId());
            assertEquals(4096L * i, event.offset());
            final byte[] metadata = new byte[event.metadataLength()];
            event.getMetadata(metadata, 0, metadata.length);
            assertEquals("{\"i\":" + i + "}", new String(metadata, StandardCharsets.UTF_8));
            i++;
        }
        assertEquals(3, i);
    }

    @Test
    void everyTruncationIsRefusedAsMalformed()
    {
        final int length = encodeBatch();
        for (int truncated = 0; truncated < length; truncated++)
        {
            final int at = truncated;
            assertThrows(MalformedFrameException.class, () -> frame.decode(buffer, FRAME_OFFSET, at),
                "a frame cut to " + at + " of " + length + " bytes was accepted");
        }
    }

    @Test
    void corruptedFramesAreRefusedOrDecodeButNeverThrowAnythingElse()
    {
        final int length = encodeBatch();
        final byte[] original = new byte[length];
        buffer.getBytes(FRAME_OFFSET, original);
        final Random random = new Random(7);
        int refused = 0;
        for (int round = 0; round < 20_000; round++)
        {
            buffer.putBytes(FRAME_OFFSET, original);
            for (int flips = 1 + random.nextInt(3); flips > 0; flips--)
            {
                buffer.putByte(FRAME_OFFSET + random.nextInt(length), (byte)random.nextInt(256));
            }
            try
            {
                frame.decode(buffer, FRAME_OFFSET, length);
            }
            catch (final MalformedFrameException ex)
            {
                refused++;
            }
        }
        assertTrue(refused > 0, "corruption of lengths and ids must be caught");
    }

    @Test
    void anotherSchemaAnUnknownMessageAndAShortBlockAreRefusedWithTheCause()
    {
        final int length = encodeBatch();

        buffer.putShort(FRAME_OFFSET + 4, (short)99);
        final MalformedFrameException schema =
            assertThrows(MalformedFrameException.class, () -> frame.decode(buffer, FRAME_OFFSET, length));
        assertTrue(schema.getMessage().contains("not Ferry's protocol"), schema.getMessage());

        encodeBatch();
        buffer.putShort(FRAME_OFFSET + 2, (short)60);
        final MalformedFrameException unknown =
            assertThrows(MalformedFrameException.class, () -> frame.decode(buffer, FRAME_OFFSET, length));
        assertTrue(unknown.getMessage().contains("unknown message 60"), unknown.getMessage());

        encodeBatch();
        buffer.putShort(FRAME_OFFSET, (short)4);
        final MalformedFrameException shortBlock =
            assertThrows(MalformedFrameException.class, () -> frame.decode(buffer, FRAME_OFFSET, length));
        assertTrue(shortBlock.getMessage().contains("shorter than"), shortBlock.getMessage());
    }

    @Test
    void aVariableLengthFieldPointingPastTheFrameIsRefused()
    {
        final HelloEncoder hello = new HelloEncoder()
            .wrapAndApplyHeader(buffer, FRAME_OFFSET, new MessageHeaderEncoder())
            .clientId(1).pid(2).replyStreamId(3)
            .clientName("producer").bootId("boot").replyChannel("127.0.0.1:4000").bulkTransports("shm");
        hello.putSecret(new byte[0], 0, 0);
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + hello.encodedLength();
        final int clientNameLengthAt = FRAME_OFFSET + MessageHeaderEncoder.ENCODED_LENGTH + HelloEncoder.BLOCK_LENGTH;
        buffer.putInt(clientNameLengthAt, 1_000_000);

        final MalformedFrameException error =
            assertThrows(MalformedFrameException.class, () -> frame.decode(buffer, FRAME_OFFSET, length));
        assertTrue(error.getMessage().contains("frame"), error.getMessage());
    }
}
