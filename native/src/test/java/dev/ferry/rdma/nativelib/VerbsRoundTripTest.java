package dev.ferry.rdma.nativelib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.ibm.disni.verbs.IbvMr;
import com.ibm.disni.verbs.IbvRecvWR;
import com.ibm.disni.verbs.IbvSendWR;
import com.ibm.disni.verbs.IbvWC;
import com.ibm.disni.verbs.RdmaCm;
import com.ibm.disni.verbs.RdmaCmEvent.EventType;
import com.ibm.disni.verbs.RdmaCmId;
import com.ibm.disni.verbs.RdmaEventChannel;
import com.ibm.disni.verbs.SVCPostSend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A reliable connection between two cm ids in this JVM, over the library and DiSNI's verbs API:
 * RDMA READ, RDMA WRITE and SEND/RECV move bytes that arrive intact.
 */
@Tag("rdma")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class VerbsRoundTripTest
{
    private static final int REGION_BYTES = 1 << 20;
    private static final int MESSAGE_BYTES = 4096;
    private static final int ALL_ACCESS =
        IbvMr.IBV_ACCESS_LOCAL_WRITE | IbvMr.IBV_ACCESS_REMOTE_READ | IbvMr.IBV_ACCESS_REMOTE_WRITE;
    private static final long RECV_WR_ID = 11;

    private static RdmaEventChannel serverChannel;
    private static RdmaEventChannel clientChannel;
    private static RdmaCmId listenId;
    private static VerbsPeer server;
    private static VerbsPeer client;
    private static ByteBuffer serverRegion;
    private static ByteBuffer serverMessage;
    private static ByteBuffer clientRegion;
    private static IbvMr serverRegionMr;
    private static IbvMr serverMessageMr;
    private static IbvMr clientRegionMr;

    @BeforeAll
    static void connect() throws Exception
    {
        final InetAddress address = RdmaDevice.addressOrSkip();

        serverChannel = RdmaEventChannel.createEventChannel();
        listenId = serverChannel.createId(RdmaCm.RDMA_PS_TCP);
        listenId.bindAddr(new InetSocketAddress(address, 0));
        listenId.listen(8);
        final InetSocketAddress listening = (InetSocketAddress)listenId.getSource();
        assertNotNull(listening, "the listening id reports no IPv4 source address");
        assertEquals(address, listening.getAddress());

        clientChannel = RdmaEventChannel.createEventChannel();
        final RdmaCmId clientId = clientChannel.createId(RdmaCm.RDMA_PS_TCP);
        clientId.resolveAddr(null, listening, 5000);
        CmEvents.await(clientChannel, EventType.RDMA_CM_EVENT_ADDR_RESOLVED);
        clientId.resolveRoute(5000);
        CmEvents.await(clientChannel, EventType.RDMA_CM_EVENT_ROUTE_RESOLVED);
        client = VerbsPeer.create(clientId);
        clientRegion = ByteBuffer.allocateDirect(REGION_BYTES);
        clientRegionMr = client.register(clientRegion, ALL_ACCESS);
        clientId.connect(VerbsPeer.connParam());

        final RdmaCmId serverId = CmEvents.await(serverChannel, EventType.RDMA_CM_EVENT_CONNECT_REQUEST).getConnIdPriv();
        server = VerbsPeer.create(serverId);
        serverRegion = ByteBuffer.allocateDirect(REGION_BYTES);
        serverRegionMr = server.register(serverRegion, ALL_ACCESS);
        serverMessage = ByteBuffer.allocateDirect(MESSAGE_BYTES);
        serverMessageMr = server.register(serverMessage, IbvMr.IBV_ACCESS_LOCAL_WRITE);
        // Posted before accepting, so the client's SEND never meets an empty receive queue.
        final IbvRecvWR recv = new IbvRecvWR();
        recv.setWr_id(RECV_WR_ID);
        recv.setSg_list(VerbsPeer.sgList(serverMessageMr, MESSAGE_BYTES));
        server.qp.postRecv(List.of(recv), null).execute().free();
        serverId.accept(VerbsPeer.connParam());

        CmEvents.await(clientChannel, EventType.RDMA_CM_EVENT_ESTABLISHED);
        CmEvents.await(serverChannel, EventType.RDMA_CM_EVENT_ESTABLISHED);
        assertEquals(address, ((InetSocketAddress)serverId.getDestination()).getAddress());
    }

    @AfterAll
    static void close() throws Exception
    {
        if (null != client)
        {
            client.id.disconnect();
            client.close();
        }
        if (null != server)
        {
            server.id.disconnect();
            server.close();
        }
        if (null != listenId)
        {
            listenId.destroyId();
        }
        if (null != clientChannel)
        {
            clientChannel.destroyEventChannel();
        }
        if (null != serverChannel)
        {
            serverChannel.destroyEventChannel();
        }
    }

    @Test
    void rdmaReadCopiesTheRemoteRegionAndTheSamePostedCallCanBeReused() throws Exception
    {
        final SVCPostSend read = client.qp.postSend(
            List.of(oneSided(21, IbvSendWR.IBV_WR_RDMA_READ, clientRegionMr, serverRegionMr)), null);
        try
        {
            for (int round = 1; round <= 2; round++)
            {
                fill(serverRegion, REGION_BYTES, round);
                fill(clientRegion, REGION_BYTES, 100 + round);

                read.execute();
                assertSuccess(client.awaitCompletion(), 21, IbvWC.IbvWcOpcode.IBV_WC_RDMA_READ);
                assertEquals(serverRegion.slice(0, REGION_BYTES), clientRegion.slice(0, REGION_BYTES), "RDMA READ round " + round);
            }
        }
        finally
        {
            read.free();
        }
    }

    @Test
    void rdmaWritePlacesTheLocalRegionRemotely() throws Exception
    {
        fill(clientRegion, REGION_BYTES, 7);
        fill(serverRegion, REGION_BYTES, 8);

        client.qp.postSend(List.of(oneSided(22, IbvSendWR.IBV_WR_RDMA_WRITE, clientRegionMr, serverRegionMr)), null)
            .execute().free();

        assertSuccess(client.awaitCompletion(), 22, IbvWC.IbvWcOpcode.IBV_WC_RDMA_WRITE);
        assertEquals(clientRegion.slice(0, REGION_BYTES), serverRegion.slice(0, REGION_BYTES));
    }

    @Test
    void sendArrivesInThePostedReceiveAndWakesTheCompletionChannel() throws Exception
    {
        fill(clientRegion, MESSAGE_BYTES, 9);
        fill(serverMessage, MESSAGE_BYTES, 10);
        server.cq.reqNotification(false).execute().free();

        final IbvSendWR send = new IbvSendWR();
        send.setWr_id(23);
        send.setOpcode(IbvSendWR.IBV_WR_SEND);
        send.setSend_flags(IbvSendWR.IBV_SEND_SIGNALED);
        send.setSg_list(VerbsPeer.sgList(clientRegionMr, MESSAGE_BYTES));
        client.qp.postSend(List.of(send), null).execute().free();

        assertSuccess(client.awaitCompletion(), 23, IbvWC.IbvWcOpcode.IBV_WC_SEND);
        server.awaitCompletionEvent();
        final IbvWC received = server.awaitCompletion();
        assertSuccess(received, RECV_WR_ID, IbvWC.IbvWcOpcode.IBV_WC_RECV);
        assertEquals(MESSAGE_BYTES, received.getByte_len());
        assertEquals(server.qp.getQp_num(), received.getQp_num());
        assertEquals(clientRegion.slice(0, MESSAGE_BYTES), serverMessage.slice(0, MESSAGE_BYTES));
    }

    private static IbvSendWR oneSided(final long wrId, final int opcode, final IbvMr local, final IbvMr remote)
    {
        final IbvSendWR wr = new IbvSendWR();
        wr.setWr_id(wrId);
        wr.setOpcode(opcode);
        wr.setSend_flags(IbvSendWR.IBV_SEND_SIGNALED);
        wr.setSg_list(VerbsPeer.sgList(local, REGION_BYTES));
        wr.getRdma().setRemote_addr(remote.getAddr());
        wr.getRdma().setRkey(remote.getRkey());
        return wr;
    }

    private static void assertSuccess(final IbvWC wc, final long wrId, final IbvWC.IbvWcOpcode opcode)
    {
        assertEquals(IbvWC.IbvWcStatus.IBV_WC_SUCCESS.ordinal(), wc.getStatus(),
            "work completion " + wc.getWr_id() + " failed with status " + IbvWC.IbvWcStatus.valueOf(wc.getStatus()));
        assertEquals(wrId, wc.getWr_id());
        assertEquals(opcode.getOpcode(), wc.getOpcode());
    }

    private static void fill(final ByteBuffer buffer, final int length, final int seed)
    {
        for (int i = 0; i < length; i++)
        {
            buffer.put(i, (byte)(i * 31 + seed * 17 + (i >>> 8)));
        }
    }
}
