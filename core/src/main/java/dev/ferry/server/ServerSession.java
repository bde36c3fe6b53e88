package dev.ferry.server;

import dev.ferry.bulk.PeerInfo;
import dev.ferry.engine.PeerLink;
import org.agrona.collections.LongHashSet;

import java.util.ArrayList;
import java.util.List;

/**
 * One client process connected to the server: where replies go, who it is to the bulk transport,
 * which of the server's regions it was told of, and its consumers' subscriptions.
 */
final class ServerSession
{
    final long clientId;
    final int channelSessionId;
    final String clientName;
    final PeerInfo peer;
    final PeerLink link;
    final LongHashSet announcedRegions = new LongHashSet();
    final List<Subscription> subscriptions = new ArrayList<>();
    boolean closed;

    ServerSession(
        final long clientId, final int channelSessionId, final String clientName, final PeerInfo peer, final PeerLink link)
    {
        this.clientId = clientId;
        this.channelSessionId = channelSessionId;
        this.clientName = clientName;
        this.peer = peer;
        this.link = link;
    }

    public String toString()
    {
        return "client '" + clientName + "' (" + peer + ")";
    }
}
