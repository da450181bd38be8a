package io.eventcore.avro;

import io.eventcore.EventcoreException;
import io.eventcore.codec.DecodeException;
import io.eventcore.codec.EventCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * An {@link EventCodec} for Apache Avro in
 * <a href="https://avro.apache.org/docs/1.12.0/specification/#single-object-encoding">single-object
 * encoding</a>: the marker {@code C3 01}, the writer schema's 8-byte little-endian CRC-64-AVRO
 * fingerprint, then the binary datum.
 *
 * <p><b>Decoding</b> finds the writer's schema by fingerprint in the {@link AvroSchemaStore} and
 * resolves it against the reader schema by Avro's schema resolution rules (fields added with a
 * default, fields removed, enum symbols mapped to the reader's enum default, numeric promotions):
 * <ul>
 *   <li>a route whose payload class is a generated {@link SpecificRecord} reads with that class's
 *       schema ({@code SCHEMA$});</li>
 *   <li>a route whose payload class is {@link org.apache.avro.generic.GenericRecord} (or
 *       {@link GenericData.Record}, {@link org.apache.avro.generic.IndexedRecord},
 *       {@link GenericContainer}) reads with the schema configured for the event type with
 *       {@link Builder#genericReaderSchema(String, Schema)}, or, when none is configured, with the
 *       writer's own schema (the record as written, no resolution). Generic strings decode as
 *       Avro's {@code Utf8} (a {@link CharSequence}), as everywhere in Avro's generic API.</li>
 * </ul>
 * A record written with exactly the reader's schema decodes even if the store lacks that schema.
 * Only the generated classes named in the route class's own schema are instantiated (never a
 * class named by the wire or the store), so Avro's class allow-list
 * ({@code org.apache.avro.SERIALIZABLE_PACKAGES}) need not list them.
 * Any failure is a {@link DecodeException} with the original bytes: null or empty value, fewer
 * than 10 bytes, a wrong marker, an unknown fingerprint, a truncated or over-long datum (trailing
 * bytes are rejected), an incompatible writer schema, or a payload class that is no Avro record.
 * The router dead-letters such a record byte-exact and never retries it. An exception thrown by the
 * store itself is passed on unchanged.
 *
 * <p><b>Encoding</b> writes a {@link SpecificRecord} or {@link GenericContainer} with its own
 * schema. Before the first encode with a schema the codec calls {@link AvroSchemaStore#register(Schema)},
 * so what it writes can be read back through the same store; with a read-only
 * {@link ClasspathAvroSchemaStore} that lacks the schema, encoding fails
 * ({@link EventcoreException}) instead of producing records its consumers cannot resolve.
 * Nothing is registered remotely.
 *
 * <p>Datum readers are cached per (writer fingerprint, reader schema) and writers per schema.
 * Immutable and thread-safe.
 */
public final class AvroEventCodec implements EventCodec {
    /** The content type written with every record: {@value}. */
    public static final String CONTENT_TYPE = "application/vnd.apache.avro+binary";
    /** How many distinct generic writer schemas are cached; beyond that each encode looks its schema up: {@value}. */
    static final int MAX_CACHED_GENERIC_WRITERS = 256;

    private final AvroSchemaStore store;
    private final Map<String, ReaderCache> genericReaders;
    private final ReaderCache genericAsWritten = ReaderCache.generic(null);
    private final ConcurrentMap<Schema, Writer> genericWriters = new ConcurrentHashMap<>();
    private final ClassValue<ReaderCache> specificReaders = new ClassValue<>() {
        @Override
        protected ReaderCache computeValue(Class<?> type) {
            return ReaderCache.specific(type);
        }
    };
    private final ClassValue<Writer> specificWriters = new ClassValue<>() {
        @Override
        protected Writer computeValue(Class<?> type) {
            SpecificData model = SpecificData.getForClass(type);
            Schema schema = model.getSchema(type);
            return new Writer(schema, store.register(schema), new SpecificDatumWriter<>(schema, model));
        }
    };

    private AvroEventCodec(Builder builder) {
        this.store = builder.store;
        Map<String, ReaderCache> generic = new HashMap<>();
        builder.genericSchemas.forEach((type, schema) -> generic.put(type, ReaderCache.generic(schema)));
        this.genericReaders = Map.copyOf(generic);
    }

    /** @return a new builder; {@link Builder#schemaStore(AvroSchemaStore)} is required */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the schema store this codec resolves writer schemas with */
    public AvroSchemaStore schemaStore() {
        return store;
    }

    /** @return {@value #CONTENT_TYPE} */
    @Override
    public String contentType() {
        return CONTENT_TYPE;
    }

    /**
     * Decodes a single-object encoded record into the route's payload class; see the class
     * comment for how the reader schema is chosen.
     *
     * @param bytes the raw value
     * @param type a generated {@link SpecificRecord} class, or a generic record type
     * @param eventType the event type, for error messages and to pick a generic reader schema
     * @param <T> payload type
     * @return the record, never {@code null}
     * @throws DecodeException if the bytes are not a record the reader schema can read
     */
    @Override
    public <T> T decode(byte[] bytes, Class<T> type, String eventType) {
        Objects.requireNonNull(type, "type");
        if (bytes == null) {
            throw new DecodeException("event " + eventType + " has a null value", null, null, eventType);
        }
        checkHeader(bytes, eventType);
        long fingerprint = SingleObject.fingerprint(bytes);
        ReaderCache.Resolved resolved = readers(type, bytes, eventType).reader(fingerprint, store);
        if (resolved == null) {
            throw new DecodeException("event " + eventType + " was written with an unknown Avro schema (fingerprint "
                    + hex(fingerprint) + ", not in " + store + ")", null, bytes, eventType);
        }
        Object payload;
        boolean trailing;
        try {
            BinaryDecoder decoder = DecoderFactory.get()
                    .binaryDecoder(bytes, SingleObject.HEADER_LENGTH, bytes.length - SingleObject.HEADER_LENGTH, null);
            payload = resolved.datumReader.read(null, decoder);
            trailing = !decoder.isEnd();
        } catch (IOException | RuntimeException e) {
            throw new DecodeException("cannot decode " + eventType + " written with " + resolved.writer.getFullName()
                    + " (fingerprint " + hex(fingerprint) + ") as " + type.getName() + ": " + e
                    + why(resolved), e, bytes, eventType);
        }
        if (trailing) {
            throw new DecodeException("event " + eventType + " has bytes after the Avro datum", null, bytes, eventType);
        }
        if (!type.isInstance(payload)) {
            throw new DecodeException("event " + eventType + " decoded as " + payload.getClass().getName()
                    + ", not as the route's " + type.getName(), null, bytes, eventType);
        }
        return type.cast(payload);
    }

    private static String why(ReaderCache.Resolved resolved) {
        try {
            String incompatibility = resolved.incompatibility();
            return incompatibility == null ? "" : " (schemas incompatible: " + incompatibility + ")";
        } catch (RuntimeException e) {
            return ""; // the explanation is a courtesy; the decode failure stands on its own
        }
    }

    private static void checkHeader(byte[] bytes, String eventType) {
        if (bytes.length == 0) {
            throw new DecodeException("event " + eventType + " has an empty value", null, bytes, eventType);
        }
        if (bytes.length < 2 || !SingleObject.hasMarker(bytes)) {
            throw new DecodeException("event " + eventType + " is not Avro single-object encoded: it does not start"
                    + " with the marker C3 01", null, bytes, eventType);
        }
        if (bytes.length < SingleObject.HEADER_LENGTH) {
            throw new DecodeException("event " + eventType + " has " + bytes.length + " bytes, fewer than the "
                    + SingleObject.HEADER_LENGTH + "-byte Avro single-object header", null, bytes, eventType);
        }
    }

    private ReaderCache readers(Class<?> type, byte[] bytes, String eventType) {
        if (SpecificRecord.class.isAssignableFrom(type)) {
            try {
                return specificReaders.get(type);
            } catch (RuntimeException e) {
                throw new DecodeException("payload class " + type.getName() + " of " + eventType
                        + " has no Avro schema: " + e, e, bytes, eventType);
            }
        }
        if (isGeneric(type)) {
            return eventType == null ? genericAsWritten : genericReaders.getOrDefault(eventType, genericAsWritten);
        }
        throw new DecodeException("payload class " + type.getName() + " of " + eventType
                + " is neither a generated SpecificRecord nor a GenericRecord", null, bytes, eventType);
    }

    private static boolean isGeneric(Class<?> type) {
        return GenericContainer.class.isAssignableFrom(type) && type.isAssignableFrom(GenericData.Record.class);
    }

    /**
     * Encodes a {@link SpecificRecord} or {@link GenericContainer} with its own schema, in
     * single-object encoding.
     *
     * @param payload the record, not {@code null}
     * @return the bytes: header and datum
     * @throws NullPointerException if the payload is {@code null}
     * @throws EventcoreException if the payload is no Avro record, its schema cannot be registered
     *         in the store, or it does not match its schema (say, {@code null} in a non-null field)
     */
    @Override
    public byte[] encode(Object payload) {
        Objects.requireNonNull(payload, "payload");
        Writer writer = writer(payload);
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        out.writeBytes(writer.header);
        try {
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            writer.datumWriter.write(payload, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new EventcoreException("cannot encode " + payload.getClass().getName() + " as Avro "
                    + writer.schema.getFullName() + ": " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    private Writer writer(Object payload) {
        try {
            if (payload instanceof SpecificRecord) {
                return specificWriters.get(payload.getClass());
            }
            if (payload instanceof GenericContainer) {
                Schema schema = ((GenericContainer) payload).getSchema();
                Writer cached = genericWriters.get(schema);
                if (cached != null) {
                    return cached;
                }
                Writer made = new Writer(schema, store.register(schema), new GenericDatumWriter<>(schema, GenericData.get()));
                if (genericWriters.size() < MAX_CACHED_GENERIC_WRITERS) {
                    genericWriters.putIfAbsent(schema, made);
                }
                return made;
            }
        } catch (RuntimeException e) {
            throw new EventcoreException("cannot encode " + payload.getClass().getName() + ": its Avro schema is"
                    + " not usable with " + store + ": " + e.getMessage(), e);
        }
        throw new EventcoreException("cannot encode " + payload.getClass().getName()
                + ": AvroEventCodec encodes Avro records only (a generated SpecificRecord or a GenericRecord)");
    }

    private static String hex(long fingerprint) {
        return String.format("%016x", fingerprint);
    }

    /** A writer schema with its header and datum writer. */
    private static final class Writer {
        final Schema schema;
        final byte[] header;
        final DatumWriter<Object> datumWriter;

        Writer(Schema schema, long fingerprint, DatumWriter<Object> datumWriter) {
            this.schema = schema;
            this.header = SingleObject.header(fingerprint);
            this.datumWriter = datumWriter;
        }
    }

    /**
     * Builds {@link AvroEventCodec}s. Setters reject {@code null} with
     * {@link NullPointerException} and a setting made twice with {@link IllegalStateException};
     * {@link #build()} requires a schema store. Not thread-safe.
     */
    public static final class Builder {
        private AvroSchemaStore store;
        private final Map<String, Schema> genericSchemas = new HashMap<>();

        private Builder() {
        }

        /**
         * Where writer schemas are found (and registered before encoding). Required.
         *
         * @param store the store, e.g. {@link AvroSchemaStore#classpath(String...)}
         * @return this builder
         * @throws IllegalStateException if a store was already set
         */
        public Builder schemaStore(AvroSchemaStore store) {
            Objects.requireNonNull(store, "store");
            if (this.store != null) {
                throw new IllegalStateException("schemaStore is already set to " + this.store);
            }
            this.store = store;
            return this;
        }

        /**
         * The reader schema for generic-record routes of one event type. Records are resolved
         * into it as into a generated class. Without it, a generic route reads each record with its
         * writer's schema.
         *
         * @param eventType the event type, not blank
         * @param readerSchema a record schema
         * @return this builder
         * @throws IllegalArgumentException if the event type is blank or the schema is not a record
         * @throws IllegalStateException if a schema is already set for this event type
         */
        public Builder genericReaderSchema(String eventType, Schema readerSchema) {
            Objects.requireNonNull(eventType, "eventType");
            Objects.requireNonNull(readerSchema, "readerSchema");
            if (eventType.isBlank()) {
                throw new IllegalArgumentException("eventType must not be blank, but was '" + eventType + "'");
            }
            if (readerSchema.getType() != Schema.Type.RECORD) {
                throw new IllegalArgumentException("readerSchema must be a record schema, but was " + readerSchema.getType());
            }
            if (genericSchemas.containsKey(eventType)) {
                throw new IllegalStateException("genericReaderSchema for " + eventType + " is already set");
            }
            genericSchemas.put(eventType, readerSchema);
            return this;
        }

        /**
         * @return the codec
         * @throws IllegalStateException if no schema store was set
         */
        public AvroEventCodec build() {
            if (store == null) {
                throw new IllegalStateException("schemaStore must be set, but was not");
            }
            return new AvroEventCodec(this);
        }
    }
}
