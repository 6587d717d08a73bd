-- Registers in tenants the tenants that wrote only flows, nodes, tasks, commands, steps, checkpoints,
-- audit entries or processed messages: until this version those writes did not register their tenant
-- (see the PostgreSQL migration V16). Now every write that creates a tenant's rows registers it
-- (TenantRegistry), so this is needed once, for the rows written before.
INSERT OR IGNORE INTO tenants (tenant_id) SELECT DISTINCT tenant_id FROM flows;
INSERT OR IGNORE INTO tenants (tenant_id) SELECT DISTINCT tenant_id FROM registry_nodes;
INSERT OR IGNORE INTO tenants (tenant_id) SELECT DISTINCT tenant_id FROM async_tasks;
INSERT OR IGNORE INTO tenants (tenant_id) SELECT DISTINCT tenant_id FROM command_inbox;
INSERT OR IGNORE INTO tenants (tenant_id) SELECT DISTINCT tenant_id FROM step_attempts;
INSERT OR IGNORE INTO tenants (tenant_id) SELECT DISTINCT tenant_id FROM workflow_checkpoints;
INSERT OR IGNORE INTO tenants (tenant_id) SELECT DISTINCT tenant_id FROM audit_heads;
INSERT OR IGNORE INTO tenants (tenant_id) SELECT DISTINCT tenant_id FROM processed_messages;
