package io.eventcore.avro;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.Schema;

/**
 * A mutable {@link AvroSchemaStore} held in memory: schemas are added with {@link #register(Schema)}
 * and never removed. The first schema registered for a fingerprint is kept; a later one with the
 * same fingerprint differs at most in docs, defaults or aliases, which do not matter for a writer
 * schema.
 *
 * <p>Thread-safe: registration and lookup may run concurrently from any thread.
 */
public final class InMemoryAvroSchemaStore implements AvroSchemaStore {
    private final ConcurrentMap<Long, Schema> schemas = new ConcurrentHashMap<>();

    /** Creates an empty store; {@link AvroSchemaStore#inMemory(Schema...)} also registers schemas. */
    public InMemoryAvroSchemaStore() {
    }

    @Override
    public Schema findByFingerprint(long fingerprint) {
        return schemas.get(fingerprint);
    }

    /**
     * Adds the schema; registering a known schema again does nothing.
     *
     * @param schema the schema, not {@code null}
     * @return its fingerprint
     */
    @Override
    public long register(Schema schema) {
        Objects.requireNonNull(schema, "schema");
        long fingerprint = AvroSchemaStore.fingerprint(schema);
        schemas.putIfAbsent(fingerprint, schema);
        return fingerprint;
    }

    /** @return a snapshot of the registered schemas, in no particular order */
    public List<Schema> schemas() {
        return List.copyOf(schemas.values());
    }

    @Override
    public String toString() {
        return "InMemoryAvroSchemaStore[" + schemas.size() + " schemas]";
    }
}
