package io.eventcore.codec;

import io.eventcore.InboundMessage;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Objects;
import java.util.Optional;

/** Streams over the top level of a JSON object looking for one string field; skips nested values. */
final class JsonFieldTypeResolver implements TypeResolver {
    private final String fieldName;
    private final JsonFactory factory = JsonEventCodec.boundedFactory(JsonEventCodec.builder()).build();

    JsonFieldTypeResolver(String fieldName) {
        this.fieldName = Objects.requireNonNull(fieldName, "fieldName");
    }

    @Override
    public Optional<String> resolve(InboundMessage message) {
        byte[] value = message.value();
        if (value == null || value.length == 0) {
            return Optional.empty();
        }
        try (JsonParser parser = factory.createParser(value)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return Optional.empty();
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken token = parser.nextToken();
                if (fieldName.equals(name)) {
                    return token == JsonToken.VALUE_STRING
                            ? Optional.of(parser.getText()).filter(s -> !s.isBlank())
                            : Optional.empty();
                }
                parser.skipChildren();
            }
            return Optional.empty();
        } catch (IOException | RuntimeException malformed) {
            // Malformed input has no type; the router dead-letters it as unroutable.
            return Optional.empty();
        }
    }
}
