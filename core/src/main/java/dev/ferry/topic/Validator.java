package dev.ferry.topic;

import dev.ferry.event.DataView;
import dev.ferry.event.Metadata;

/**
 * Checks an event before a producer takes it (Mofka's validator): an event it refuses is never sent,
 * and the push throws {@link InvalidEventException} naming what is wrong.
 * <p>
 * A topic's validator is set when the topic is created ({@link TopicConfig}) and applies to every
 * producer of the topic; a producer may replace it with its own
 * ({@code ProducerOptions.validator}). Called on the pushing thread, by many threads at once: an
 * implementation must be thread-safe, and should be quick, as it runs for every event.
 */
@FunctionalInterface
public interface Validator
{
    /**
     * Takes every event: the default.
     */
    Validator ACCEPT_ALL = (metadata, data) ->
    {
    };

    /**
     * @param metadata of the event.
     * @param data     of the event; {@link DataView#EMPTY} when it has none.
     * @throws InvalidEventException naming what is wrong with the event.
     */
    void validate(Metadata metadata, DataView data);
}
