package dev.ferry.server;

import dev.ferry.bulk.BulkTransport;
import dev.ferry.bulk.PeerInfo;
import dev.ferry.engine.PeerLink;
import org.agrona.collections.LongHashSet;

import java.util.ArrayList;
import java.util.List;

/**
 * One client process connected to the server: where replies go, who it is to the bulk transport,
 * the bulk transport chosen for it at hello, which of the server's regions it was told of, and its
 * consumers' subscriptions.
 */
final class ServerSession
{
    final long clientId;
    final int channelSessionId;
    final String clientName;
    final PeerInfo peer;
    final PeerLink link;
    final BulkTransport bulk;
    final LongHashSet announcedRegions = new LongHashSet();
    final List<Subscription> subscriptions = new ArrayList<>();
    boolean closed;

    ServerSession(
        final long clientId,
        final int channelSessionId,
        final String clientName,
        final PeerInfo peer,
        final PeerLink link,
        final BulkTransport bulk)
    {
        this.clientId = clientId;
        this.channelSessionId = channelSessionId;
        this.clientName = clientName;
        this.peer = peer;
        this.link = link;
        this.bulk = bulk;
    }

    public String toString()
    {
        return "client '" + clientName + "' (" + peer + ")";
    }
}
