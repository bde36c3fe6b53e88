/**
 * What a topic does to each event before a producer sends it, as Mofka has it: a {@link
 * dev.ferry.topic.Validator} that may refuse the event and a {@link dev.ferry.topic.PartitionSelector}
 * that picks its partition, set per topic by a {@link dev.ferry.topic.TopicConfig} that the server
 * keeps with the topic.
 * <p>
 * Both run on the pushing thread, in the producer, before anything is sent: a refused event costs the
 * server nothing, and the caller learns why at once ({@link dev.ferry.topic.InvalidEventException}).
 * The defaults (accept all, round robin) do no work per event; the JSON ones parse the metadata,
 * which costs microseconds per event and allocates, so they are for topics whose rate allows it.
 * <p>
 * Departures from Mofka, on purpose: there is no serializer yet (metadata is bytes the application
 * writes; the JSON built-ins read them as UTF-8 JSON), and custom validators and selectors are Java
 * objects given to a producer ({@code ProducerOptions}) rather than libraries the topic names, as a
 * Java application has no use for loading code by name.
 */
package dev.ferry.topic;
