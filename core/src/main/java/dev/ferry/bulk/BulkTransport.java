package dev.ferry.bulk;

import dev.ferry.event.DataView;

/**
 * Moves event data from a peer's registered memory into local memory, without the message path:
 * the receiving side pulls. Implementations: shared memory on one host, RDMA READ across hosts.
 * <p>
 * <b>Roles.</b> An owner {@link #register(Region) registers} its regions (pool slabs, log segments)
 * and sends each {@link RegionDescriptor} to its peers over the control plane. A puller
 * {@link #attach(PeerInfo, RegionDescriptor) attaches} what it receives, then
 * {@link #pull pulls} ranges named by {@link DataDescriptor}s. Every descriptor is checked against
 * the attached region before a byte is read.
 * <p>
 * <b>Threads.</b> A transport is owned by one I/O agent: every method but {@link #register(Region)} and
 * {@link #deregister(Region)} is called on that agent's thread, and pulls complete from
 * {@link #doWork()}, which the agent calls in its duty cycle. Registering memory can take
 * milliseconds (RDMA pins it), so those two may be called from any thread, concurrently with the
 * agent: implementations make them thread-safe without slowing the agent's pulls.
 */
public interface BulkTransport extends AutoCloseable
{
    /**
     * @return the transport's name, as in {@code --transport NAME}: {@code shm}, {@code rdma}.
     */
    String name();

    /**
     * @param peer a peer process.
     * @return true if this transport can move data from that peer.
     */
    boolean reachable(PeerInfo peer);

    /**
     * Expose a local region to peers, and make it a valid destination of this transport's pulls
     * (RDMA needs a local key for the memory it reads into).
     * <p>
     * Idempotent: registering a region already registered registers nothing new and returns an equal
     * descriptor, so callers may register before each use to get the descriptor back; after the
     * first time it must be cheap (a lookup).
     *
     * @param region to expose; stays registered until {@link #deregister(Region)} or close.
     * @return what peers need to read it.
     * @throws BulkTransportException if this transport cannot expose that region.
     */
    RegionDescriptor register(Region region);

    /**
     * Stop exposing a region.
     *
     * @param region registered before; ignored if not.
     */
    void deregister(Region region);

    /**
     * Accept a region a peer registered, so that its data can be pulled.
     *
     * @param peer       that owns the region.
     * @param descriptor the peer sent.
     * @throws BulkTransportException if the descriptor is not this transport's, names memory this
     *                                process may not read, or the peer is unreachable.
     */
    void attach(PeerInfo peer, RegionDescriptor descriptor);

    /**
     * Forget every region of a peer; its pending pulls fail.
     *
     * @param peer to forget.
     */
    void detach(PeerInfo peer);

    /**
     * Start copying {@code length} bytes, from {@code offset} within the data {@code source} names,
     * into {@code destination}. Completes later, from {@link #doWork()}.
     *
     * @param peer          that owns the source.
     * @param source        names data in a region of the peer attached before.
     * @param offset        of the first byte within the source's data.
     * @param length        bytes to pull.
     * @param destination   local memory of at least {@code length} bytes; registered memory
     *                      (a pool segment) where the transport needs it.
     * @param correlationId passed back to the handler.
     * @param handler       told of the outcome.
     * @throws BulkTransportException at once, before any byte is read, if the source names a
     *                                region not attached, or a range outside it or outside the
     *                                descriptor, or the destination is too short.
     */
    void pull(
        PeerInfo peer,
        DataDescriptor source,
        long offset,
        int length,
        DataView destination,
        long correlationId,
        PullHandler handler);

    /**
     * Progress pending pulls and call their handlers.
     *
     * @return the amount of work done, 0 if none.
     */
    int doWork();

    /**
     * @return pulls started and not yet completed or failed.
     */
    int pendingPulls();

    /**
     * @return bytes moved by completed pulls since the transport was created.
     */
    long bytesPulled();

    /**
     * Fail pending pulls, drop every attachment and registration, release what was mapped.
     */
    void close();
}
