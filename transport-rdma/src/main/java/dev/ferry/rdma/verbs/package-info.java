/**
 * The RDMA bulk transport itself, over DiSNI's low-level verbs API (event channel, connection ids,
 * protection domain, memory regions, one completion queue, reliable-connected queue pairs), never its
 * endpoint layer, whose connect can wait forever on an error event.
 * <p>
 * Loaded only through {@code dev.ferry.rdma.RdmaBulkTransportProvider}'s isolating class loader,
 * together with DiSNI, so that DiSNI's {@code System.loadLibrary("disni")} finds Ferry's library.
 * <p>
 * Must never: wait without a deadline, block the I/O agent (every connection-manager call here is
 * asynchronous and polled), call a pull's handler while an RDMA READ may still write into its
 * destination, or start a thread.
 */
package dev.ferry.rdma.verbs;
