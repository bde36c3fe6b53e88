package dev.ferry.topic;

import dev.ferry.event.Metadata;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Event metadata read as JSON (UTF-8), for the validators and selectors that need it, and the one
 * {@link JsonMapper} of this package (thread-safe once built).
 */
final class MetadataJson
{
    static final JsonMapper MAPPER = JsonMapper.builder().build();

    private MetadataJson()
    {
    }

    /**
     * @param metadata of an event.
     * @return its whole JSON document.
     * @throws tools.jackson.core.JacksonException if it is not one.
     */
    static JsonNode parse(final Metadata metadata)
    {
        return MAPPER.readTree(metadata.toByteArray());
    }

    /**
     * The value of one top-level field, read without building the document.
     *
     * @param metadata of an event: a JSON object.
     * @param field    name of the field.
     * @return the field's value as text (a string's characters, a number's or boolean's JSON text), or
     *         null if the object has no such field or its value is null, an object or an array.
     * @throws tools.jackson.core.JacksonException if the metadata is not a JSON object.
     */
    static String topLevelValue(final Metadata metadata, final String field)
    {
        try (JsonParser parser = MAPPER.tokenStreamFactory().createParser(ObjectReadContext.empty(), metadata.toByteArray()))
        {
            if (JsonToken.START_OBJECT != parser.nextToken())
            {
                throw new InvalidEventException("the event's metadata is not a JSON object, so it has no field '" + field + "'");
            }
            for (JsonToken token = parser.nextToken(); JsonToken.PROPERTY_NAME == token; token = parser.nextToken())
            {
                final boolean wanted = field.equals(parser.currentName());
                final JsonToken value = parser.nextToken();
                if (wanted)
                {
                    return value.isScalarValue() && JsonToken.VALUE_NULL != value ? parser.getString() : null;
                }
                parser.skipChildren();
            }
            return null;
        }
    }
}
