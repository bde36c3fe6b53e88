package dev.ferry.topic;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.ferry.event.DataView;
import dev.ferry.event.Metadata;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Takes an event whose metadata is a JSON document that matches a JSON schema (draft 2020-12 unless
 * the schema's {@code $schema} names another), checked with networknt's json-schema-validator. A
 * refusal names each failing field by its JSON pointer and says what it should be, for example
 * {@code /size: must have a maximum value of 1000}.
 * <p>
 * The schema is checked against its draft's meta-schema when the validator is made, so a topic never
 * holds a schema that cannot work. Schemas that refer to others by URL are not fetched ({@code $ref}
 * within the schema is fine). Thread-safe.
 */
public final class JsonSchemaValidator implements Validator
{
    /**
     * Failing fields a refusal lists before it only counts the rest.
     */
    static final int ERRORS_LISTED = 4;

    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    private final JsonNode schemaNode;
    private final Schema schema;

    /**
     * @param schema the JSON schema, as a JSON object.
     * @throws IllegalArgumentException naming what is wrong if it is not a schema its draft accepts.
     */
    public JsonSchemaValidator(final JsonNode schema)
    {
        if (!schema.isObject() && !schema.isBoolean())
        {
            throw new IllegalArgumentException("a JSON schema is an object (or true or false), not " + schema);
        }
        final String dialect = schema.isObject() && schema.has("$schema") ?
            schema.get("$schema").asString() : SpecificationVersion.DRAFT_2020_12.getDialectId();
        final Schema metaSchema;
        try
        {
            metaSchema = REGISTRY.getSchema(SchemaLocation.of(dialect));
        }
        catch (final RuntimeException ex)
        {
            throw new IllegalArgumentException("the JSON schema's $schema '" + dialect + "' is not a draft this " +
                "validator knows; use https://json-schema.org/draft/2020-12/schema or an earlier draft", ex);
        }
        final List<Error> errors = metaSchema.validate(schema);
        if (!errors.isEmpty())
        {
            throw new IllegalArgumentException("not a valid JSON schema: " + describe(errors));
        }
        this.schemaNode = schema;
        this.schema = REGISTRY.getSchema(schema);
    }

    /**
     * @return the schema events are checked against.
     */
    public JsonNode schema()
    {
        return schemaNode;
    }

    @Override
    public void validate(final Metadata metadata, final DataView data)
    {
        final List<Error> errors;
        try
        {
            errors = schema.validate(MetadataJson.parse(metadata));
        }
        catch (final JacksonException ex)
        {
            throw new InvalidEventException("the event's metadata is not the JSON document its topic's schema " +
                "asks for: " + ex.getOriginalMessage(), ex);
        }
        if (!errors.isEmpty())
        {
            throw new InvalidEventException("the event's metadata does not match its topic's JSON schema: " + describe(errors));
        }
    }

    private static String describe(final List<Error> errors)
    {
        final String listed = errors.stream()
            .limit(ERRORS_LISTED)
            .map(JsonSchemaValidator::describe)
            .collect(Collectors.joining("; "));
        return errors.size() > ERRORS_LISTED ? listed + "; and " + (errors.size() - ERRORS_LISTED) + " more" : listed;
    }

    private static String describe(final Error error)
    {
        final String message = error.getMessage();
        final String location = error.getInstanceLocation().toString();
        return message.startsWith(location) ? message : location + ": " + message;
    }

    public String toString()
    {
        return "JSON schema " + schemaNode;
    }
}
