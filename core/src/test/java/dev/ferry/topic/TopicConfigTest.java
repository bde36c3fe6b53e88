package dev.ferry.topic;

import dev.ferry.event.DataView;
import dev.ferry.event.Metadata;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TopicConfigTest
{
    static final String SCHEMA = "{\"type\":\"object\",\"required\":[\"detector\",\"size\"]," +
        "\"properties\":{\"detector\":{\"type\":\"string\"},\"size\":{\"type\":\"integer\",\"maximum\":1000}}}";

    @Test
    void defaultsAcceptEveryEventAndPlaceThemRoundRobin()
    {
        final TopicConfig defaults = TopicConfig.defaults();
        assertEquals("{}", defaults.toJson());
        assertSame(defaults, TopicConfig.parse(""));
        assertEquals(defaults, TopicConfig.parse("{}"));
        assertSame(Validator.ACCEPT_ALL, defaults.validator());
        defaults.validator().validate(Metadata.of("not json at all"), DataView.EMPTY);

        final PartitionSelector one = defaults.newPartitionSelector();
        final PartitionSelector other = defaults.newPartitionSelector();
        assertNotSame(one, other);
        final int[] picked = new int[6];
        for (int i = 0; i < picked.length; i++)
        {
            picked[i] = one.select(Metadata.EMPTY, 3);
        }
        assertEquals("[0, 1, 2, 0, 1, 2]", java.util.Arrays.toString(picked));
        assertEquals(0, other.select(Metadata.EMPTY, 3), "each producer's selector starts its own round");
    }

    @Test
    void aConfigSurvivesItsJsonFormAsTheServerKeepsIt()
    {
        final TopicConfig config = TopicConfig.defaults().withJsonSchema(SCHEMA).withPartitionKey("detector");
        final TopicConfig parsed = TopicConfig.parse(config.toJson());
        assertEquals(config, parsed);
        assertEquals("detector", parsed.partitionKey());
        assertEquals(config.jsonSchema(), parsed.jsonSchema());
        assertInstanceOf(JsonSchemaValidator.class, parsed.validator());
        assertInstanceOf(KeyPartitionSelector.class, parsed.newPartitionSelector());

        final TopicConfig keyOnly = TopicConfig.parse("{\"partitionSelector\":{\"type\":\"by-key\",\"key\":\"run\"}}");
        assertSame(Validator.ACCEPT_ALL, keyOnly.validator());
        assertNull(keyOnly.jsonSchema());
        assertEquals(TopicConfig.defaults(),
            TopicConfig.parse("{\"validator\":{\"type\":\"accept-all\"},\"partitionSelector\":{\"type\":\"round-robin\"}}"));
    }

    @Test
    void aBadConfigIsRefusedNamingWhatIsWrong()
    {
        assertRefused("[]", "a topic config must be a JSON object");
        assertRefused("{\"validator\":", "a topic config must be a JSON object");
        assertRefused("{\"serializer\":{}}", "unknown member 'serializer'");
        assertRefused("{\"validator\":{\"type\":\"avro\"}}", "of type \"avro\" is not one Ferry has: use accept-all or json-schema");
        assertRefused("{\"validator\":{\"type\":\"json-schema\"}}", "a json-schema validator needs 'schema'");
        assertRefused("{\"validator\":{\"type\":\"json-schema\",\"schema\":{\"type\":12}}}", "not a valid JSON schema: /type");
        assertRefused("{\"validator\":{\"type\":\"json-schema\",\"schema\":\"string\"}}", "a JSON schema is an object");
        assertRefused("{\"partitionSelector\":{\"type\":\"by-key\"}}", "a by-key partition selector needs 'key'");
        assertRefused("{\"partitionSelector\":{\"type\":\"by-key\",\"key\":7}}", "key is a field name, a string");
        assertRefused("{\"partitionSelector\":{\"type\":\"by-key\",\"key\":\"\"}}", "cannot be empty");
        assertRefused("{\"partitionSelector\":{\"type\":\"round-robin\",\"key\":\"x\"}}", "unknown member 'key'");
        assertThrows(IllegalArgumentException.class, () -> TopicConfig.defaults().withJsonSchema("{not json"));

        final String huge = "{\"description\":\"" + "x".repeat(TopicConfig.MAX_JSON_BYTES) + "\"}";
        final IllegalArgumentException tooBig =
            assertThrows(IllegalArgumentException.class, () -> TopicConfig.defaults().withJsonSchema(huge));
        assertTrue(tooBig.getMessage().contains("more than the 32768 a topic may have"), tooBig.getMessage());
        assertRefused("{\"validator\":{\"type\":\"json-schema\",\"schema\":" + huge + "}}", "more than the 32768");
    }

    @Test
    void theSchemaRefusesAnEventNamingEachFailingField()
    {
        final Validator validator = TopicConfig.defaults().withJsonSchema(SCHEMA).validator();
        validator.validate(Metadata.of("{\"detector\":\"d1\",\"size\":12}"), DataView.EMPTY);

        final InvalidEventException tooBig = assertThrows(InvalidEventException.class,
            () -> validator.validate(Metadata.of("{\"detector\":\"d1\",\"size\":4096}"), DataView.EMPTY));
        assertTrue(tooBig.getMessage().contains("/size"), tooBig.getMessage());
        assertTrue(tooBig.getMessage().contains("1000"), tooBig.getMessage());

        final InvalidEventException missing = assertThrows(InvalidEventException.class,
            () -> validator.validate(Metadata.of("{\"size\":1}"), DataView.EMPTY));
        assertTrue(missing.getMessage().contains("detector"), missing.getMessage());

        final InvalidEventException notJson = assertThrows(InvalidEventException.class,
            () -> validator.validate(Metadata.of("size=1"), DataView.EMPTY));
        assertTrue(notJson.getMessage().contains("is not the JSON document"), notJson.getMessage());
    }

    @Test
    void theSchemasDraftComesFromItsOwnDeclaration()
    {
        final String draft7 = "{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"type\":\"object\"," +
            "\"properties\":{\"n\":{\"type\":\"integer\",\"exclusiveMinimum\":0}}}";
        final Validator validator = TopicConfig.defaults().withJsonSchema(draft7).validator();
        validator.validate(Metadata.of("{\"n\":1}"), DataView.EMPTY);
        assertThrows(InvalidEventException.class, () -> validator.validate(Metadata.of("{\"n\":0}"), DataView.EMPTY));

        final IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
            () -> TopicConfig.defaults().withJsonSchema("{\"$schema\":\"https://example.org/no-such-draft\"}"));
        assertTrue(unknown.getMessage().contains("is not a draft this validator knows"), unknown.getMessage());
    }

    @Test
    void eventsWithTheSameKeyShareAPartitionAndKeysSpreadOverAll()
    {
        final PartitionSelector selector = TopicConfig.defaults().withPartitionKey("detector").newPartitionSelector();
        final Set<Integer> used = new HashSet<>();
        for (int d = 0; d < 64; d++)
        {
            final String key = "detector-" + d;
            final int partition = selector.select(Metadata.of("{\"run\":{\"id\":3},\"detector\":\"" + key + "\",\"seq\":1}"), 4);
            assertEquals(partition, selector.select(Metadata.of("{\"detector\":\"" + key + "\",\"seq\":2}"), 4));
            assertEquals(KeyPartitionSelector.partition(key, 4), partition);
            used.add(partition);
        }
        assertEquals(Set.of(0, 1, 2, 3), used);
        assertEquals(KeyPartitionSelector.partition("17", 4), selector.select(Metadata.of("{\"detector\":17}"), 4),
            "a number's key is its JSON text");

        final InvalidEventException missing = assertThrows(InvalidEventException.class,
            () -> selector.select(Metadata.of("{\"run\":{\"detector\":\"nested\"}}"), 4));
        assertTrue(missing.getMessage().contains("has no field 'detector'"), missing.getMessage());
        assertThrows(InvalidEventException.class, () -> selector.select(Metadata.of("{\"detector\":null}"), 4));
        assertThrows(InvalidEventException.class, () -> selector.select(Metadata.of("[1,2]"), 4));
        assertThrows(InvalidEventException.class, () -> selector.select(Metadata.of("{\"detector\":"), 4));
    }

    private static void assertRefused(final String json, final String expected)
    {
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> TopicConfig.parse(json));
        assertTrue(refused.getMessage().contains(expected), refused.getMessage());
    }
}
