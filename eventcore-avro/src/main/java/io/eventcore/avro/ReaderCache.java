package io.eventcore.avro;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
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
    private final ConcurrentMap<Long, Resolved> byWriter = new ConcurrentHashMap<>();

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
    Resolved reader(long writerFingerprint, AvroSchemaStore store) {
        Resolved resolved = byWriter.get(writerFingerprint);
        if (resolved != null) {
            return resolved;
        }
        Schema writer = store.findByFingerprint(writerFingerprint);
        if (writer == null && readerSchema != null && writerFingerprint == readerFingerprint) {
            writer = readerSchema; // written with the reader's own schema: no store needed
        }
        if (writer == null) {
            return null;
        }
        Schema reader = readerSchema == null ? writer : readerSchema;
        DatumReader<Object> datumReader = specific != null
                ? new SpecificDatumReader<>(writer, reader, specific)
                : new GenericDatumReader<>(writer, reader, GenericData.get());
        Resolved made = new Resolved(writer, reader, datumReader);
        Resolved raced = byWriter.putIfAbsent(writerFingerprint, made);
        return raced != null ? raced : made;
    }

    /** A writer schema resolved against the reader schema. */
    static final class Resolved {
        final Schema writer;
        final Schema reader;
        final DatumReader<Object> datumReader;

        Resolved(Schema writer, Schema reader, DatumReader<Object> datumReader) {
            this.writer = writer;
            this.reader = reader;
            this.datumReader = datumReader;
        }

        /**
         * Called only after a read failed, to say why in terms of the schemas: Avro's own message
         * ("Found string, expecting int") does not name the field.
         *
         * @return where and how the schemas are incompatible, or {@code null} if they are compatible
         */
        String incompatibility() {
            SchemaCompatibility.SchemaCompatibilityResult result =
                    SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getResult();
            if (result.getCompatibility() == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                return null;
            }
            StringBuilder why = new StringBuilder();
            for (SchemaCompatibility.Incompatibility i : result.getIncompatibilities()) {
                why.append(why.length() == 0 ? "" : "; ").append(i.getType()).append(" at ").append(i.getLocation())
                        .append(": ").append(i.getMessage());
            }
            return why.toString();
        }
    }
}
