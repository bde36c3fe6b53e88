package dev.ferry.bulk;

/**
 * Told how a pull ended. Called on the I/O agent thread, from the transport's {@code doWork()}.
 * One handler can serve every pull of an engine: the correlation id tells them apart, so pulls
 * create no garbage.
 */
public interface PullHandler
{
    /**
     * Every byte asked for is in the destination.
     *
     * @param correlationId given to the pull.
     */
    void onPullComplete(long correlationId);

    /**
     * The pull failed; the destination holds no meaningful bytes.
     *
     * @param correlationId given to the pull.
     * @param cause         what failed and what to do.
     */
    void onPullFailed(long correlationId, BulkTransportException cause);
}
