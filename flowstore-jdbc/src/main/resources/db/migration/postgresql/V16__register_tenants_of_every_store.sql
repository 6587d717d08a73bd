-- Registers in tenants the tenants that wrote only flows, nodes, tasks, commands, steps, checkpoints,
-- audit entries or processed messages: until this version those writes did not register their tenant
-- (events, sessions and records did, through the feed head; jobs, outbox messages, idempotency keys
-- and resume handles did themselves). Now every write that creates a tenant's rows registers it
-- (TenantRegistry), so this is needed once, for the rows written before.
--
-- The owner running migrations is rarely a superuser, and FORCE ROW LEVEL SECURITY hides every row of
-- these tables from it; so each table's FORCE is lifted for this transaction only (DDL is
-- transactional: it is forced again before the commit, and nobody else ever sees it lifted; the
-- tables are locked meanwhile). tenants itself lets its owner write any row (V9, owner_access).
--
-- One index probe per tenant (a loose scan of the primary key, which leads with tenant_id), not a
-- pass over every row: processed_messages and step_attempts may be large.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['flows', 'registry_nodes', 'async_tasks', 'command_inbox',
                             'step_attempts', 'workflow_checkpoints', 'audit_heads',
                             'processed_messages'] LOOP
        EXECUTE format('ALTER TABLE %I NO FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'INSERT INTO tenants (tenant_id)'
            ' WITH RECURSIVE d (id) AS ('
            '   SELECT min(tenant_id) FROM %1$I'
            '   UNION ALL'
            '   SELECT (SELECT min(x.tenant_id) FROM %1$I x WHERE x.tenant_id > d.id) FROM d WHERE d.id IS NOT NULL'
            ' ) SELECT id FROM d WHERE id IS NOT NULL'
            ' ON CONFLICT (tenant_id) DO NOTHING', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    END LOOP;
END
$$;
