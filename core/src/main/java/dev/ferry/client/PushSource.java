package dev.ferry.client;

/**
 * A source that pushes events on its own threads (a detector's readout, a simulation's output) and
 * can be told to stop and to go on: {@link Producer#attach(PushSource)}.
 * <p>
 * The producer calls {@link #pause()} when its pending batches are full, or when the client has no
 * connection to the server, and {@link #resume()} once the batches have drained to half (and the
 * connection is there). Calls alternate, starting with {@code pause()}, and never overlap. They run
 * on whichever thread noticed the change (a pushing thread, or the client's I/O agent), so they must
 * only set a flag or signal the source's own thread, and return at once.
 * <p>
 * Pausing is advice the source should follow, not a wall: a source that pushes while paused is
 * back-pressured as usual ({@code push} blocks, {@code tryPush} returns
 * {@link PushStatus#BACK_PRESSURED}), and nothing it pushes is lost.
 */
public interface PushSource
{
    /**
     * Stop pushing until {@link #resume()}.
     */
    void pause();

    /**
     * Push again.
     */
    void resume();
}
