/*
 * The JNI version and the struct sizes and offsets DiSNI's NativeDispatcher asks for when it is
 * constructed; a value that differs from Java's default replaces it.
 *
 * DiSNI asks only for these seven. Every other field offset it writes or reads is fixed in its
 * Java code, so the assertions below stop the build if the headers ever disagree with it.
 */
#include <stddef.h>
#include <netinet/in.h>

#include <infiniband/verbs.h>

#include "common.h"
#include "jni/com_ibm_disni_verbs_impl_NativeDispatcher.h"

/* NatIbvSendWR.writeBack: the header of ibv_send_wr up to the rdma union. */
_Static_assert(offsetof(struct ibv_send_wr, wr_id) == 0, "ibv_send_wr.wr_id");
_Static_assert(offsetof(struct ibv_send_wr, next) == 8, "ibv_send_wr.next");
_Static_assert(offsetof(struct ibv_send_wr, sg_list) == 16, "ibv_send_wr.sg_list");
_Static_assert(offsetof(struct ibv_send_wr, num_sge) == 24, "ibv_send_wr.num_sge");
_Static_assert(offsetof(struct ibv_send_wr, opcode) == 28, "ibv_send_wr.opcode");
_Static_assert(offsetof(struct ibv_send_wr, send_flags) == 32, "ibv_send_wr.send_flags");
_Static_assert(offsetof(struct ibv_send_wr, imm_data) == 36, "ibv_send_wr.imm_data");
_Static_assert(
    offsetof(struct ibv_send_wr, wr.rdma.rkey) == offsetof(struct ibv_send_wr, wr.rdma.remote_addr) + 8,
    "ibv_send_wr: DiSNI writes rkey right after remote_addr");

/* NatIbvRecvWR.writeBack. */
_Static_assert(offsetof(struct ibv_recv_wr, wr_id) == 0, "ibv_recv_wr.wr_id");
_Static_assert(offsetof(struct ibv_recv_wr, next) == 8, "ibv_recv_wr.next");
_Static_assert(offsetof(struct ibv_recv_wr, sg_list) == 16, "ibv_recv_wr.sg_list");
_Static_assert(offsetof(struct ibv_recv_wr, num_sge) == 24, "ibv_recv_wr.num_sge");

/* NatIbvSge.writeBack. */
_Static_assert(offsetof(struct ibv_sge, addr) == 0, "ibv_sge.addr");
_Static_assert(offsetof(struct ibv_sge, length) == 8, "ibv_sge.length");
_Static_assert(offsetof(struct ibv_sge, lkey) == 12, "ibv_sge.lkey");

/* NatPollCqCall.update reads the work completion field by field. */
_Static_assert(offsetof(struct ibv_wc, wr_id) == 0, "ibv_wc.wr_id");
_Static_assert(offsetof(struct ibv_wc, status) == 8, "ibv_wc.status");
_Static_assert(offsetof(struct ibv_wc, opcode) == 12, "ibv_wc.opcode");
_Static_assert(offsetof(struct ibv_wc, vendor_err) == 16, "ibv_wc.vendor_err");
_Static_assert(offsetof(struct ibv_wc, byte_len) == 20, "ibv_wc.byte_len");
_Static_assert(offsetof(struct ibv_wc, imm_data) == 24, "ibv_wc.imm_data");
_Static_assert(offsetof(struct ibv_wc, qp_num) == 28, "ibv_wc.qp_num");
_Static_assert(offsetof(struct ibv_wc, src_qp) == 32, "ibv_wc.src_qp");
_Static_assert(offsetof(struct ibv_wc, wc_flags) == 36, "ibv_wc.wc_flags");
_Static_assert(offsetof(struct ibv_wc, pkey_index) == 40, "ibv_wc.pkey_index");
_Static_assert(offsetof(struct ibv_wc, slid) == 42, "ibv_wc.slid");
_Static_assert(offsetof(struct ibv_wc, sl) == 44, "ibv_wc.sl");
_Static_assert(offsetof(struct ibv_wc, dlid_path_bits) == 45, "ibv_wc.dlid_path_bits");

/* SockAddrIn.writeBack: family (host order), port and address (network order). */
_Static_assert(offsetof(struct sockaddr_in, sin_family) == 0, "sockaddr_in.sin_family");
_Static_assert(offsetof(struct sockaddr_in, sin_port) == 2, "sockaddr_in.sin_port");
_Static_assert(offsetof(struct sockaddr_in, sin_addr) == 4, "sockaddr_in.sin_addr");

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1getSockAddrInSize(JNIEnv *env, jobject self)
{
    (void)env;
    (void)self;
    return (jint)sizeof(struct sockaddr_in);
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1getIbvRecvWRSize(JNIEnv *env, jobject self)
{
    (void)env;
    (void)self;
    return (jint)sizeof(struct ibv_recv_wr);
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1getIbvSendWRSize(JNIEnv *env, jobject self)
{
    (void)env;
    (void)self;
    return (jint)sizeof(struct ibv_send_wr);
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1getIbvSgeSize(JNIEnv *env, jobject self)
{
    (void)env;
    (void)self;
    return (jint)sizeof(struct ibv_sge);
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1getIbvWCSize(JNIEnv *env, jobject self)
{
    (void)env;
    (void)self;
    return (jint)sizeof(struct ibv_wc);
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1getRemoteAddressOffset(JNIEnv *env, jobject self)
{
    (void)env;
    (void)self;
    return (jint)offsetof(struct ibv_send_wr, wr.rdma.remote_addr);
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1getRKeyOffset(JNIEnv *env, jobject self)
{
    (void)env;
    (void)self;
    return (jint)offsetof(struct ibv_send_wr, wr.rdma.rkey);
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1getVersion(JNIEnv *env, jobject self)
{
    (void)env;
    (void)self;
    return DISNI_JNI_VERSION;
}
