package dev.ferry.bench.compare;

import java.nio.file.Path;

/**
 * One way of moving events from a producer thread to a consumer thread in one JVM: Ferry, or a peer
 * measured beside it. The harness ({@link CompareWorker}) starts a contender once, then opens one
 * {@link Channel} per event size, drives it and closes it before opening the next.
 * <p>
 * A contender owns everything it starts (brokers, media drivers, sockets, files under the work
 * directory) and releases all of it in {@link #close()}, also after a failed {@link #start} or
 * {@link #open}.
 */
public interface Contender extends AutoCloseable
{
    /**
     * @return the label of this contender in the CSV, the tables and the plots, e.g. {@code kafka}.
     */
    String name();

    /**
     * Start what lasts across event sizes: a broker, a media driver.
     *
     * @param workDir an empty directory this contender may fill; the harness deletes it afterwards.
     * @throws Exception if the contender cannot run here; the message says why.
     */
    void start(Path workDir) throws Exception;

    /**
     * Open a fresh path for events of exactly {@code size} bytes, as laid out by {@link CompareEvent}.
     * Events sent on one channel are never seen by another.
     *
     * @param size bytes of every event on the channel, at least {@link CompareEvent#MIN_SIZE}.
     * @return the channel; the harness closes it.
     * @throws Exception if it cannot be opened; the message says why.
     */
    Channel open(int size) throws Exception;

    /**
     * Release everything the contender started.
     *
     * @throws Exception if something could not be released.
     */
    @Override
    void close() throws Exception;
}
