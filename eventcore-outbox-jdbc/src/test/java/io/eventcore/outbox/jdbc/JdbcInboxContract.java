package io.eventcore.outbox.jdbc;

import io.eventcore.inbox.InboxStore;
import io.eventcore.test.InboxStoreContract;
import io.eventcore.test.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Runs the inbox-store contract against one database. Effects are rows of a business table written on
 * the inbox transaction's connection, so atomicity is the database's, not a simulation.
 */
abstract class JdbcInboxContract extends InboxStoreContract<Connection> {
    private static final String TABLE = "ec_inbox_contract";
    private static final String EFFECTS = "ec_inbox_effects";
    private TestDatabase db;
    private JdbcInbox inbox;

    /** @return the database (may skip the test, or fail it in CI) */
    abstract TestDatabase database();

    @BeforeEach
    void emptyInbox() throws SQLException {
        db = database();
        inbox = JdbcInbox.builder(db.dataSource()).table(TABLE).purgeInterval(Duration.ZERO).build();
        inbox.createSchema();
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS " + EFFECTS + " (effect VARCHAR(100) NOT NULL)");
            s.execute("DELETE FROM " + EFFECTS);
            s.execute("DELETE FROM " + TABLE);
        }
    }

    @AfterEach
    void closeInbox() {
        if (inbox != null) {
            inbox.close();
        }
    }

    @Override
    protected InboxStore<Connection> store() {
        return inbox;
    }

    @Override
    protected void writeEffect(Connection transaction, String effect) throws SQLException {
        try (PreparedStatement s = transaction.prepareStatement("INSERT INTO " + EFFECTS + " (effect) VALUES (?)")) {
            s.setString(1, effect);
            s.executeUpdate();
        }
    }

    @Override
    protected List<String> committedEffects() throws SQLException {
        List<String> effects = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT effect FROM " + EFFECTS)) {
            while (rs.next()) {
                effects.add(rs.getString(1));
            }
        }
        return effects;
    }
}
