package dev.ferry.topic;

import dev.ferry.event.Metadata;
import tools.jackson.core.JacksonException;

/**
 * Events with the same key to the same partition, so that they keep their order: the key is the value
 * of one top-level field of the event's JSON metadata (a string, number or boolean), hashed with
 * {@link String#hashCode()}, which Java specifies, so every producer in every process agrees. An event
 * without the field is refused ({@link InvalidEventException}): sending it anywhere would break the
 * promise. Thread-safe and stateless.
 */
public final class KeyPartitionSelector implements PartitionSelector
{
    private final String field;

    /**
     * @param field name of the top-level metadata field holding the key.
     */
    public KeyPartitionSelector(final String field)
    {
        if (field.isEmpty())
        {
            throw new IllegalArgumentException("a partition key names a field of the metadata; it cannot be empty");
        }
        this.field = field;
    }

    /**
     * @return name of the metadata field holding the key.
     */
    public String field()
    {
        return field;
    }

    @Override
    public int select(final Metadata metadata, final int partitions)
    {
        final String key;
        try
        {
            key = MetadataJson.topLevelValue(metadata, field);
        }
        catch (final JacksonException ex)
        {
            throw new InvalidEventException("the event's metadata is not the JSON object its topic's partition key '" +
                field + "' is read from: " + ex.getOriginalMessage(), ex);
        }
        if (null == key)
        {
            throw new InvalidEventException("the event's metadata has no field '" + field + "' (a string, number or " +
                "boolean), its topic's partition key; add it, or push to a partition of your choice");
        }
        return partition(key, partitions);
    }

    /**
     * @param key        an event's key.
     * @param partitions the topic has.
     * @return the key's partition.
     */
    public static int partition(final String key, final int partitions)
    {
        return Math.floorMod(key.hashCode(), partitions);
    }

    public String toString()
    {
        return "by key '" + field + "'";
    }
}
