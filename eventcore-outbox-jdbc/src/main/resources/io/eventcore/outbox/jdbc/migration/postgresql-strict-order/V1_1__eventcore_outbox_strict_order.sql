--liquibase formatted sql
--changeset eventcore:eventcore-outbox-strict-order-1 splitStatements:false
-- eventcore JDBC outbox, PostgreSQL: strict commit order (JdbcOutbox.Builder.strictOrder(true)); apply after V1.
-- Per key, rows are relayed in the order their transactions committed:
-- * a deferred constraint trigger runs at COMMIT, once per transaction that appended: it takes transaction-scoped
--   advisory locks on the transaction's shards (in shard order, so two transactions cannot deadlock), draws one
--   value from eventcore_outbox_commit_seq and stamps it on the transaction's rows (commit_seq);
-- * the locks are released only after the commit is visible, so of two transactions touching a shard the one
--   that stamps later commits later, and a row can never appear behind a row of its shard already relayed;
-- * the relay reads a shard in (commit_seq, id) order; rows from before this file (no commit_seq) come first.
-- Cost: commits of transactions appending to the same shard are serialised (each holds the shard's lock from
-- its trigger to the end of its commit), and every row is written twice (insert, then the stamp).

ALTER TABLE eventcore_outbox ADD COLUMN IF NOT EXISTS tx_id XID8 NOT NULL DEFAULT pg_current_xact_id();
ALTER TABLE eventcore_outbox ADD COLUMN IF NOT EXISTS commit_seq BIGINT;
CREATE SEQUENCE IF NOT EXISTS eventcore_outbox_commit_seq;
CREATE INDEX IF NOT EXISTS eventcore_outbox_commit_idx ON eventcore_outbox (shard, commit_seq NULLS FIRST, id) WHERE published_at IS NULL;
CREATE INDEX IF NOT EXISTS eventcore_outbox_unstamped_idx ON eventcore_outbox (tx_id) WHERE commit_seq IS NULL;

CREATE OR REPLACE FUNCTION eventcore_outbox_commit_order() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    s INTEGER;
    seq BIGINT;
BEGIN
    IF (SELECT commit_seq FROM eventcore_outbox WHERE id = NEW.id) IS NOT NULL THEN
        RETURN NULL; -- an earlier firing in this transaction stamped its rows already
    END IF;
    FOR s IN SELECT DISTINCT shard FROM eventcore_outbox
             WHERE tx_id = NEW.tx_id AND commit_seq IS NULL AND shard >= 0 ORDER BY shard LOOP
        PERFORM pg_advisory_xact_lock(hashtext('eventcore_outbox'), s);
    END LOOP;
    seq := nextval('eventcore_outbox_commit_seq');
    UPDATE eventcore_outbox SET commit_seq = seq WHERE tx_id = NEW.tx_id AND commit_seq IS NULL;
    RETURN NULL;
END
$$;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'eventcore_outbox_commit_trg'
                   AND tgrelid = 'eventcore_outbox'::regclass) THEN
        CREATE CONSTRAINT TRIGGER eventcore_outbox_commit_trg AFTER INSERT ON eventcore_outbox
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION eventcore_outbox_commit_order();
    END IF;
END
$$;
