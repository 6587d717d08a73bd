-- tenants and api_keys under row-level security like every other table with a tenant_id (V1 and V2 left
-- them outside it, so a tenant transaction, running as ${app_role}, could read every key hash and
-- delete other tenants).
--
-- Two policies each, OR-ed by PostgreSQL:
--   tenant_isolation  the usual one: a tenant transaction sees and writes only its own row(s). For
--                     tenants that is what registering a tenant and marking it an outbox user need.
--   owner_access      the table's owner (the POSTGRES_DSN user, which runs migrations), and roles that
--                     inherit its rights, see every row: listing tenants for the sweepers and the
--                     `tenant` CLI, and looking an API key up by its hash before its tenant is known,
--                     run as the owner, outside any tenant transaction. FORCE would otherwise hide
--                     every row from a non-superuser owner. The owner is looked up when the policy
--                     runs (once per statement), so ALTER TABLE ... OWNER TO keeps it right.
-- The application role never inherits the owner's rights (flowstore refuses to start if it does, see
-- PostgresRoles.check), and on start PostgresRoles.provision takes every privilege on api_keys and
-- DELETE on tenants away from it: key writes and lookups are the owner's alone.

ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenants
    USING (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''))
    WITH CHECK (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''));
CREATE POLICY owner_access ON tenants
    USING (pg_has_role((SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = 'tenants'::regclass), 'USAGE'))
    WITH CHECK (pg_has_role((SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = 'tenants'::regclass), 'USAGE'));

ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON api_keys
    USING (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''))
    WITH CHECK (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''));
CREATE POLICY owner_access ON api_keys
    USING (pg_has_role((SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = 'api_keys'::regclass), 'USAGE'))
    WITH CHECK (pg_has_role((SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = 'api_keys'::regclass), 'USAGE'));
