-- The hot writers of jobs, outbox and workflow_checkpoints (enqueue, the mirror's apply, the
-- outbox's add, a checkpoint's save) now give a new row its rowid and seq themselves, both
-- max(rowid) + 1 read in the same statement: the value SQLite would give the rowid and the trigger
-- would then copy into seq (Dialect.seqColumns). The triggers stay for every other writer, but only
-- fill a seq that was not given: before, each insert was followed by an UPDATE of the row that
-- rewrote its seq-keyed index entries (jobs_ready_ix, jobs_list_ix; outbox_due_ix,
-- outbox_status_ix; workflow_checkpoints_session_seq_ix) and, for a checkpoint, its whole data
-- again. Measured in docs/queue.md.
DROP TRIGGER jobs_seq;
CREATE TRIGGER jobs_seq AFTER INSERT ON jobs WHEN NEW.seq IS NULL
BEGIN
    UPDATE jobs SET seq = NEW.rowid WHERE rowid = NEW.rowid;
END;

DROP TRIGGER outbox_seq;
CREATE TRIGGER outbox_seq AFTER INSERT ON outbox WHEN NEW.seq IS NULL
BEGIN
    UPDATE outbox SET seq = NEW.rowid WHERE rowid = NEW.rowid;
END;

DROP TRIGGER workflow_checkpoints_seq;
CREATE TRIGGER workflow_checkpoints_seq AFTER INSERT ON workflow_checkpoints WHEN NEW.seq IS NULL
BEGIN
    UPDATE workflow_checkpoints SET seq = NEW.rowid WHERE rowid = NEW.rowid;
END;
