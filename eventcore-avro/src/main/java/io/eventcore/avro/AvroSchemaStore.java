package io.eventcore.avro;

import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.SchemaStore;

/**
 * Where {@link AvroEventCodec} finds the writer's schema of a record: Avro single-object encoding
 * carries only the writer schema's 64-bit CRC-64-AVRO fingerprint (of its Parsing Canonical
 * Form), and the store maps it back to the schema.
 *
 * <p>Two implementations ship: {@link InMemoryAvroSchemaStore} ({@link #inMemory(Schema...)}),
 * filled by {@link #register(Schema) registration}, and {@link ClasspathAvroSchemaStore}
 * ({@link #classpath(String...)}), loaded once from {@code .avsc} resources and read-only. A
 * consumer's store holds every schema version its producers have written with (old and new).
 *
 * <p>The interface extends Avro's own {@link SchemaStore}, so a store can also be handed to
 * Avro's {@code BinaryMessageDecoder}.
 *
 * <p>Implementations must be thread-safe. {@link #findByFingerprint(long)} is called on the
 * dispatch path only the first time a (fingerprint, reader) pair is seen: the codec caches the
 * result. An exception it throws (say, a remote store that is down) is passed on unchanged, not
 * turned into a {@link io.eventcore.codec.DecodeException}, so the record is not dead-lettered
 * for a store outage.
 */
public interface AvroSchemaStore extends SchemaStore {

    /**
     * Finds a schema by fingerprint.
     *
     * @param fingerprint the CRC-64-AVRO fingerprint of the schema's Parsing Canonical Form, as
     *        {@link #fingerprint(Schema)} computes it
     * @return the schema, or {@code null} when this store does not know the fingerprint
     */
    @Override
    Schema findByFingerprint(long fingerprint);

    /**
     * Makes sure this store finds {@code schema} by its fingerprint. {@link AvroEventCodec} calls
     * it once per writer schema before it first encodes with that schema, so a record it writes can
     * always be read back through the same store. It must be idempotent, cheap and local: it is
     * not a remote registration.
     *
     * @param schema the schema, not {@code null}
     * @return the schema's fingerprint
     * @throws UnsupportedOperationException if this store cannot add schemas and does not already
     *         know this one (a read-only store: the schema was not shipped with it)
     */
    long register(Schema schema);

    /**
     * The fingerprint single-object encoding uses: CRC-64-AVRO of the Parsing Canonical Form.
     * Schemas that differ only in docs, defaults, aliases or logical types share a fingerprint.
     *
     * @param schema the schema, not {@code null}
     * @return its 64-bit fingerprint
     */
    static long fingerprint(Schema schema) {
        return SchemaNormalization.parsingFingerprint64(schema);
    }

    /**
     * A new, mutable in-memory store.
     *
     * @param schemas schemas to register at once
     * @return the store
     */
    static InMemoryAvroSchemaStore inMemory(Schema... schemas) {
        InMemoryAvroSchemaStore store = new InMemoryAvroSchemaStore();
        for (Schema schema : schemas) {
            store.register(schema);
        }
        return store;
    }

    /**
     * A read-only store of the {@code .avsc} files at the given classpath locations, loaded now
     * with the class loader of this library; see {@link ClasspathAvroSchemaStore#load(ClassLoader, String...)}.
     *
     * @param locations resource paths of {@code .avsc} files or of directories holding them
     * @return the store
     * @throws IllegalArgumentException if a location does not exist or a file is not a valid schema
     */
    static ClasspathAvroSchemaStore classpath(String... locations) {
        return ClasspathAvroSchemaStore.load(AvroSchemaStore.class.getClassLoader(), locations);
    }
}
