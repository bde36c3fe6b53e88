/*
 * The verbs natives of com.ibm.disni.verbs.impl.NativeDispatcher, over libibverbs, and the
 * field reads of verbs objects.
 */
#include <errno.h>

#include <infiniband/verbs.h>

#include "common.h"
#include "jni/com_ibm_disni_verbs_impl_NativeDispatcher.h"

#define CONTEXT(handle) HANDLE_TO_PTR(struct ibv_context, handle)
#define PD(handle) HANDLE_TO_PTR(struct ibv_pd, handle)
#define CQ(handle) HANDLE_TO_PTR(struct ibv_cq, handle)
#define QP(handle) HANDLE_TO_PTR(struct ibv_qp, handle)
#define COMP_CHANNEL(handle) HANDLE_TO_PTR(struct ibv_comp_channel, handle)

JNIEXPORT jlong JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1allocPd(JNIEnv *env, jobject self, jlong context_handle)
{
    (void)self;
    struct ibv_context *context = CONTEXT(context_handle);
    if (NULL == context)
    {
        disni_throw_null_handle(env, "ibv_alloc_pd", "device context");
        return -1;
    }
    struct ibv_pd *pd = ibv_alloc_pd(context);
    if (NULL == pd)
    {
        disni_throw_error(env, "ibv_alloc_pd", errno);
        return -1;
    }
    return PTR_TO_HANDLE(pd);
}

JNIEXPORT jlong JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1createCompChannel(
    JNIEnv *env, jobject self, jlong context_handle)
{
    (void)self;
    struct ibv_context *context = CONTEXT(context_handle);
    if (NULL == context)
    {
        disni_throw_null_handle(env, "ibv_create_comp_channel", "device context");
        return -1;
    }
    struct ibv_comp_channel *channel = ibv_create_comp_channel(context);
    if (NULL == channel)
    {
        disni_throw_error(env, "ibv_create_comp_channel", errno);
        return -1;
    }

    const int error = disni_set_nonblocking(channel->fd);
    if (0 != error)
    {
        ibv_destroy_comp_channel(channel);
        disni_throw_error(env, "fcntl(O_NONBLOCK) on the completion channel", error);
        return -1;
    }
    return PTR_TO_HANDLE(channel);
}

