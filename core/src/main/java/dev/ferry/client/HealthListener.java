package dev.ferry.client;

/**
 * Told each change of a client's {@link Health}: {@link Ferry.Context#healthListener(HealthListener)}.
 * Called on the client's I/O agent thread, once per change and in order, so it must return quickly;
 * an exception it throws is logged and otherwise ignored.
 */
@FunctionalInterface
public interface HealthListener
{
    /**
     * @param previous health.
     * @param current  health.
     * @param reason   what happened, for people: the server's address, or why the session was lost.
     */
    void onHealthChange(Health previous, Health current, String reason);
}
