/*
 * The RDMA connection-manager natives of com.ibm.disni.verbs.impl.NativeDispatcher, over librdmacm.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include <infiniband/verbs.h>
#include <rdma/rdma_cma.h>

#include "common.h"
#include "jni/com_ibm_disni_verbs_impl_NativeDispatcher.h"

#define CM_ID(handle) HANDLE_TO_PTR(struct rdma_cm_id, handle)
#define EVENT_CHANNEL(handle) HANDLE_TO_PTR(struct rdma_event_channel, handle)

static uint8_t clamp_u8(const int value)
{
    return value < 0 ? 0 : (value > UINT8_MAX ? UINT8_MAX : (uint8_t)value);
}

/*
 * Fills the RDMA READ depths of a connection from the device: the outstanding reads this side
 * may issue (initiator_depth, bounded by max_qp_init_rd_atom, which librdmacm checks it against)
 * and the reads it serves for the peer (responder_resources, bounded by max_qp_rd_atom). Zero
 * would make every RDMA READ fail. Returns 0, or -1 with an exception pending.
 */
static int fill_conn_param(
    JNIEnv *env,
    const char *call,
    struct rdma_cm_id *id,
    const jint retry_count,
    const jint rnr_retry_count,
    struct rdma_conn_param *param)
{
    if (NULL == id->verbs)
    {
        disni_throw_message(env, call, "the cm id has no device context (resolve address and route first)");
        return -1;
    }

    struct ibv_device_attr device;
    const int error = ibv_query_device(id->verbs, &device);
    if (0 != error)
    {
        disni_throw_error(env, "ibv_query_device", error);
        return -1;
    }

    memset(param, 0, sizeof(*param));
    param->initiator_depth = clamp_u8(device.max_qp_init_rd_atom);
    param->responder_resources = clamp_u8(device.max_qp_rd_atom);
    param->retry_count = clamp_u8(retry_count);
    param->rnr_retry_count = clamp_u8(rnr_retry_count);
    return 0;
}

JNIEXPORT jlong JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1createEventChannel(JNIEnv *env, jobject self)
{
    (void)self;
    struct rdma_event_channel *channel = rdma_create_event_channel();
    if (NULL == channel)
    {
        disni_throw_error(env, "rdma_create_event_channel", errno);
        return -1;
    }

    const int error = disni_set_nonblocking(channel->fd);
    if (0 != error)
    {
        rdma_destroy_event_channel(channel);
        disni_throw_error(env, "fcntl(O_NONBLOCK) on the rdma event channel", error);
        return -1;
    }
    return PTR_TO_HANDLE(channel);
}

JNIEXPORT jlong JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1createId(
    JNIEnv *env, jobject self, jlong channel_handle, jshort port_space)
{
    (void)self;
    /* DiSNI only creates reliable-connected ids; the port space it passes is not used. */
    (void)port_space;
    struct rdma_event_channel *channel = EVENT_CHANNEL(channel_handle);
    if (NULL == channel)
    {
        disni_throw_null_handle(env, "rdma_create_id", "event channel");
        return -1;
    }

    struct rdma_cm_id *id = NULL;
    if (0 != rdma_create_id(channel, &id, NULL, RDMA_PS_TCP))
    {
        disni_throw_error(env, "rdma_create_id", errno);
        return -1;
    }
    return PTR_TO_HANDLE(id);
}

JNIEXPORT jlong JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1createQP(
    JNIEnv *env,
    jobject self,
    jlong id_handle,
    jlong pd_handle,
    jlong send_cq_handle,
    jlong recv_cq_handle,
    jint qp_type,
    jint max_send_wr,
    jint max_recv_wr,
    jint max_inline)
{
    (void)self;
    struct rdma_cm_id *id = CM_ID(id_handle);
    struct ibv_pd *pd = HANDLE_TO_PTR(struct ibv_pd, pd_handle);
    struct ibv_cq *send_cq = HANDLE_TO_PTR(struct ibv_cq, send_cq_handle);
    struct ibv_cq *recv_cq = HANDLE_TO_PTR(struct ibv_cq, recv_cq_handle);
    if (NULL == id)
    {
        disni_throw_null_handle(env, "rdma_create_qp", "cm id");
        return -1;
    }
    if (NULL == pd)
    {
        disni_throw_null_handle(env, "rdma_create_qp", "protection domain");
        return -1;
    }
    if (NULL == send_cq || NULL == recv_cq)
    {
        disni_throw_null_handle(env, "rdma_create_qp", NULL == send_cq ? "send completion queue" : "receive completion queue");
        return -1;
    }
    if (max_send_wr < 0 || max_recv_wr < 0 || max_inline < 0)
    {
        disni_throw_message(env, "rdma_create_qp", "negative queue capacity (max_send_wr, max_recv_wr or max_inline_data)");
        return -1;
    }

    struct ibv_qp_init_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.send_cq = send_cq;
    attr.recv_cq = recv_cq;
    attr.qp_type = (enum ibv_qp_type)qp_type;
    attr.cap.max_send_wr = (uint32_t)max_send_wr;
    attr.cap.max_recv_wr = (uint32_t)max_recv_wr;
    attr.cap.max_send_sge = 4;
    attr.cap.max_recv_sge = 4;
    attr.cap.max_inline_data = (uint32_t)max_inline;
    attr.sq_sig_all = 0;

    if (0 != rdma_create_qp(id, pd, &attr))
    {
        disni_throw_error(env, "rdma_create_qp", errno);
        return -1;
    }
    return PTR_TO_HANDLE(id->qp);
}

