package dev.ferry.rdma.nativelib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.ibm.disni.util.NativeAffinity;
import com.ibm.disni.verbs.IbvWC;
import com.ibm.disni.verbs.RdmaCm;
import com.ibm.disni.verbs.RdmaEventChannel;
import com.ibm.disni.verbs.impl.NatIbvRecvWR;
import com.ibm.disni.verbs.impl.NatIbvSendWR;
import com.ibm.disni.verbs.impl.NatIbvSge;
import com.ibm.disni.verbs.impl.NativeDispatcher;
import com.ibm.disni.verbs.impl.SockAddrIn;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

/**
 * The library against DiSNI's Java side without a device: it loads, the dispatcher accepts its
 * version and layout, every native is bound, null handles are refused as the contract says, and a
 * missing device is an exception naming the call, not a crash.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NativeLibraryTest
{
    private static NativeDispatcher dispatcher;

    @BeforeAll
    static void loadLibrary() throws ReflectiveOperationException
    {
        NativeLibrary.assumeBuilt();
        dispatcher = NativeLibrary.newDispatcher();
    }

    @Test
    void dispatcherAcceptsTheVersionAndAdoptsTheNativeLayout()
    {
        assertEquals(32, dispatcher._getVersion());

        // rdma-core 44 on x86-64; Java's defaults for sockaddr_in (28) and ibv_send_wr (72) are stale.
        assertEquals(16, dispatcher._getSockAddrInSize());
        assertEquals(32, dispatcher._getIbvRecvWRSize());
        assertEquals(128, dispatcher._getIbvSendWRSize());
        assertEquals(16, dispatcher._getIbvSgeSize());
        assertEquals(48, dispatcher._getIbvWCSize());
        assertEquals(40, dispatcher._getRemoteAddressOffset());
        assertEquals(48, dispatcher._getRKeyOffset());

        assertEquals(16, SockAddrIn.CSIZE);
        assertEquals(32, NatIbvRecvWR.CSIZE);
        assertEquals(128, NatIbvSendWR.CSIZE);
        assertEquals(16, NatIbvSge.CSIZE);
        assertEquals(48, IbvWC.CSIZE);
        assertEquals(40, NatIbvSendWR.REMOTEADDR_OFFSET);
        assertEquals(48, NatIbvSendWR.RKEY_OFFSET);
    }

    @Test
    void everyNativeTakingAHandleRefusesANullOne()
    {
        final NativeDispatcher d = dispatcher;

        assertNullHandleThrows("rdma_create_id", () -> d._createId(0, RdmaCm.RDMA_PS_TCP));
        assertNullHandleThrows("rdma_create_qp", () -> d._createQP(0, 0, 0, 0, 2, 1, 1, 0));
        assertNullHandleThrows("rdma_bind_addr", () -> d._bindAddr(0, 0));
        assertNullHandleThrows("rdma_listen", () -> d._listen(0, 1));
        assertNullHandleThrows("rdma_resolve_addr", () -> d._resolveAddr(0, 0, 0, 10));
        assertNullHandleThrows("rdma_resolve_route", () -> d._resolveRoute(0, 10));
        assertNullHandleThrows("rdma_connect", () -> d._connect(0, 7, 7, 0, (byte)0));
        assertNullHandleThrows("rdma_accept", () -> d._accept(0, 7, 7));
        assertNullHandleThrows("ibv_alloc_pd", () -> d._allocPd(0));
        assertNullHandleThrows("ibv_create_comp_channel", () -> d._createCompChannel(0));
        assertNullHandleThrows("ibv_create_cq", () -> d._createCQ(0, 0, 16, 0));
        assertNullHandleThrows("ibv_modify_qp", () -> d._modifyQP(0, 0));
        assertNullHandleThrows("ibv_reg_mr", () -> d._regMr(0, 0, 16, 1, 0, 0, 0));
        assertNullHandleThrows("ibv_dereg_mr", () -> d._deregMr(0));
        assertNullHandleThrows("ibv_post_send", () -> d._postSend(0, 0));
        assertNullHandleThrows("ibv_post_recv", () -> d._postRecv(0, 0));
        assertNullHandleThrows("ibv_get_cq_event", () -> d._getCqEvent(0, 10));
        assertNullHandleThrows("ibv_poll_cq", () -> d._pollCQ(0, 1, 0));
        assertNullHandleThrows("ibv_req_notify_cq", () -> d._reqNotifyCQ(0, 0));
        assertNullHandleThrows("rdma_cm_id.verbs", () -> d._getContext(0));
        assertNullHandleThrows("ibv_qp.qp_num", () -> d._getQpNum(0));
        assertNullHandleThrows("ibv_context.cmd_fd", () -> d._getContextFd(0));
        assertNullHandleThrows("ibv_context.num_comp_vectors", () -> d._getContextNumCompVectors(0));
        assertNullHandleThrows("ibv_pd.handle", () -> d._getPdHandle(0));

        // Teardown calls and the event read never throw: -1 says there was nothing to act on.
        assertEquals(-1, d._getCmEvent(0, 0, 0, 10));
        assertEquals(-1, d._disconnect(0));
        assertEquals(-1, d._destroyEventChannel(0));
        assertEquals(-1, d._destroyCmId(0));
        assertEquals(-1, d._destroyQP(0));
        assertEquals(-1, d._getSrcAddr(0, 0));
        assertEquals(-1, d._getDstAddr(0, 0));
        assertEquals(-1, d._destroyEp(0));
        assertEquals(-1, d._ackCqEvent(0, 1));
        assertEquals(-1, d._destroyCompChannel(0));
        assertEquals(-1, d._deallocPd(0));
        assertEquals(-1, d._destroyCQ(0));

        // No on-demand paging; CM events were acknowledged when read.
        assertEquals(-1, d._queryOdpSupport(0));
        assertEquals(-1, assertNoException(() -> d._expPrefetchMr(0, 0, 0)));
        assertEquals(0, d._ackCmEvent(4));
    }

    @Test
    void anEventChannelWithoutADeviceFailsWithTheCallNamed()
    {
        assumeFalse(Files.exists(Path.of("/dev/infiniband/rdma_cm")),
            "this host has /dev/infiniband/rdma_cm: the failure without a device cannot be seen here");

        final IOException error = assertThrows(IOException.class, RdmaEventChannel::createEventChannel);
        assertTrue(error.getMessage().startsWith("rdma_create_event_channel failed: "), error.getMessage());
    }

    @Test
    void affinityRoundTripsTheCallingThreadsMask() throws Exception
    {
        // On a thread of its own, so a machine with more than 64 CPUs leaves the test thread as it was.
        final long[] masks = CompletableFuture.supplyAsync(
            () ->
            {
                final long before = NativeAffinity.getAffinity();
                NativeAffinity.setAffinity(before);
                return new long[]{ before, NativeAffinity.getAffinity() };
            },
            runnable -> new Thread(runnable, "affinity").start()).get(30, TimeUnit.SECONDS);

        assertNotEquals(0L, masks[0], "the thread may run on no CPU below 64");
        assertEquals(masks[0], masks[1]);
    }

    private static void assertNullHandleThrows(final String call, final Executable invocation)
    {
        final IOException error = assertThrows(IOException.class, invocation, call);
        assertTrue(
            error.getMessage().startsWith(call + ": null handle ("),
            "expected '" + call + ": null handle (...)', got: " + error.getMessage());
    }

    private static int assertNoException(final IntCall call)
    {
        try
        {
            return call.invoke();
        }
        catch (final IOException ex)
        {
            throw new AssertionError("unexpected exception", ex);
        }
    }

    @FunctionalInterface
    private interface IntCall
    {
        int invoke() throws IOException;
    }
}
