/**
 * Apache Avro payloads: {@link io.eventcore.avro.AvroEventCodec} reads and writes Avro
 * single-object encoding, resolving each record's writer schema by fingerprint through an
 * {@link io.eventcore.avro.AvroSchemaStore} ({@link io.eventcore.avro.InMemoryAvroSchemaStore},
 * {@link io.eventcore.avro.ClasspathAvroSchemaStore}).
 */
package io.eventcore.avro;