JNIEXPORT void JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1bindAddr(
    JNIEnv *env, jobject self, jlong id_handle, jlong address)
{
    (void)self;
    struct rdma_cm_id *id = CM_ID(id_handle);
    if (NULL == id)
    {
        disni_throw_null_handle(env, "rdma_bind_addr", "cm id");
        return;
    }
    if (0 == address)
    {
        disni_throw_null_handle(env, "rdma_bind_addr", "socket address");
        return;
    }
    if (0 != rdma_bind_addr(id, HANDLE_TO_PTR(struct sockaddr, address)))
    {
        disni_throw_error(env, "rdma_bind_addr", errno);
    }
}

JNIEXPORT void JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1listen(
    JNIEnv *env, jobject self, jlong id_handle, jint backlog)
{
    (void)self;
    struct rdma_cm_id *id = CM_ID(id_handle);
    if (NULL == id)
    {
        disni_throw_null_handle(env, "rdma_listen", "cm id");
        return;
    }
    if (0 != rdma_listen(id, backlog))
    {
        disni_throw_error(env, "rdma_listen", errno);
    }
}

JNIEXPORT void JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1resolveAddr(
    JNIEnv *env, jobject self, jlong id_handle, jlong source, jlong destination, jint timeout_ms)
{
    (void)self;
    /* DiSNI always passes 0: the source is chosen by routing to the destination. */
    (void)source;
    struct rdma_cm_id *id = CM_ID(id_handle);
    if (NULL == id)
    {
        disni_throw_null_handle(env, "rdma_resolve_addr", "cm id");
        return;
    }
    if (0 == destination)
    {
        disni_throw_null_handle(env, "rdma_resolve_addr", "destination address");
        return;
    }
    if (0 != rdma_resolve_addr(id, NULL, HANDLE_TO_PTR(struct sockaddr, destination), timeout_ms))
    {
        disni_throw_error(env, "rdma_resolve_addr", errno);
    }
}

JNIEXPORT void JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1resolveRoute(
    JNIEnv *env, jobject self, jlong id_handle, jint timeout_ms)
{
    (void)self;
    struct rdma_cm_id *id = CM_ID(id_handle);
    if (NULL == id)
    {
        disni_throw_null_handle(env, "rdma_resolve_route", "cm id");
        return;
    }
    if (0 != rdma_resolve_route(id, timeout_ms))
    {
        disni_throw_error(env, "rdma_resolve_route", errno);
    }
}

