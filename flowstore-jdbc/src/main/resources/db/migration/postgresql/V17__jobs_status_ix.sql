-- jobs_stats_ix (tenant_id, queue, status, run_at) and jobs_list_ix (tenant_id, queue, status, seq)
-- become one index, jobs_status_ix (tenant_id, queue, status, seq, run_at): Queue.list reads it in
-- seq order within a status (as it read jobs_list_ix), and Queue.stats counts from it alone, an
-- index-only scan with run_at at hand (as it did from jobs_stats_ix). Every change of a job's
-- status (enqueue, lease, ack, nack, expiry, DLQ) wrote an entry in both; now in one (docs/queue.md
-- "Indexes").
DROP INDEX IF EXISTS jobs_stats_ix;
DROP INDEX IF EXISTS jobs_list_ix;
CREATE INDEX IF NOT EXISTS jobs_status_ix ON jobs (tenant_id, queue, status, seq, run_at);
