package io.eventcore.outbox.jdbc;

import java.sql.Connection;
import java.sql.SQLException;

/** Transaction handling shared by the outbox and the inbox. */
final class Transactions {
    private Transactions() {
    }

    /**
     * Rolls back after {@code failure}, then restores auto-commit (nothing is pending any more); if the
     * rollback fails the connection is aborted instead, so that closing it (a pool may reset auto-commit,
     * which commits) cannot commit the transaction. What fails here is added to {@code failure} as suppressed.
     */
    static void rollbackAfter(Connection c, Throwable failure, boolean autoCommit) {
        try {
            c.rollback();
            if (autoCommit) {
                c.setAutoCommit(true);
            }
        } catch (SQLException | RuntimeException e) {
            failure.addSuppressed(e);
            try {
                c.abort(Runnable::run);
            } catch (SQLException | RuntimeException abortFailure) {
                failure.addSuppressed(abortFailure);
            }
        }
    }
}