static void write_id(const jlong address, const struct rdma_cm_id *id)
{
    const jlong value = NULL == id ? -1 : PTR_TO_HANDLE(id);
    memcpy(HANDLE_TO_PTR(void, address), &value, sizeof(value));
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1getCmEvent(
    JNIEnv *env, jobject self, jlong channel_handle, jlong listen_id_out, jlong client_id_out, jint timeout_ms)
{
    (void)env;
    (void)self;
    struct rdma_event_channel *channel = EVENT_CHANNEL(channel_handle);
    if (NULL == channel || 0 == listen_id_out || 0 == client_id_out)
    {
        return -1;
    }
    if (disni_await_readable(channel->fd, timeout_ms) <= 0)
    {
        return -1;
    }

    /* The fd is non-blocking: a concurrent reader that took the event leaves EAGAIN here. */
    struct rdma_cm_event *event = NULL;
    if (0 != rdma_get_cm_event(channel, &event))
    {
        return -1;
    }
    const jint type = (jint)event->event;
    write_id(listen_id_out, event->listen_id);
    write_id(client_id_out, event->id);
    /* Acknowledged at once, so rdma_destroy_id never waits for an event Java forgot to ack. */
    rdma_ack_cm_event(event);
    return type;
}

JNIEXPORT void JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1connect(
    JNIEnv *env,
    jobject self,
    jlong id_handle,
    jint retry_count,
    jint rnr_retry_count,
    jlong private_data,
    jbyte private_data_length)
{
    (void)self;
    struct rdma_cm_id *id = CM_ID(id_handle);
    if (NULL == id)
    {
        disni_throw_null_handle(env, "rdma_connect", "cm id");
        return;
    }

    struct rdma_conn_param param;
    if (0 != fill_conn_param(env, "rdma_connect", id, retry_count, rnr_retry_count, &param))
    {
        return;
    }
    if (0 != private_data && 0 != private_data_length)
    {
        /* librdmacm copies the private data into its command; the Java buffer is not kept. */
        param.private_data = HANDLE_TO_PTR(const void, private_data);
        param.private_data_len = (uint8_t)private_data_length;
    }
    if (0 != rdma_connect(id, &param))
    {
        disni_throw_error(env, "rdma_connect", errno);
    }
}

JNIEXPORT void JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1accept(
    JNIEnv *env, jobject self, jlong id_handle, jint retry_count, jint rnr_retry_count)
{
    (void)self;
    struct rdma_cm_id *id = CM_ID(id_handle);
    if (NULL == id)
    {
        disni_throw_null_handle(env, "rdma_accept", "cm id");
        return;
    }

    struct rdma_conn_param param;
    if (0 != fill_conn_param(env, "rdma_accept", id, retry_count, rnr_retry_count, &param))
    {
        return;
    }
    if (0 != rdma_accept(id, &param))
    {
        disni_throw_error(env, "rdma_accept", errno);
    }
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1ackCmEvent(JNIEnv *env, jobject self, jint type)
{
    (void)env;
    (void)self;
    (void)type;
    /* _getCmEvent acknowledged the event already. */
    return 0;
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1disconnect(JNIEnv *env, jobject self, jlong id_handle)
{
    (void)env;
    (void)self;
    struct rdma_cm_id *id = CM_ID(id_handle);
    return NULL == id ? -1 : rdma_disconnect(id);
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1destroyEventChannel(
    JNIEnv *env, jobject self, jlong channel_handle)
{
    (void)env;
    (void)self;
    struct rdma_event_channel *channel = EVENT_CHANNEL(channel_handle);
    if (NULL == channel)
    {
        return -1;
    }
    rdma_destroy_event_channel(channel);
    return 0;
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1destroyCmId(JNIEnv *env, jobject self, jlong id_handle)
{
    (void)env;
    (void)self;
    struct rdma_cm_id *id = CM_ID(id_handle);
    return NULL == id ? -1 : rdma_destroy_id(id);
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1destroyQP(JNIEnv *env, jobject self, jlong id_handle)
{
    (void)env;
    (void)self;
    struct rdma_cm_id *id = CM_ID(id_handle);
    if (NULL == id || NULL == id->qp)
    {
        return -1;
    }
    rdma_destroy_qp(id);
    return 0;
}

/* Copies an IPv4 socket address (the only family DiSNI decodes) to out; -1 for anything else. */
static jint copy_ipv4_address(const struct sockaddr *address, const jlong out)
{
    if (NULL == address || AF_INET != address->sa_family || 0 == out)
    {
        return -1;
    }
    memcpy(HANDLE_TO_PTR(void, out), address, sizeof(struct sockaddr_in));
    return 0;
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1getSrcAddr(
    JNIEnv *env, jobject self, jlong id_handle, jlong out)
{
    (void)env;
    (void)self;
    struct rdma_cm_id *id = CM_ID(id_handle);
    return NULL == id ? -1 : copy_ipv4_address(rdma_get_local_addr(id), out);
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1getDstAddr(
    JNIEnv *env, jobject self, jlong id_handle, jlong out)
{
    (void)env;
    (void)self;
    struct rdma_cm_id *id = CM_ID(id_handle);
    return NULL == id ? -1 : copy_ipv4_address(rdma_get_peer_addr(id), out);
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1destroyEp(JNIEnv *env, jobject self, jlong id_handle)
{
    (void)env;
    (void)self;
    struct rdma_cm_id *id = CM_ID(id_handle);
    if (NULL == id)
    {
        return -1;
    }
    rdma_destroy_ep(id);
    return 0;
}

JNIEXPORT jlong JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1getContext(JNIEnv *env, jobject self, jlong id_handle)
{
    (void)self;
    struct rdma_cm_id *id = CM_ID(id_handle);
    if (NULL == id)
    {
        disni_throw_null_handle(env, "rdma_cm_id.verbs", "cm id");
        return -1;
    }
    /* An id bound to the wildcard or loopback address has no device: Java sees "no context". */
    return NULL == id->verbs ? -1 : PTR_TO_HANDLE(id->verbs);
}
