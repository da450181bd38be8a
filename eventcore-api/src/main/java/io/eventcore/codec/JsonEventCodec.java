package io.eventcore.codec;

import io.eventcore.EventcoreException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.Module;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.eventcore.internal.Checks;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The default {@link EventCodec}: Jackson JSON.
 *
 * <ul>
 *   <li>Java time types via {@code JavaTimeModule}, written as ISO-8601 strings.</li>
 *   <li>No default typing: the payload class is always the route's, never a class name found in
 *       the JSON. Polymorphic type ids in a document are just data.</li>
 *   <li>Bounded parsing ({@code StreamReadConstraints}): nesting depth, string, number, name and
 *       document length limits; duplicate keys (at any depth) and trailing tokens are rejected.</li>
 *   <li>One {@code ObjectReader} per payload class, made on first use.</li>
 *   <li>Unknown properties are ignored by default (tolerant reader), so producers can add fields.</li>
 *   <li>A failure names the field it happened at ({@code lines[2].quantity}) in the
 *       {@link DecodeException}'s message.</li>
 * </ul>
 *
 * <p><b>Strict mode</b> ({@link Builder#strict(boolean)}, or {@link EventCodec#strictJson()}) decodes
 * only what the payload class says, with no silent repair:
 * <ul>
 *   <li>no scalar coercion: {@code "123"} is not a number, {@code 1} is not a string or a boolean,
 *       {@code 1.5} is not an integer, {@code ""} is not {@code null}, and a number is not an
 *       enum constant;</li>
 *   <li>every creator property (every record component, every {@code @JsonCreator} parameter) must
 *       be present; an explicit {@code null} stays allowed for reference types (use Bean Validation's
 *       {@code @NotNull} to forbid it), never for primitives;</li>
 *   <li>unknown properties stay ignored unless {@link Builder#failOnUnknownProperties(boolean)} is
 *       set as well, so producers can still add fields.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
public final class JsonEventCodec implements EventCodec {
    /** Default maximum nesting depth of a document: {@value}. */
    public static final int DEFAULT_MAX_NESTING_DEPTH = 64;
    /** Default maximum length of one string value, in chars: {@value} (1 MiB). */
    public static final int DEFAULT_MAX_STRING_LENGTH = 1 << 20;
    /** Default maximum document length, in bytes: {@value} (16 MiB). */
    public static final long DEFAULT_MAX_DOCUMENT_LENGTH = 16L << 20;
    /** Default maximum number length, in chars: {@value}. */
    public static final int DEFAULT_MAX_NUMBER_LENGTH = 100;
    /** Default maximum property-name length, in chars: {@value}. */
    public static final int DEFAULT_MAX_NAME_LENGTH = 10_000;

    private final ObjectMapper mapper;
    /** One reader per payload class: it keeps the root deserializer, so decode skips the mapper's lookup. */
    private final ClassValue<ObjectReader> readers = new ClassValue<>() {
        @Override
        protected ObjectReader computeValue(Class<?> type) {
            return mapper.readerFor(type);
        }
    };

    private JsonEventCodec(Builder builder) {
        JsonMapper.Builder mb = JsonMapper.builder(new UniqueKeysJsonFactory(boundedFactory(builder)))
                .addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, or(builder.failOnUnknownProperties, false))
                .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true);
        if (or(builder.strict, false)) {
            strict(mb);
        }
        builder.modules.forEach(mb::addModule);
        this.mapper = mb.build();
        // Belt and braces: even a registered module cannot switch on class names from the wire.
        this.mapper.deactivateDefaultTyping();
    }

    /** @return the settings of a parser with the builder's limits that rejects repeated keys */
    static JsonFactoryBuilder boundedFactory(Builder builder) {
        return (JsonFactoryBuilder) JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(or(builder.maxNestingDepth, DEFAULT_MAX_NESTING_DEPTH))
                        .maxStringLength(or(builder.maxStringLength, DEFAULT_MAX_STRING_LENGTH))
                        .maxDocumentLength(or(builder.maxDocumentLength, DEFAULT_MAX_DOCUMENT_LENGTH))
                        .maxNumberLength(or(builder.maxNumberLength, DEFAULT_MAX_NUMBER_LENGTH))
                        .maxNameLength(or(builder.maxNameLength, DEFAULT_MAX_NAME_LENGTH))
                        .build())
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .disable(StreamReadFeature.AUTO_CLOSE_SOURCE);
    }

    /** No coercion between scalar shapes, every creator property required. */
    private static void strict(JsonMapper.Builder mb) {
        mb.disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
                .withCoercionConfigDefaults(c -> c.setAcceptBlankAsEmpty(false)
                        .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail));
        for (LogicalType type : LogicalType.values()) {
            mb.withCoercionConfig(type, c -> {
                for (CoercionInputShape shape : STRICT_FAILS) {
                    c.setCoercion(shape, CoercionAction.Fail);
                }
            });
        }
        mb.withCoercionConfig(LogicalType.Textual, c -> c.setCoercion(CoercionInputShape.EmptyString, CoercionAction.TryConvert));
    }

    /** Scalar shapes that strict mode never turns into another type. */
    private static final CoercionInputShape[] STRICT_FAILS = {CoercionInputShape.Integer, CoercionInputShape.Float,
        CoercionInputShape.Boolean, CoercionInputShape.String, CoercionInputShape.EmptyString};

    private static <V> V or(V value, V fallback) {
        return value != null ? value : fallback;
    }

    /** @return a builder with the default limits */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public <T> T decode(byte[] bytes, Class<T> type, String eventType) {
        Objects.requireNonNull(type, "type");
        if (bytes == null) {
            throw new DecodeException("event " + eventType + " has a null value", null, null, eventType);
        }
        if (bytes.length == 0) {
            throw new DecodeException("event " + eventType + " has an empty value", null, bytes, eventType);
        }
        T payload;
        try {
            payload = readers.get(type).readValue(bytes);
        } catch (IOException | RuntimeException e) {
            throw new DecodeException("cannot decode " + eventType + " as " + type.getName() + fieldOf(e) + ": "
                    + e.getMessage(), e, bytes, eventType);
        }
        if (payload == null) {
            throw new DecodeException("event " + eventType + " is JSON null", null, bytes, eventType);
        }
        return payload;
    }

    /** @return {@code " at field 'a.b[2].c'"} for a mapping failure inside the document, else "" */
    private static String fieldOf(Exception e) {
        if (!(e instanceof JsonMappingException m) || m.getPath().isEmpty()) {
            return "";
        }
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : m.getPath()) {
            if (ref.getFieldName() != null) {
                path.append(path.length() == 0 ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.length() == 0 ? "" : " at field '" + path + "'";
    }

    @Override
    public byte[] encode(Object payload) {
        Objects.requireNonNull(payload, "payload");
        try {
            return mapper.writeValueAsBytes(payload);
        } catch (IOException e) {
            throw new EventcoreException("cannot encode " + payload.getClass().getName() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Builds {@link JsonEventCodec}s. Setters reject invalid values at once with
     * {@link IllegalArgumentException} and a setting made twice with {@link IllegalStateException}
     * (modules are added, not set). Not thread-safe.
     */
    public static final class Builder {
        private Integer maxNestingDepth;
        private Integer maxStringLength;
        private Long maxDocumentLength;
        private Integer maxNumberLength;
        private Integer maxNameLength;
        private Boolean failOnUnknownProperties;
        private Boolean strict;
        private final List<Module> modules = new ArrayList<>();

        private Builder() {
        }

        /**
         * @param depth maximum nesting of arrays and objects, &gt;= 1; defaults to {@value #DEFAULT_MAX_NESTING_DEPTH}
         * @return this builder
         */
        public Builder maxNestingDepth(int depth) {
            this.maxNestingDepth = Checks.once("maxNestingDepth", maxNestingDepth, Checks.atLeast("maxNestingDepth", depth, 1));
            return this;
        }

        /**
         * @param length maximum chars of one string value, &gt;= 1; defaults to 1 MiB
         * @return this builder
         */
        public Builder maxStringLength(int length) {
            this.maxStringLength = Checks.once("maxStringLength", maxStringLength, Checks.atLeast("maxStringLength", length, 1));
            return this;
        }

        /**
         * @param length maximum document size in bytes, &gt;= 1; defaults to 16 MiB
         * @return this builder
         */
        public Builder maxDocumentLength(long length) {
            if (length < 1) {
                throw new IllegalArgumentException("maxDocumentLength must be >= 1, but was " + length);
            }
            this.maxDocumentLength = Checks.once("maxDocumentLength", maxDocumentLength, length);
            return this;
        }

        /**
         * @param length maximum chars of one number, &gt;= 1; defaults to {@value #DEFAULT_MAX_NUMBER_LENGTH}
         * @return this builder
         */
        public Builder maxNumberLength(int length) {
            this.maxNumberLength = Checks.once("maxNumberLength", maxNumberLength, Checks.atLeast("maxNumberLength", length, 1));
            return this;
        }

        /**
         * @param length maximum chars of one property name, &gt;= 1; defaults to {@value #DEFAULT_MAX_NAME_LENGTH}
         * @return this builder
         */
        public Builder maxNameLength(int length) {
            this.maxNameLength = Checks.once("maxNameLength", maxNameLength, Checks.atLeast("maxNameLength", length, 1));
            return this;
        }

        /**
         * @param fail whether unknown JSON properties fail decoding; defaults to {@code false}
         * @return this builder
         */
        public Builder failOnUnknownProperties(boolean fail) {
            this.failOnUnknownProperties = Checks.once("failOnUnknownProperties", failOnUnknownProperties, fail);
            return this;
        }

        /**
         * Switches strict decoding on or off (see the class description): no scalar coercion and
         * every creator property required. Unknown properties are governed separately by
         * {@link #failOnUnknownProperties(boolean)}.
         *
         * @param on whether to decode strictly; defaults to {@code false}
         * @return this builder
         */
        public Builder strict(boolean on) {
            this.strict = Checks.once("strict", strict, on);
            return this;
        }

        /**
         * Registers an extra Jackson module (e.g. for a money type). Default typing stays off.
         *
         * @param module the module
         * @return this builder
         */
        public Builder module(Module module) {
            modules.add(Objects.requireNonNull(module, "module"));
            return this;
        }

        /** @return the codec */
        public JsonEventCodec build() {
            return new JsonEventCodec(this);
        }
    }
}
