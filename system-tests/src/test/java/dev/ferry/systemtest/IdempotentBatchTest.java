package dev.ferry.systemtest;

import dev.ferry.channel.ConnectionListener;
import dev.ferry.channel.Inbound;
import dev.ferry.channel.MessageTransport;
import dev.ferry.channel.MessageTransports;
import dev.ferry.channel.Outbound;
import dev.ferry.protocol.InboundFrame;
import dev.ferry.protocol.codecs.BatchAckDecoder;
import dev.ferry.protocol.codecs.AcknowledgeEncoder;
import dev.ferry.protocol.codecs.CreateTopicEncoder;
import dev.ferry.protocol.codecs.ErrorDecoder;
import dev.ferry.protocol.codecs.HelloEncoder;
import dev.ferry.protocol.codecs.HelloReplyDecoder;
import dev.ferry.protocol.codecs.ListTopicsEncoder;
import dev.ferry.protocol.codecs.MessageHeaderEncoder;
import dev.ferry.protocol.codecs.MetadataBatchEncoder;
import dev.ferry.protocol.codecs.OpenTopicEncoder;
import dev.ferry.protocol.codecs.SubscribeEncoder;
import dev.ferry.protocol.codecs.TopicInfoDecoder;
import dev.ferry.protocol.codecs.TopicListDecoder;
import dev.ferry.server.FerryServer;
import dev.ferry.shm.HostIdentity;
import dev.ferry.test.ShmTempDirFactory;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

import static dev.ferry.systemtest.EventPathInProcessTest.freeEndpoint;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The server's half of the idempotent producer, spoken to frame by frame over real Aeron: a batch sent
 * again with the same (producer id, batch sequence) is acknowledged again with the ids it got the first
 * time and stored once, also by a durable server restarted in between, which reads the batches it
 * stored back from its log.
 */
@Timeout(120)
class IdempotentBatchTest
{
    private static final long CLIENT_ID = 0x5EED_0001L;
    private static final long PRODUCER_ID = 7;
    private static final long CONSUMER_ID = 9;
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(20);

    @TempDir(factory = ShmTempDirFactory.class)
    Path root;

    @TempDir
    Path dataDirectory;

    @Test
    void aBatchSentAgainIsAcknowledgedWithItsFirstIdsAndStoredOnceAlsoAfterADurableRestart()
    {
        final FerryServer.Context context = new FerryServer.Context().endpoint(freeEndpoint("127.0.0.1")).shmRoot(root)
            .transport("shm").dataDirectory(dataDirectory).logSegmentBytes(8 << 20);
        int topicId;
        try (FerryServer server = FerryServer.launch(context); RawClient client = new RawClient(server.address(), 1))
        {
            topicId = client.createTopic("once");
            assertEquals("0+2", client.sendBatch(topicId, 1, "a", "b"));
            assertEquals("0+2", client.sendBatch(topicId, 1, "a", "b"), "the same batch again");
            assertEquals("2+1", client.sendBatch(topicId, 2, "c"));
            assertEquals("2+1", client.sendBatch(topicId, 2, "c"), "the same batch again");
            assertEquals(3, client.storedEvents());
        }

        try (FerryServer server = FerryServer.launch(context); RawClient client = new RawClient(server.address(), 2))
        {
            assertEquals(topicId, client.openTopic("once"), "a durable topic keeps its id");
            assertEquals("2+1", client.sendBatch(topicId, 2, "c"), "a batch stored before the restart");
            assertEquals("0+2", client.sendBatch(topicId, 1, "a", "b"), "an older one");
            assertEquals("3+1", client.sendBatch(topicId, 3, "d"));
            assertEquals(4, client.storedEvents());
        }
    }

    @Test
    void anAcknowledgementOfAnEventNeverSentIsRefusedAndMovesNoCursor()
    {
        final FerryServer.Context context = new FerryServer.Context().endpoint(freeEndpoint("127.0.0.1")).shmRoot(root)
            .transport("shm");
        try (FerryServer server = FerryServer.launch(context); RawClient client = new RawClient(server.address(), 1))
        {
            final int topicId = client.createTopic("acked");
            assertEquals("0+2", client.sendBatch(topicId, 1, "a", "b"));
            client.subscribe(topicId, "raw"); // with no credit: nothing is sent to it

            final String refusal = client.acknowledgeRefused(topicId, 1);

            assertTrue(refusal.contains("consumer 'raw' acknowledged event 1 of partition 0, which it was never sent " +
                "(the next it would be sent is 0)"), refusal);
        }
    }

    /**
     * A client that speaks the protocol itself: one session, requests answered in order.
     */
    private final class RawClient implements AutoCloseable, ConnectionListener
    {
        private final MessageTransport messages;
        private final Inbound replies;
        private final Outbound server;
        private final ExpandableDirectByteBuffer buffer = new ExpandableDirectByteBuffer(4096);
        private final MessageHeaderEncoder header = new MessageHeaderEncoder();
        private final InboundFrame frame = new InboundFrame();
        private final ArrayDeque<String> answers = new ArrayDeque<>();
        private long correlationId;

