package dev.ferry.channel;

/**
 * The control plane: ordered, reliable message streams between Ferry processes (Aeron).
 * Core depends on this interface only; the implementation is found with
 * {@link java.util.ServiceLoader} through {@link MessageTransportProvider}.
 * <p>
 * <b>Addresses.</b> A server listens on an endpoint {@code host:port} (UDP between processes and
 * hosts) or {@code ipc} (processes that share one media driver). A client opens its own inbound
 * channel with {@link #listenForReplies(String, ConnectionListener)}, tells the server its
 * {@link Inbound#address()}, and the server {@link #connect(String) connects} back to it.
 * <p>
 * <b>Threads.</b> Owned by one I/O agent: every method is called on that agent's thread, which
 * also calls {@link #doWork()} in its duty cycle.
 */
public interface MessageTransport extends AutoCloseable
{
    /**
     * Receive the messages sent to an endpoint.
     *
     * @param endpoint {@code host:port}, or {@code ipc}.
     * @param listener told when senders connect and disconnect.
     * @return the inbound channel.
     * @throws dev.ferry.FerryException naming the endpoint if it cannot be bound.
     */
    Inbound listen(String endpoint, ConnectionListener listener);

    /**
     * Open an inbound channel for replies, on an address chosen by the transport.
     *
     * @param host the local host name or address peers reach this process by, or {@code ipc} for a
     *             reply channel through a media driver shared with the peer.
     * @param listener told when senders connect and disconnect.
     * @return the inbound channel; its {@link Inbound#address()} is what to give peers.
     */
    Inbound listenForReplies(String host, ConnectionListener listener);

    /**
     * Open an outbound channel.
     *
     * @param address an endpoint a peer listens on, or a peer's reply address.
     * @return the outbound channel, connected once the peer's inbound channel sees it.
     */
    Outbound connect(String address);

    /**
     * Do the transport's own work (the Aeron client's conductor duty cycle).
     *
     * @return work done, 0 if none.
     */
    int doWork();

    /**
     * Close every channel and release the transport's resources, the media driver if embedded.
     */
    void close();
}
