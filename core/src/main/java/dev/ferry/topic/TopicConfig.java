package dev.ferry.topic;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Set;

/**
 * How a topic checks and places its events: its {@link Validator} and its {@link PartitionSelector},
 * chosen when the topic is created and kept by the server with it (in the topic's file when durable),
 * so that every producer of the topic, in any process, applies the same ones. Immutable.
 * <p>
 * The built-ins, as Mofka has them:
 * <ul>
 *   <li>validator: accept all (the default), or a JSON schema the metadata must match
 *   ({@link #withJsonSchema(JsonNode)});</li>
 *   <li>partition selector: round robin (the default), or by key, the value of a top-level field of the
 *   metadata ({@link #withPartitionKey(String)}).</li>
 * </ul>
 * Any other validator or selector is Java code: a producer uses its own with
 * {@code ProducerOptions.validator} and {@code ProducerOptions.partitionSelector}.
 * <p>
 * On the wire and on disk a config is one JSON object, for example
 * <pre>
 * {"validator":{"type":"json-schema","schema":{"type":"object","required":["detector"]}},
 *  "partitionSelector":{"type":"by-key","key":"detector"}}
 * </pre>
 * where a missing member means the default.
 */
public final class TopicConfig
{
    /**
     * Longest config, in UTF-8 bytes, as its JSON: a schema of that size would be a document, not a
     * check.
     */
    public static final int MAX_JSON_BYTES = 32 * 1024;

    private static final TopicConfig DEFAULTS = new TopicConfig(null, null);
    private static final String VALIDATOR = "validator";
    private static final String SELECTOR = "partitionSelector";
    private static final String TYPE = "type";
    private static final String SCHEMA = "schema";
    private static final String KEY = "key";
    private static final String ACCEPT_ALL = "accept-all";
    private static final String JSON_SCHEMA = "json-schema";
    private static final String ROUND_ROBIN = "round-robin";
    private static final String BY_KEY = "by-key";

    private final JsonSchemaValidator schemaValidator;
    private final KeyPartitionSelector keySelector;

    private TopicConfig(final JsonSchemaValidator schemaValidator, final KeyPartitionSelector keySelector)
    {
        this.schemaValidator = schemaValidator;
        this.keySelector = keySelector;
    }

    /**
     * @return accept every event, round robin.
     */
    public static TopicConfig defaults()
    {
        return DEFAULTS;
    }

    /**
     * @param schema a JSON schema every event's metadata must match.
     * @return this config with a JSON-schema validator.
     * @throws IllegalArgumentException naming what is wrong if it is not a valid schema, or the config
     *                                  would exceed {@link #MAX_JSON_BYTES}.
     */
    public TopicConfig withJsonSchema(final JsonNode schema)
    {
        return checkSize(new TopicConfig(new JsonSchemaValidator(schema), keySelector));
    }

    /**
     * @param schema a JSON schema every event's metadata must match, as JSON text.
     * @return this config with a JSON-schema validator.
     * @throws IllegalArgumentException naming what is wrong if it is not JSON or not a valid schema.
     */
    public TopicConfig withJsonSchema(final String schema)
    {
        final JsonNode node;
        try
        {
            node = MetadataJson.MAPPER.readTree(schema);
        }
        catch (final JacksonException ex)
        {
            throw new IllegalArgumentException("a JSON schema must be JSON: " + ex.getOriginalMessage(), ex);
        }
        return withJsonSchema(node);
    }

    /**
     * @param field a top-level field of every event's JSON metadata, whose value picks the partition.
     * @return this config with a by-key partition selector.
     */
    public TopicConfig withPartitionKey(final String field)
    {
        return checkSize(new TopicConfig(schemaValidator, new KeyPartitionSelector(field)));
    }

    /**
     * @return the validator every producer of the topic applies: thread-safe, shared.
     */
    public Validator validator()
    {
        return null == schemaValidator ? Validator.ACCEPT_ALL : schemaValidator;
    }

    /**
     * @return the topic's partition selector for one producer: a round of its own, or the shared (stateless)
     * by-key selector.
     */
    public PartitionSelector newPartitionSelector()
    {
        return null == keySelector ? new RoundRobinSelector() : keySelector;
    }

    /**
     * @return the field whose value picks an event's partition, or null for round robin.
     */
    public String partitionKey()
    {
        return null == keySelector ? null : keySelector.field();
    }

    /**
     * @return the JSON schema events must match, or null if the topic accepts every event.
     */
    public JsonNode jsonSchema()
    {
        return null == schemaValidator ? null : schemaValidator.schema();
    }