        RawClient(final String address, final long connectionId)
        {
            messages = MessageTransports.provider().newTransport(root, null);
            replies = messages.listenForReplies("127.0.0.1", this);
            server = messages.connect(address);
            final HelloEncoder hello = new HelloEncoder().wrapAndApplyHeader(buffer, 0, header)
                .clientId(CLIENT_ID)
                .pid(ProcessHandle.current().pid())
                .replyStreamId(0)
                .connectionId(connectionId)
                .clientName("raw")
                .bootId(HostIdentity.bootId())
                .replyChannel(replies.address())
                .bulkTransports("shm");
            hello.putSecret(new byte[0], 0, 0);
            send(hello.encodedLength());
            assertEquals("hello " + connectionId, await((answer) -> answer.startsWith("hello")));
        }

        int createTopic(final String name)
        {
            send(new CreateTopicEncoder().wrapAndApplyHeader(buffer, 0, header)
                .clientId(CLIENT_ID).correlationId(++correlationId).partitions(1).name(name).config("").encodedLength());
            return Integer.parseInt(await((answer) -> answer.startsWith("topic ")).substring(6));
        }

        int openTopic(final String name)
        {
            send(new OpenTopicEncoder().wrapAndApplyHeader(buffer, 0, header)
                .clientId(CLIENT_ID).correlationId(++correlationId).name(name).encodedLength());
            return Integer.parseInt(await((answer) -> answer.startsWith("topic ")).substring(6));
        }

        /**
         * @return the acknowledgement as "first id+count".
         */
        String sendBatch(final int topicId, final long batchSeq, final String... metadata)
        {
            final MetadataBatchEncoder batch = new MetadataBatchEncoder().wrapAndApplyHeader(buffer, 0, header)
                .producerId(PRODUCER_ID).batchSeq(batchSeq).topicId(topicId).partition(0);
            final MetadataBatchEncoder.EventsEncoder events = batch.eventsCount(metadata.length);
            for (final String text : metadata)
            {
                final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
                events.next().regionId(0).offset(0).length(0).putMetadata(bytes, 0, bytes.length);
            }
            send(batch.encodedLength());
            return await((answer) -> answer.startsWith("ack " + batchSeq + " ")).substring(("ack " + batchSeq + " ").length());
        }

        void subscribe(final int topicId, final String consumerName)
        {
            final SubscribeEncoder subscribe = new SubscribeEncoder().wrapAndApplyHeader(buffer, 0, header)
                .consumerId(CONSUMER_ID).correlationId(++correlationId).topicId(topicId).credit(0).batchSize(16);
            subscribe.partitionsCount(1).next().partition(0).startEventId(-1);
            subscribe.consumerName(consumerName);
            send(subscribe.encodedLength());
            await((answer) -> answer.equals("topic " + topicId));
        }

        /**
         * @return the server's error for an acknowledgement it refused.
         */
        String acknowledgeRefused(final int topicId, final long eventId)
        {
            send(new AcknowledgeEncoder().wrapAndApplyHeader(buffer, 0, header)
                .consumerId(CONSUMER_ID).topicId(topicId).partition(0).eventId(eventId).encodedLength());
            return await((answer) -> answer.startsWith("error "), true);
        }

        long storedEvents()
        {
            send(new ListTopicsEncoder().wrapAndApplyHeader(buffer, 0, header)
                .clientId(CLIENT_ID).correlationId(++correlationId).encodedLength());
            return Long.parseLong(await((answer) -> answer.startsWith("events ")).substring(7));
        }

        private void send(final int messageLength)
        {
            final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
            while (server.offer(buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + messageLength) < 0)
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    fail("the server's stream took no message within 20 s");
                }
                messages.doWork();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }

        private String await(final Predicate<String> wanted)
        {
            return await(wanted, false);
        }

        private String await(final Predicate<String> wanted, final boolean errorWanted)
        {
            final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
            while (System.nanoTime() - deadlineNs < 0)
            {
                messages.doWork();
                replies.poll(this::onMessage, 16);
                while (!answers.isEmpty())
                {
                    final String answer = answers.pollFirst();
                    if (answer.startsWith("error ") && !errorWanted)
                    {
                        return fail("the server refused: " + answer);
                    }
                    if (wanted.test(answer))
                    {
                        return answer;
                    }
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            return fail("no answer from the server within 20 s");
        }

        private boolean onMessage(final DirectBuffer message, final int offset, final int length, final int sessionId)
        {
            switch (frame.decode(message, offset, length))
            {
                case HelloReplyDecoder.TEMPLATE_ID:
                    answers.add("hello " + frame.helloReply().connectionId());
                    break;
                case TopicInfoDecoder.TEMPLATE_ID:
                    answers.add("topic " + frame.topicInfo().topicId());
                    break;
                case BatchAckDecoder.TEMPLATE_ID:
                    final BatchAckDecoder ack = frame.batchAck();
                    answers.add("ack " + ack.batchSeq() + " " + ack.firstEventId() + "+" + ack.count());
                    break;
                case TopicListDecoder.TEMPLATE_ID:
                    long events = 0;
                    for (final TopicListDecoder.TopicsDecoder topic : frame.topicList().topics())
                    {
                        events += topic.events();
                        topic.name();
                    }
                    answers.add("events " + events);
                    break;
                case ErrorDecoder.TEMPLATE_ID:
                    answers.add("error " + frame.error().message());
                    break;
                default:
                    break;
            }
            return true;
        }

        public void onConnected(final int sessionId, final String sourceAddress)
        {
        }

        public void onDisconnected(final int sessionId)
        {
        }

        public void close()
        {
            CloseHelper.quietCloseAll(server, replies, messages);
        }
    }
}
