package dev.ferry.bulk;

import dev.ferry.shm.HostIdentity;

import java.util.Objects;

/**
 * Who a peer process is, as far as a bulk transport cares: an id unique among the peers of one
 * engine, the host it runs on (its kernel's boot id) and its process id.
 */
public final class PeerInfo
{
    private final long peerId;
    private final String bootId;
    private final long pid;

    /**
     * @param peerId unique among the peers one transport serves.
     * @param bootId of the peer's kernel; see {@link HostIdentity#bootId()}.
     * @param pid    of the peer's process, for messages.
     */
    public PeerInfo(final long peerId, final String bootId, final long pid)
    {
        this.peerId = peerId;
        this.bootId = Objects.requireNonNull(bootId, "bootId");
        this.pid = pid;
    }

    /**
     * @param peerId to give this process.
     * @return this process as a peer.
     */
    public static PeerInfo local(final long peerId)
    {
        return new PeerInfo(peerId, HostIdentity.bootId(), ProcessHandle.current().pid());
    }

    public long peerId()
    {
        return peerId;
    }

    public String bootId()
    {
        return bootId;
    }

    public long pid()
    {
        return pid;
    }

    /**
     * @param other peer.
     * @return true if both run under the same kernel.
     */
    public boolean sameHostAs(final PeerInfo other)
    {
        return bootId.equals(other.bootId);
    }

    public boolean equals(final Object other)
    {
        return other instanceof PeerInfo && peerId == ((PeerInfo)other).peerId &&
            bootId.equals(((PeerInfo)other).bootId) && pid == ((PeerInfo)other).pid;
    }

    public int hashCode()
    {
        return Long.hashCode(peerId) * 31 + bootId.hashCode();
    }

    public String toString()
    {
        return "peer " + peerId + " (pid " + pid + ")";
    }
}
