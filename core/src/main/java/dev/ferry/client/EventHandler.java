package dev.ferry.client;

import dev.ferry.event.Event;

/**
 * Takes the events {@link Consumer#poll(EventHandler, int)} hands over, on the polling thread.
 */
@FunctionalInterface
public interface EventHandler
{
    /**
     * @param event the next event of its partition; valid until it is acknowledged.
     */
    void onEvent(Event event);
}
