package dev.ferry.protocol;

import dev.ferry.protocol.codecs.AcknowledgeDecoder;
import dev.ferry.protocol.codecs.BatchAckDecoder;
import dev.ferry.protocol.codecs.CreateTopicDecoder;
import dev.ferry.protocol.codecs.CreditDecoder;
import dev.ferry.protocol.codecs.ErrorDecoder;
import dev.ferry.protocol.codecs.EventBatchDecoder;
import dev.ferry.protocol.codecs.GoodbyeDecoder;
import dev.ferry.protocol.codecs.HeartbeatDecoder;
import dev.ferry.protocol.codecs.HelloDecoder;
import dev.ferry.protocol.codecs.HelloReplyDecoder;
import dev.ferry.protocol.codecs.ListTopicsDecoder;
import dev.ferry.protocol.codecs.MessageHeaderDecoder;
import dev.ferry.protocol.codecs.MetadataBatchDecoder;
import dev.ferry.protocol.codecs.OpenTopicDecoder;
import dev.ferry.protocol.codecs.RegionAnnouncementDecoder;
import dev.ferry.protocol.codecs.SubscribeDecoder;
import dev.ferry.protocol.codecs.TopicInfoDecoder;
import dev.ferry.protocol.codecs.TopicListDecoder;
import dev.ferry.protocol.codecs.GroupSizeEncodingDecoder;
import org.agrona.DirectBuffer;
import org.agrona.sbe.MessageDecoderFlyweight;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * Validates an inbound frame and leaves the matching decoder ready to read it: nothing of a frame is
 * read before its schema id, message id, block lengths and every group and variable-length field
 * have been checked to lie within the frame.
 * <p>
 * The frame is viewed through a flyweight of exactly its length, so a length field that points
 * past the frame trips a bounds check instead of reading a neighbouring frame. Messages from a
 * newer protocol version are accepted when their blocks are at least as long as ours (fields are
 * only ever added at the end); shorter blocks are refused.
 * <pre>
 *   0        2          4         6        8
 *   +--------+----------+---------+--------+------------------------------+
 *   | block  | template | schema  | version| block | groups | var data ... |
 *   | length |    id    |   id    |        |                              |
 *   +--------+----------+---------+--------+------------------------------+
 *   |&lt;------- message header (8) -------&gt;|&lt;- checked to end within frame -&gt;|
 * </pre>
 * One instance per I/O agent; {@link #decode} allocates nothing.
 */
public final class InboundFrame
{
    private static final int MAX_TEMPLATE_ID = 63;

    private final UnsafeBuffer frame = new UnsafeBuffer(0L, 0);
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final HelloDecoder hello = new HelloDecoder();
    private final HelloReplyDecoder helloReply = new HelloReplyDecoder();
    private final HeartbeatDecoder heartbeat = new HeartbeatDecoder();
    private final ErrorDecoder error = new ErrorDecoder();
    private final GoodbyeDecoder goodbye = new GoodbyeDecoder();
    private final CreateTopicDecoder createTopic = new CreateTopicDecoder();
    private final OpenTopicDecoder openTopic = new OpenTopicDecoder();
    private final TopicInfoDecoder topicInfo = new TopicInfoDecoder();
    private final ListTopicsDecoder listTopics = new ListTopicsDecoder();
    private final TopicListDecoder topicList = new TopicListDecoder();
    private final RegionAnnouncementDecoder regionAnnouncement = new RegionAnnouncementDecoder();
    private final MetadataBatchDecoder metadataBatch = new MetadataBatchDecoder();
    private final BatchAckDecoder batchAck = new BatchAckDecoder();
    private final SubscribeDecoder subscribe = new SubscribeDecoder();
    private final CreditDecoder credit = new CreditDecoder();
    private final EventBatchDecoder eventBatch = new EventBatchDecoder();
    private final AcknowledgeDecoder acknowledge = new AcknowledgeDecoder();
    private final MessageDecoderFlyweight[] decoders = new MessageDecoderFlyweight[MAX_TEMPLATE_ID + 1];
    private final int[] groupEntryLengths = new int[MAX_TEMPLATE_ID + 1];

    public InboundFrame()
    {
        register(hello, 0);
        register(helloReply, 0);
        register(heartbeat, 0);
        register(error, 0);
        register(goodbye, 0);
        register(createTopic, 0);
        register(openTopic, 0);
        register(topicInfo, 0);
        register(listTopics, 0);
        register(topicList, TopicListDecoder.TopicsDecoder.sbeBlockLength());
        register(regionAnnouncement, 0);
        register(metadataBatch, MetadataBatchDecoder.EventsDecoder.sbeBlockLength());
        register(batchAck, 0);
        register(subscribe, SubscribeDecoder.PartitionsDecoder.sbeBlockLength());
        register(credit, 0);
        register(eventBatch, EventBatchDecoder.EventsDecoder.sbeBlockLength());
        register(acknowledge, 0);
    }

    /**
     * Validate a frame and wrap the decoder of its message.
     *
     * @param buffer holding the frame.
     * @param offset of the frame's first byte.
     * @param length of the frame.
     * @return the frame's template id; the decoder of that message (e.g. {@link #hello()}) is ready.
     * @throws MalformedFrameException naming what is wrong.
     */
    public int decode(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            throw new MalformedFrameException(
                "a frame of " + length + " bytes is shorter than the " + MessageHeaderDecoder.ENCODED_LENGTH +
                "-byte message header");
        }

        frame.wrap(buffer, offset, length);
        header.wrap(frame, 0);
        final int schemaId = header.schemaId();
        if (MessageHeaderDecoder.SCHEMA_ID != schemaId)
        {
            throw new MalformedFrameException(
                "frame of schema " + schemaId + " is not Ferry's protocol (schema " + MessageHeaderDecoder.SCHEMA_ID +
                "); is something else sending to this endpoint?");
        }

        final int templateId = header.templateId();
        final int version = header.version();
        final MessageDecoderFlyweight decoder = templateId < decoders.length ? decoders[templateId] : null;
        if (null == decoder)
        {
            throw new MalformedFrameException(
                "frame of unknown message " + templateId + " (protocol version " + version + "); " +
                "is the peer a newer Ferry? upgrade this side");
        }

        final int blockLength = header.blockLength();
        if (blockLength < decoder.sbeBlockLength())
        {
            throw new MalformedFrameException(
                "message " + templateId + " has a " + blockLength + "-byte block, shorter than the " +
                decoder.sbeBlockLength() + " bytes of its fields");
        }
        final int blockEnd = MessageHeaderDecoder.ENCODED_LENGTH + blockLength;
        check(templateId, blockEnd);

        final int expectedEntryLength = groupEntryLengths[templateId];
        if (expectedEntryLength > 0)
        {
            check(templateId, blockEnd + GroupSizeEncodingDecoder.ENCODED_LENGTH);
            final int entryLength = frame.getShort(blockEnd, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
            if (entryLength < expectedEntryLength)
            {
                throw new MalformedFrameException(
                    "message " + templateId + " has group entries of " + entryLength + " bytes, shorter than the " +
                    expectedEntryLength + " bytes of their fields");
            }
        }

        try
        {
            decoder.wrap(frame, MessageHeaderDecoder.ENCODED_LENGTH, blockLength, version);
            check(templateId, MessageHeaderDecoder.ENCODED_LENGTH + decoder.sbeDecodedLength());
        }
        catch (final IndexOutOfBoundsException ex)
        {
            throw new MalformedFrameException(
                "message " + templateId + " claims more bytes than its " + length + "-byte frame holds: " +
                ex.getMessage());
        }

        return templateId;
    }

    private void check(final int templateId, final int limit)
    {
        if (limit > frame.capacity())
        {
            throw new MalformedFrameException(
                "message " + templateId + " ends at byte " + limit + ", past the end of its " + frame.capacity() +
                "-byte frame");
        }
    }

    private void register(final MessageDecoderFlyweight decoder, final int groupEntryLength)
    {
        decoders[decoder.sbeTemplateId()] = decoder;
        groupEntryLengths[decoder.sbeTemplateId()] = groupEntryLength;
    }

    public HelloDecoder hello()
    {
        return hello;
    }

    public HelloReplyDecoder helloReply()
    {
        return helloReply;
    }

    public HeartbeatDecoder heartbeat()
    {
        return heartbeat;
    }

    public ErrorDecoder error()
    {
        return error;
    }

    public GoodbyeDecoder goodbye()
    {
        return goodbye;
    }

    public CreateTopicDecoder createTopic()
    {
        return createTopic;
    }

    public OpenTopicDecoder openTopic()
    {
        return openTopic;
    }

    public TopicInfoDecoder topicInfo()
    {
        return topicInfo;
    }

    public ListTopicsDecoder listTopics()
    {
        return listTopics;
    }

    public TopicListDecoder topicList()
    {
        return topicList;
    }

    public RegionAnnouncementDecoder regionAnnouncement()
    {
        return regionAnnouncement;
    }

    public MetadataBatchDecoder metadataBatch()
    {
        return metadataBatch;
    }

    public BatchAckDecoder batchAck()
    {
        return batchAck;
    }

    public SubscribeDecoder subscribe()
    {
        return subscribe;
    }

    public CreditDecoder credit()
    {
        return credit;
    }

    public EventBatchDecoder eventBatch()
    {
        return eventBatch;
    }

    public AcknowledgeDecoder acknowledge()
    {
        return acknowledge;
    }
}