    /**
     * @return this config as one line of JSON; {@code {}} for the defaults.
     */
    public String toJson()
    {
        final ObjectNode root = MetadataJson.MAPPER.createObjectNode();
        if (null != schemaValidator)
        {
            root.putObject(VALIDATOR).put(TYPE, JSON_SCHEMA).set(SCHEMA, schemaValidator.schema());
        }
        if (null != keySelector)
        {
            root.putObject(SELECTOR).put(TYPE, BY_KEY).put(KEY, keySelector.field());
        }
        return MetadataJson.MAPPER.writeValueAsString(root);
    }

    /**
     * @param json a config as {@link #toJson()} writes it; empty for the defaults.
     * @return the config.
     * @throws IllegalArgumentException naming what is wrong.
     */
    public static TopicConfig parse(final String json)
    {
        if (json.isEmpty())
        {
            return DEFAULTS;
        }
        checkSize(json);
        final JsonNode root;
        try
        {
            root = MetadataJson.MAPPER.readTree(json);
        }
        catch (final JacksonException ex)
        {
            throw new IllegalArgumentException("a topic config must be a JSON object: " + ex.getOriginalMessage(), ex);
        }
        checkMembers(root, "a topic config", Set.of(VALIDATOR, SELECTOR));
        TopicConfig config = DEFAULTS;

        final JsonNode validator = root.get(VALIDATOR);
        if (null != validator)
        {
            final String type = type(validator, VALIDATOR, ACCEPT_ALL, JSON_SCHEMA);
            if (JSON_SCHEMA.equals(type))
            {
                checkMembers(validator, "a json-schema validator", Set.of(TYPE, SCHEMA));
                config = config.withJsonSchema(required(validator, SCHEMA, "a json-schema validator"));
            }
            else
            {
                checkMembers(validator, "an accept-all validator", Set.of(TYPE));
            }
        }

        final JsonNode selector = root.get(SELECTOR);
        if (null != selector)
        {
            final String type = type(selector, SELECTOR, ROUND_ROBIN, BY_KEY);
            if (BY_KEY.equals(type))
            {
                checkMembers(selector, "a by-key partition selector", Set.of(TYPE, KEY));
                final JsonNode key = required(selector, KEY, "a by-key partition selector");
                if (!key.isString())
                {
                    throw new IllegalArgumentException("a by-key partition selector's key is a field name, a string, not " + key);
                }
                config = config.withPartitionKey(key.asString());
            }
            else
            {
                checkMembers(selector, "a round-robin partition selector", Set.of(TYPE));
            }
        }
        return config;
    }

    private static TopicConfig checkSize(final TopicConfig config)
    {
        checkSize(config.toJson());
        return config;
    }

    private static void checkSize(final String json)
    {
        final int bytes = json.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_JSON_BYTES)
        {
            throw new IllegalArgumentException("a topic config takes " + bytes + " bytes as JSON, more than the " +
                MAX_JSON_BYTES + " a topic may have; shorten its schema");
        }
    }

    private static String type(final JsonNode component, final String what, final String... types)
    {
        final JsonNode type = required(component, TYPE, "a topic's " + what);
        for (final String known : types)
        {
            if (known.equals(type.asString()))
            {
                return known;
            }
        }
        throw new IllegalArgumentException("a topic's " + what + " of type " + type + " is not one Ferry has: use " +
            String.join(" or ", types));
    }

    private static JsonNode required(final JsonNode component, final String member, final String what)
    {
        final JsonNode value = component.get(member);
        if (null == value)
        {
            throw new IllegalArgumentException(what + " needs '" + member + "': " + component);
        }
        return value;
    }

    private static void checkMembers(final JsonNode node, final String what, final Set<String> known)
    {
        if (!node.isObject())
        {
            throw new IllegalArgumentException(what + " must be a JSON object, not " + node);
        }
        for (final String name : node.propertyNames())
        {
            if (!known.contains(name))
            {
                throw new IllegalArgumentException(what + " has an unknown member '" + name + "': it takes " +
                    String.join(", ", known.stream().sorted().toList()));
            }
        }
    }

    public boolean equals(final Object other)
    {
        return other instanceof TopicConfig && toJson().equals(((TopicConfig)other).toJson());
    }

    public int hashCode()
    {
        return Objects.hash(toJson());
    }

    public String toString()
    {
        return "validator " + (null == schemaValidator ? "accept all" : "JSON schema") + ", partitions " +
            (null == keySelector ? "round robin" : keySelector);
    }
}
