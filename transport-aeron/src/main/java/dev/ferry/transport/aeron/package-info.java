/**
 * Ferry's control plane over Aeron: the {@link dev.ferry.channel.MessageTransport} SPI on Aeron
 * publications and subscriptions, found by {@link java.util.ServiceLoader} through
 * {@link dev.ferry.transport.aeron.AeronMessageTransportProvider}.
 * <p>
 * <b>Addresses.</b> Strings, parsed strictly (a malformed one is a {@link dev.ferry.FerryException}
 * that says which forms are accepted):
 * <pre>
 *   address         Aeron channel                       stream id        where
 *   host:port       aeron:udp?endpoint=host:port        0x0FE1           between processes and hosts
 *   [::1]:port      aeron:udp?endpoint=[::1]:port       0x0FE1           IPv6 addresses in brackets
 *   ipc             aeron:ipc                           0x0FE1           processes sharing one media driver
 *   ipc:stream      aeron:ipc                           stream           a reply channel over IPC
 * </pre>
 * {@code listen("host:0")} binds any free port. {@code listenForReplies(host)} listens on
 * {@code host:0} and its {@code address()} is {@code host:port} with the port the driver bound (as
 * the caller spelled the host, so a name stays a name for the peer to resolve);
 * {@code listenForReplies("ipc")} listens on IPC with a random stream id, its address
 * {@code ipc:<stream id>}. {@code connect} takes any of the forms but port 0.
 * <p>
 * <b>Senders.</b> Each {@code connect} is an Aeron {@link io.aeron.ExclusivePublication}, so a
 * sender of its own with its own session id at the receiver, even to a peer this process already
 * sends to. An inbound channel is one subscription whose images (one per sender) it polls one by
 * one, skipping paused ones; messages longer than one frame are reassembled per image.
 * The listener hears of a sender through Aeron's image handlers, but from {@code doWork()}, not from
 * inside Aeron's callbacks (where Aeron forbids opening or closing channels), and before the first
 * of that sender's messages is polled. A sender that closes is seen disconnecting once its last
 * message is taken (for a paused sender: once resumed and drained); one that goes silent, after the
 * driver's image liveness timeout (10 s by default). An IPC receiver that joins a stream may first
 * be given messages a receiver before it took, if the driver had not yet seen how far that one got:
 * the session layer must drop such repeats (by producer id and batch sequence, as DESIGN asks).
 * <p>
 * <b>Media driver.</b> Embedded by default: one per transport, in an owned directory under Ferry's
 * shared-memory root ({@code aeron-<pid>-<n>/driver}), removed on close and reclaimed by
 * {@link dev.ferry.shm.ShmDirectory} if the process dies. It runs on one shared thread that backs
 * off to 1 ms sleeps when idle (machines running many Ferry processes on few cores must not have
 * each spin a core), with 8 MiB term buffers (messages of up to 1 MiB; system property
 * {@code ferry.aeron.term.buffer.length}). Its liveness timeouts are Aeron's own settings, read from
 * Aeron's system properties: {@code aeron.client.liveness.timeout} (10 s: the longest an I/O agent may
 * go without calling {@code doWork()} before the driver takes it for dead), {@code aeron.image.liveness.timeout}
 * (10 s) and {@code aeron.publication.unblock.timeout} (15 s, which Aeron requires to exceed the client
 * liveness timeout); the soft-RoCE rig's end-to-end test raises them, because emulation stalls processes
 * for longer than real machines do. An external driver, named by its directory, is used as
 * it is configured; if none answers within the driver timeout ({@code ferry.aeron.driver.timeout},
 * 10 s) the transport fails saying so.
 * <p>
 * <b>Threads.</b> The Aeron client has no thread of its own (it runs on an
 * {@link org.agrona.concurrent.AgentInvoker}): {@code doWork()} runs its duty cycle on the I/O agent,
 * so every image handler, listener call and channel is touched by that one thread. Opening a
 * channel waits for the driver's answer (well under a millisecond normally, at most the driver
 * timeout); closing one does not wait; offering and polling never wait and allocate nothing.
 * Aeron's errors are logged through SLF4J; an exception thrown by a message handler propagates out
 * of {@code poll}.
 * <p>
 * Must never: be used from a thread other than the owning I/O agent's, block in offer or poll,
 * print to the console, or leave a media driver's files behind.
 */
package dev.ferry.transport.aeron;
