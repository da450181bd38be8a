package io.eventcore.outbox.jdbc;

import io.eventcore.codec.EventCodec;
import io.eventcore.outbox.OutboxEvent;
import io.eventcore.outbox.OutboxRecord;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Binds outbox rows to statements and reads them back, in the column order of {@link Sql}: times as epoch
 * milliseconds, headers as one text column ({@link Headers}).
 */
final class RowMapping {
    private RowMapping() {
    }

    /** Binds the parameters of {@link Sql#insert} for an appended event. */
    static void bindInsert(PreparedStatement s, int shard, OutboxEvent e, EventCodec codec, Instant now)
            throws SQLException {
        OutboxEvent.Encoded encoded = e.encode(codec);
        bindInsert(s, shard, e.eventId(), e.aggregateType(), e.aggregateId(), e.eventType(), e.topic(),
                encoded.headers(), encoded.payload(), e.occurredAt() != null ? e.occurredAt() : now);
    }

    /** Binds the parameters of {@link Sql#insert} (and {@link Sql#replay}). */
    static void bindInsert(PreparedStatement s, int shard, String eventId, String aggregateType, String aggregateId,
            String eventType, String topic, Map<String, String> headers, byte[] payload, Instant createdAt)
            throws SQLException {
        s.setInt(1, shard);
        s.setString(2, eventId);
        s.setString(3, aggregateType);
        s.setString(4, aggregateId);
        s.setString(5, eventType);
        s.setString(6, topic);
        s.setString(7, Headers.encode(headers));
        s.setBytes(8, payload);
        s.setLong(9, createdAt.toEpochMilli());
    }

    /** Binds parameters 1 to 11 of {@link Sql#insertDead}: every column of the record. */
    static void bindRecord(PreparedStatement s, OutboxRecord r) throws SQLException {
        s.setLong(1, r.id());
        s.setString(2, r.eventId());
        s.setString(3, r.aggregateType());
        s.setString(4, r.aggregateId());
        s.setString(5, r.eventType());
        s.setString(6, r.topic());
        s.setString(7, Headers.encode(r.headers()));
        s.setBytes(8, r.payload());
        s.setLong(9, r.createdAt().toEpochMilli());
        s.setInt(10, r.attempts());
        s.setString(11, r.lastError());
    }

    /** Runs a query selecting {@link Sql}'s record columns. */
    static List<OutboxRecord> rows(PreparedStatement query) throws SQLException {
        List<OutboxRecord> out = new ArrayList<>();
        try (ResultSet rs = query.executeQuery()) {
            while (rs.next()) {
                out.add(new OutboxRecord(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), Headers.decode(rs.getString(7)), rs.getBytes(8),
                        Instant.ofEpochMilli(rs.getLong(9)), rs.getInt(10), rs.getString(11)));
            }
        }
        return out;
    }
}
