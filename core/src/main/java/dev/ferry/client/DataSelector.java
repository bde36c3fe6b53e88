package dev.ferry.client;

import dev.ferry.event.Metadata;

/**
 * Chooses which bytes of an event's data a consumer fetches (Mofka's data selector): only those cross
 * the bulk transport, and the event the application receives holds just them, one range after the
 * other, in the order the {@link DataSelection} lists them.
 * <p>
 * Called on the client's I/O agent thread, once per event before its data is fetched (a retried
 * fetch keeps the selection): it must be quick, must not block, and should not allocate more than its
 * selection. A selector that throws, or selects bytes beyond the event's data, fails that event: the
 * application receives the failure in the event's place, naming the cause.
 */
@FunctionalInterface
public interface DataSelector
{
    /**
     * @param metadata of the event.
     * @param length   of the event's whole data, in bytes.
     * @return the ranges to fetch; {@link DataSelection#all(long)} for the whole data, {@link DataSelection#NONE}
     *         for none.
     */
    DataSelection select(Metadata metadata, long length);
}
