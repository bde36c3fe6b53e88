package dev.ferry.client;

/**
 * A topic opened on a server: makes producers and consumers.
 */
public final class Topic
{
    private final Ferry ferry;
    private final String name;
    private final int topicId;
    private final int partitions;

    Topic(final Ferry ferry, final String name, final int topicId, final int partitions)
    {
        this.ferry = ferry;
        this.name = name;
        this.topicId = topicId;
        this.partitions = partitions;
    }

    public String name()
    {
        return name;
    }

    public int partitions()
    {
        return partitions;
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
        return "topic '" + name + "' (" + partitions + " partitions)";
    }
}
