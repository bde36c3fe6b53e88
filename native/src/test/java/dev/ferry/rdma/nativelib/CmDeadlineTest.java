package dev.ferry.rdma.nativelib;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;

import com.ibm.disni.verbs.IbvCQ;
import com.ibm.disni.verbs.IbvCompChannel;
import com.ibm.disni.verbs.IbvContext;
import com.ibm.disni.verbs.RdmaCm;
import com.ibm.disni.verbs.RdmaCmEvent.EventType;
import com.ibm.disni.verbs.RdmaCmId;
import com.ibm.disni.verbs.RdmaEventChannel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Waits that must end: event reads with a timeout return when nothing comes, and connecting to a
 * port nobody listens on ends in an error event, not a hang.
 */
@Tag("rdma")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class CmDeadlineTest
{
    @Test
    void getCmEventOnAQuietChannelReturnsNothing() throws Exception
    {
        final InetAddress address = RdmaDevice.addressOrSkip();
        final RdmaEventChannel channel = RdmaEventChannel.createEventChannel();
        final RdmaCmId id = channel.createId(RdmaCm.RDMA_PS_TCP);
        try
        {
            id.bindAddr(new InetSocketAddress(address, 0));
            id.listen(1);
            assertNull(channel.getCmEvent(50));
        }
        finally
        {
            id.destroyId();
            channel.destroyEventChannel();
        }
    }

    @Test
    void getCqEventWithoutCompletionsReturnsFalse() throws Exception
    {
        final InetAddress address = RdmaDevice.addressOrSkip();
        final RdmaEventChannel channel = RdmaEventChannel.createEventChannel();
        final RdmaCmId id = channel.createId(RdmaCm.RDMA_PS_TCP);
        try
        {
            id.bindAddr(new InetSocketAddress(address, 0));
            final IbvContext context = id.getVerbs();
            final IbvCompChannel completionChannel = context.createCompChannel();
            final IbvCQ cq = context.createCQ(completionChannel, 4, 0);
            try
            {
                cq.reqNotification(false).execute().free();
                assertFalse(completionChannel.getCqEvent(cq, 50));
            }
            finally
            {
                cq.destroyCQ();
                completionChannel.destroyCompChannel();
            }
        }
        finally
        {
            id.destroyId();
            channel.destroyEventChannel();
        }
    }

    @Test
    void connectingToAPortNobodyListensOnEndsInAnErrorEvent() throws Exception
    {
        final InetAddress address = RdmaDevice.addressOrSkip();
        final RdmaEventChannel channel = RdmaEventChannel.createEventChannel();
        final InetSocketAddress unused = unusedPort(channel, address);
        final RdmaCmId id = channel.createId(RdmaCm.RDMA_PS_TCP);
        VerbsPeer peer = null;
        try
        {
            id.resolveAddr(null, unused, 5000);
            CmEvents.await(channel, EventType.RDMA_CM_EVENT_ADDR_RESOLVED);
            id.resolveRoute(5000);
            CmEvents.await(channel, EventType.RDMA_CM_EVENT_ROUTE_RESOLVED);
            peer = VerbsPeer.create(id);
            id.connect(VerbsPeer.connParam());

            CmEvents.awaitAny(channel, EnumSet.of(
                EventType.RDMA_CM_EVENT_REJECTED,
                EventType.RDMA_CM_EVENT_UNREACHABLE,
                EventType.RDMA_CM_EVENT_CONNECT_ERROR));
        }
        finally
        {
            if (null != peer)
            {
                peer.close();
            }
            else
            {
                id.destroyId();
            }
            channel.destroyEventChannel();
        }
    }

    /** A port that was just released by a listener, so nobody listens on it. */
    private static InetSocketAddress unusedPort(final RdmaEventChannel channel, final InetAddress address)
        throws Exception
    {
        final RdmaCmId listener = channel.createId(RdmaCm.RDMA_PS_TCP);
        try
        {
            listener.bindAddr(new InetSocketAddress(address, 0));
            listener.listen(1);
            return (InetSocketAddress)listener.getSource();
        }
        finally
        {
            listener.destroyId();
        }
    }
}
