package dev.ferry.rdma.nativelib;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.ibm.disni.verbs.IbvCQ;
import com.ibm.disni.verbs.IbvCompChannel;
import com.ibm.disni.verbs.IbvContext;
import com.ibm.disni.verbs.IbvMr;
import com.ibm.disni.verbs.IbvPd;
import com.ibm.disni.verbs.IbvQP;
import com.ibm.disni.verbs.IbvQPInitAttr;
import com.ibm.disni.verbs.IbvSge;
import com.ibm.disni.verbs.IbvWC;
import com.ibm.disni.verbs.RdmaCmId;
import com.ibm.disni.verbs.RdmaConnParam;
import com.ibm.disni.verbs.SVCPollCq;
import com.ibm.disni.verbs.SVCRegMr;

/**
 * One side of a reliable connection at the verbs level: a cm id with its protection domain,
 * completion channel, completion queue, queue pair and registered memory. Closing releases them in
 * the order verbs requires.
 */
final class VerbsPeer implements AutoCloseable
{
    private static final int QUEUE_DEPTH = 16;
    private static final int SLICE_MS = 100;

    final RdmaCmId id;
    final IbvPd pd;
    final IbvCompChannel completionChannel;
    final IbvCQ cq;
    final IbvQP qp;
    private final List<IbvMr> regions = new ArrayList<>();
    private final IbvWC[] completions = { new IbvWC() };
    private final SVCPollCq poll;

    private VerbsPeer(final RdmaCmId id) throws IOException
    {
        this.id = id;
        final IbvContext context = id.getVerbs();
        assertNotNull(context, "the cm id has no device context; it must be bound or resolved to the device's address");
        pd = context.allocPd();
        completionChannel = context.createCompChannel();
        cq = context.createCQ(completionChannel, 4 * QUEUE_DEPTH, 0);

        final IbvQPInitAttr attributes = new IbvQPInitAttr();
        attributes.cap().setMax_send_wr(QUEUE_DEPTH);
        attributes.cap().setMax_recv_wr(QUEUE_DEPTH);
        attributes.cap().setMax_send_sge(1);
        attributes.cap().setMax_recv_sge(1);
        attributes.setSend_cq(cq);
        attributes.setRecv_cq(cq);
        attributes.setQp_type(IbvQP.IBV_QPT_RC);
        qp = id.createQP(pd, attributes);
        poll = cq.poll(completions, 1);
    }

    /**
     * Creates the verbs resources of a cm id that has a device (bound, resolved or requested).
     *
     * @param id the cm id.
     * @return the peer.
     * @throws IOException if a verbs call fails.
     */
    static VerbsPeer create(final RdmaCmId id) throws IOException
    {
        return new VerbsPeer(id);
    }

    /**
     * Connection parameters for soft-RoCE, which drops packets under load: 7 transport retries and
     * 7 receiver-not-ready retries (7 means unlimited).
     *
     * @return the parameters for connect and accept.
     * @throws IOException never in practice; DiSNI's setters declare it.
     */
    static RdmaConnParam connParam() throws IOException
    {
        final RdmaConnParam param = new RdmaConnParam();
        param.setRetry_count((byte)7);
        param.setRnr_retry_count((byte)7);
        return param;
    }

    /**
     * Registers a direct buffer with this peer's protection domain, deregistered on close.
     *
     * @param buffer the memory.
     * @param access IbvMr access flags.
     * @return the memory region.
     * @throws IOException if registration fails.
     */
    IbvMr register(final ByteBuffer buffer, final int access) throws IOException
    {
        final SVCRegMr call = pd.regMr(buffer, access).execute();
        final IbvMr mr = call.getMr();
        call.free();
        regions.add(mr);
        return mr;
    }

    /**
     * Polls the completion queue until one completion arrives or the deadline passes.
     *
     * @return a copy of the completion.
     * @throws IOException if polling fails.
     */
    IbvWC awaitCompletion() throws IOException
    {
        final long deadline = System.nanoTime() + CmEvents.DEADLINE_NS;
        while (deadline - System.nanoTime() > 0)
        {
            if (poll.execute().getPolls() > 0)
            {
                return completions[0].clone();
            }
            Thread.onSpinWait();
        }
        return fail("no work completion within " + TimeUnit.NANOSECONDS.toSeconds(CmEvents.DEADLINE_NS) + " s");
    }

    /**
     * Waits on the completion channel (after {@code reqNotification}) until the completion queue
     * signals, then acknowledges the event.
     *
     * @throws IOException if the channel fails.
     */
    void awaitCompletionEvent() throws IOException
    {
        final long deadline = System.nanoTime() + CmEvents.DEADLINE_NS;
        while (deadline - System.nanoTime() > 0)
        {
            if (completionChannel.getCqEvent(cq, SLICE_MS))
            {
                cq.ackEvents(1);
                return;
            }
        }
        fail("no completion event within " + TimeUnit.NANOSECONDS.toSeconds(CmEvents.DEADLINE_NS) + " s");
    }

    /**
     * One scatter-gather list over a registered region.
     *
     * @param mr     the region.
     * @param length bytes from its start.
     * @return the list.
     */
    static LinkedList<IbvSge> sgList(final IbvMr mr, final int length)
    {
        final IbvSge sge = new IbvSge();
        sge.setAddr(mr.getAddr());
        sge.setLength(length);
        sge.setLkey(mr.getLkey());
        final LinkedList<IbvSge> list = new LinkedList<>();
        list.add(sge);
        return list;
    }

    @Override
    public void close() throws Exception
    {
        poll.free();
        for (final IbvMr mr : regions)
        {
            mr.deregMr().execute().free();
        }
        id.destroyQP();
        cq.destroyCQ();
        completionChannel.destroyCompChannel();
        pd.deallocPd();
        id.destroyId();
    }
}
