-- Retention (see the PostgreSQL migration): the rows a purge may delete, in deletion order.
CREATE INDEX jobs_succeeded_ix ON jobs (tenant_id, finished_at) WHERE status = 'succeeded';
CREATE INDEX outbox_published_ix ON outbox (tenant_id, published_at) WHERE status = 'PUBLISHED';
