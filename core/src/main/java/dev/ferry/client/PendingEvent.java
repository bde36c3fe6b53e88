package dev.ferry.client;

import dev.ferry.buffer.Segment;

import java.util.concurrent.CompletableFuture;

/**
 * An event pushed and not yet acknowledged: its metadata, its data in the client's pool, and the
 * future to complete with its ID. It is its own command to the I/O agent: handing it over allocates
 * nothing more.
 */
final class PendingEvent implements ClientConductor.Command
{
    final Producer producer;
    final byte[] metadata;
    final Segment data;
    final int partition;
    final CompletableFuture<Long> future = new CompletableFuture<>();

    PendingEvent(final Producer producer, final byte[] metadata, final Segment data, final int partition)
    {
        this.producer = producer;
        this.metadata = metadata;
        this.data = data;
        this.partition = partition;
    }

    public void execute(final ClientConductor conductor)
    {
        conductor.push(this);
    }
}
