package dev.ferry.client;

import dev.ferry.topic.TopicConfig;

/**
 * A topic opened on a server: makes producers and consumers, and carries the {@link TopicConfig}
 * (validator and partition selector) its producers apply.
 */
public final class Topic
{
    private final Ferry ferry;
    private final String name;
    private final int topicId;
    private final int partitions;
    private final TopicConfig config;

    Topic(final Ferry ferry, final String name, final int topicId, final int partitions, final TopicConfig config)
    {
        this.ferry = ferry;
        this.name = name;
        this.topicId = topicId;
        this.partitions = partitions;
        this.config = config;
    }

    public String name()
    {
        return name;
    }

    public int partitions()
    {
        return partitions;
    }

    /**
     * @return how the topic checks and places its events, as it was created.
     */
    public TopicConfig config()
    {
        return config;
    }

    int topicId()
    {
        return topicId;
    }

    Ferry ferry()
    {
        return ferry;
    }

    /**
     * @param options of the producer.
     * @return a producer of events into this topic.
     */
    public Producer producer(final ProducerOptions options)
    {
        return new Producer(this, options);
    }

    /**
     * @return a producer with default options.
     */
    public Producer producer()
    {
        return producer(new ProducerOptions());
    }

    /**
     * Subscribe a named consumer. <b>Blocks</b> until the server accepts it, at most the request timeout.
     *
     * @param options of the consumer; its name is mandatory.
     * @return the consumer.
     */
    public Consumer consumer(final ConsumerOptions options)
    {
        return Consumer.subscribe(this, options);
    }

    public String toString()
    {
        return "topic '" + name + "' (" + partitions + " partitions; " + config + ")";
    }
}
