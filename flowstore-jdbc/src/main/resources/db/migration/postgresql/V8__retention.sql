-- Retention (Queue.purgeSucceeded, Outbox.purgePublished; run by the server's sweeper): finished rows are
-- deleted in batches, oldest first. These partial indexes hold only the rows a purge may delete, in
-- deletion order, so each batch is an index range scan however large the tables are, and they cost
-- nothing for live work (queued / pending rows are not in them).
CREATE INDEX jobs_succeeded_ix ON jobs (tenant_id, finished_at) WHERE status = 'succeeded';
CREATE INDEX outbox_published_ix ON outbox (tenant_id, published_at) WHERE status = 'PUBLISHED';
