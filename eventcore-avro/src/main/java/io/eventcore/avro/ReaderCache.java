package io.eventcore.avro;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.DatumReader;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;

/**
 * The datum readers for one reader schema (a specific class, a configured generic schema, or "as
 * written"), one per writer fingerprint, made on first use. A resolving reader is expensive to
 * build and thread-safe to share, so each pair (writer, reader) is built once.
 */
final class ReaderCache {
    /** The reader schema, or {@code null} to read generic records with the writer's schema. */
    private final Schema readerSchema;
    /** The specific model of the reader class, or {@code null} for generic records. */
    private final SpecificData specific;
    private final long readerFingerprint;
    private final ConcurrentMap<Long, DatumReader<Object>> byWriter = new ConcurrentHashMap<>();

    private ReaderCache(Schema readerSchema, SpecificData specific) {
        this.readerSchema = readerSchema;
        this.specific = specific;
        this.readerFingerprint = readerSchema == null ? 0 : AvroSchemaStore.fingerprint(readerSchema);
    }

    /** @return readers into instances of a generated class */
    static ReaderCache specific(Class<?> type) {
        SpecificData model = new RouteSpecificData(type);
        return new ReaderCache(model.getSchema(type), model);
    }

    /** @return readers into generic records of this schema, or of the writer's schema if {@code null} */
    static ReaderCache generic(Schema readerSchema) {
        return new ReaderCache(readerSchema, null);
    }

    /** @return the reader schema, or {@code null} for "as written" */
    Schema readerSchema() {
        return readerSchema;
    }

    /**
     * @return the reader for records written with this fingerprint, or {@code null} when neither
     *         the store nor the reader schema itself has that fingerprint
     */
    DatumReader<Object> reader(long writerFingerprint, AvroSchemaStore store) {
        DatumReader<Object> reader = byWriter.get(writerFingerprint);
        if (reader != null) {
            return reader;
        }
        Schema writer = store.findByFingerprint(writerFingerprint);
        if (writer == null && readerSchema != null && writerFingerprint == readerFingerprint) {
            writer = readerSchema; // written with the reader's own schema: no store needed
        }
        if (writer == null) {
            return null;
        }
        DatumReader<Object> made = specific != null
                ? new SpecificDatumReader<>(writer, readerSchema, specific)
                : new GenericDatumReader<>(writer, readerSchema == null ? writer : readerSchema, GenericData.get());
        DatumReader<Object> raced = byWriter.putIfAbsent(writerFingerprint, made);
        return raced != null ? raced : made;
    }
}
