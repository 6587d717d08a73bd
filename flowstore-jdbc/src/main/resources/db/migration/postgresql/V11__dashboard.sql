-- What a key may do (ApiKeys.Scope): tenant = read and write its tenant (every older key),
-- read = read its tenant only (writes answer 403 FORBIDDEN), admin = read and write any tenant.
-- api_keys keeps its forced RLS and owner-only access from V9: nothing to change there.
ALTER TABLE api_keys ADD COLUMN scope TEXT NOT NULL DEFAULT 'tenant'
    CHECK (scope IN ('tenant', 'read', 'admin'));

-- Queue.list (the dashboard's jobs of a queue, newest first, optionally of one status): one
-- index range per status instead of a scan of the queue's jobs.
CREATE INDEX jobs_list_ix ON jobs (tenant_id, queue, status, seq);