JNIEXPORT jlong JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1createCQ(
    JNIEnv *env, jobject self, jlong context_handle, jlong channel_handle, jint entries, jint vector)
{
    (void)self;
    struct ibv_context *context = CONTEXT(context_handle);
    struct ibv_comp_channel *channel = COMP_CHANNEL(channel_handle);
    if (NULL == context)
    {
        disni_throw_null_handle(env, "ibv_create_cq", "device context");
        return -1;
    }
    if (NULL == channel)
    {
        disni_throw_null_handle(env, "ibv_create_cq", "completion channel");
        return -1;
    }
    struct ibv_cq *cq = ibv_create_cq(context, entries, NULL, channel, vector);
    if (NULL == cq)
    {
        disni_throw_error(env, "ibv_create_cq", errno);
        return -1;
    }
    return PTR_TO_HANDLE(cq);
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1modifyQP(
    JNIEnv *env, jobject self, jlong qp_handle, jlong attributes)
{
    (void)self;
    /* DiSNI passes no attributes; librdmacm moves the queue pair through its states. */
    (void)attributes;
    if (NULL == QP(qp_handle))
    {
        disni_throw_null_handle(env, "ibv_modify_qp", "queue pair");
        return -1;
    }
    return 0;
}

JNIEXPORT jlong JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1regMr(
    JNIEnv *env,
    jobject self,
    jlong pd_handle,
    jlong address,
    jint length,
    jint access,
    jlong lkey_out,
    jlong rkey_out,
    jlong handle_out)
{
    (void)self;
    struct ibv_pd *pd = PD(pd_handle);
    if (NULL == pd)
    {
        disni_throw_null_handle(env, "ibv_reg_mr", "protection domain");
        return -1;
    }
    if (0 == lkey_out || 0 == rkey_out || 0 == handle_out)
    {
        disni_throw_null_handle(env, "ibv_reg_mr", "key output address");
        return -1;
    }
    if (length < 0)
    {
        disni_throw_message(env, "ibv_reg_mr", "negative length");
        return -1;
    }

    struct ibv_mr *mr = ibv_reg_mr(pd, HANDLE_TO_PTR(void, address), (size_t)length, access);
    if (NULL == mr)
    {
        disni_throw_error(env, "ibv_reg_mr", errno);
        return -1;
    }
    *HANDLE_TO_PTR(uint32_t, lkey_out) = mr->lkey;
    *HANDLE_TO_PTR(uint32_t, rkey_out) = mr->rkey;
    *HANDLE_TO_PTR(uint32_t, handle_out) = mr->handle;
    return PTR_TO_HANDLE(mr);
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1queryOdpSupport(
    JNIEnv *env, jobject self, jlong context_handle)
{
    (void)env;
    (void)self;
    (void)context_handle;
    /* On-demand paging was an experimental-verbs feature plain rdma-core does not offer here. */
    return -1;
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1expPrefetchMr(
    JNIEnv *env, jobject self, jlong mr_handle, jlong address, jint length)
{
    (void)env;
    (void)self;
    (void)mr_handle;
    (void)address;
    (void)length;
    /* Prefetch belongs to on-demand paging, which is not offered (see _queryOdpSupport). */
    return -1;
}

JNIEXPORT void JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1deregMr(JNIEnv *env, jobject self, jlong mr_handle)
{
    (void)self;
    struct ibv_mr *mr = HANDLE_TO_PTR(struct ibv_mr, mr_handle);
    if (NULL == mr)
    {
        disni_throw_null_handle(env, "ibv_dereg_mr", "memory region");
        return;
    }
    const int error = ibv_dereg_mr(mr);
    if (0 != error)
    {
        disni_throw_error(env, "ibv_dereg_mr", error);
    }
}

/*
 * The work-request lists are the C structs Java laid out (next and sg_list are absolute
 * addresses); they are handed to the provider as they are and are not written.
 */
JNIEXPORT void JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1postSend(
    JNIEnv *env, jobject self, jlong qp_handle, jlong work_requests)
{
    (void)self;
    struct ibv_qp *qp = QP(qp_handle);
    if (NULL == qp)
    {
        disni_throw_null_handle(env, "ibv_post_send", "queue pair");
        return;
    }
    if (0 == work_requests)
    {
        disni_throw_null_handle(env, "ibv_post_send", "work request list");
        return;
    }
    struct ibv_send_wr *bad = NULL;
    const int error = ibv_post_send(qp, HANDLE_TO_PTR(struct ibv_send_wr, work_requests), &bad);
    if (0 != error)
    {
        disni_throw_error(env, "ibv_post_send", error);
    }
}

JNIEXPORT void JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1postRecv(
    JNIEnv *env, jobject self, jlong qp_handle, jlong work_requests)
{
    (void)self;
    struct ibv_qp *qp = QP(qp_handle);
    if (NULL == qp)
    {
        disni_throw_null_handle(env, "ibv_post_recv", "queue pair");
        return;
    }
    if (0 == work_requests)
    {
        disni_throw_null_handle(env, "ibv_post_recv", "work request list");
        return;
    }
    struct ibv_recv_wr *bad = NULL;
    const int error = ibv_post_recv(qp, HANDLE_TO_PTR(struct ibv_recv_wr, work_requests), &bad);
    if (0 != error)
    {
        disni_throw_error(env, "ibv_post_recv", error);
    }
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1getCqEvent(
    JNIEnv *env, jobject self, jlong channel_handle, jint timeout_ms)
{
    (void)self;
    struct ibv_comp_channel *channel = COMP_CHANNEL(channel_handle);
    if (NULL == channel)
    {
        disni_throw_null_handle(env, "ibv_get_cq_event", "completion channel");
        return -1;
    }

    const int ready = disni_await_readable(channel->fd, timeout_ms);
    if (ready < 0)
    {
        disni_throw_error(env, "poll on the completion channel", errno);
        return -1;
    }
    if (0 == ready)
    {
        return -1;
    }

    /* Acknowledged by Java through _ackCqEvent, as the verbs API expects. */
    struct ibv_cq *cq = NULL;
    void *cq_context = NULL;
    if (0 != ibv_get_cq_event(channel, &cq, &cq_context))
    {
        /* The fd is non-blocking: another reader that took the event leaves EAGAIN. */
        if (EAGAIN == errno || EWOULDBLOCK == errno)
        {
            return -1;
        }
        disni_throw_error(env, "ibv_get_cq_event", errno);
        return -1;
    }
    return 0;
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1pollCQ(
    JNIEnv *env, jobject self, jlong cq_handle, jint entries, jlong completions)
{
    (void)self;
    struct ibv_cq *cq = CQ(cq_handle);
    if (NULL == cq)
    {
        disni_throw_null_handle(env, "ibv_poll_cq", "completion queue");
        return -1;
    }
    if (0 == completions)
    {
        disni_throw_null_handle(env, "ibv_poll_cq", "work completion array");
        return -1;
    }
    return ibv_poll_cq(cq, entries, HANDLE_TO_PTR(struct ibv_wc, completions));
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1reqNotifyCQ(
    JNIEnv *env, jobject self, jlong cq_handle, jint solicited_only)
{
    (void)self;
    struct ibv_cq *cq = CQ(cq_handle);
    if (NULL == cq)
    {
        disni_throw_null_handle(env, "ibv_req_notify_cq", "completion queue");
        return -1;
    }
    return ibv_req_notify_cq(cq, solicited_only);
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1ackCqEvent(
    JNIEnv *env, jobject self, jlong cq_handle, jint events)
{
    (void)env;
    (void)self;
    struct ibv_cq *cq = CQ(cq_handle);
    if (NULL == cq || events < 0)
    {
        return -1;
    }
    ibv_ack_cq_events(cq, (unsigned int)events);
    return 0;
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1destroyCompChannel(
    JNIEnv *env, jobject self, jlong channel_handle)
{
    (void)env;
    (void)self;
    struct ibv_comp_channel *channel = COMP_CHANNEL(channel_handle);
    return NULL == channel ? -1 : ibv_destroy_comp_channel(channel);
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1deallocPd(JNIEnv *env, jobject self, jlong pd_handle)
{
    (void)env;
    (void)self;
    struct ibv_pd *pd = PD(pd_handle);
    return NULL == pd ? -1 : ibv_dealloc_pd(pd);
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1destroyCQ(JNIEnv *env, jobject self, jlong cq_handle)
{
    (void)env;
    (void)self;
    struct ibv_cq *cq = CQ(cq_handle);
    return NULL == cq ? -1 : ibv_destroy_cq(cq);
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1getQpNum(JNIEnv *env, jobject self, jlong qp_handle)
{
    (void)self;
    struct ibv_qp *qp = QP(qp_handle);
    if (NULL == qp)
    {
        disni_throw_null_handle(env, "ibv_qp.qp_num", "queue pair");
        return -1;
    }
    return (jint)qp->qp_num;
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1getContextFd(
    JNIEnv *env, jobject self, jlong context_handle)
{
    (void)self;
    struct ibv_context *context = CONTEXT(context_handle);
    if (NULL == context)
    {
        disni_throw_null_handle(env, "ibv_context.cmd_fd", "device context");
        return -1;
    }
    return context->cmd_fd;
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1getContextNumCompVectors(
    JNIEnv *env, jobject self, jlong context_handle)
{
    (void)self;
    struct ibv_context *context = CONTEXT(context_handle);
    if (NULL == context)
    {
        disni_throw_null_handle(env, "ibv_context.num_comp_vectors", "device context");
        return -1;
    }
    return context->num_comp_vectors;
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1getPdHandle(JNIEnv *env, jobject self, jlong pd_handle)
{
    (void)self;
    struct ibv_pd *pd = PD(pd_handle);
    if (NULL == pd)
    {
        disni_throw_null_handle(env, "ibv_pd.handle", "protection domain");
        return -1;
    }
    return (jint)pd->handle;
}
