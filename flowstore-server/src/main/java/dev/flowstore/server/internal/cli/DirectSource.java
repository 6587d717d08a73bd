package dev.flowstore.server.internal.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreConfig;
import dev.flowstore.TenantId;
import dev.flowstore.server.internal.http.ApiBodies;
import java.util.UUID;

/**
 * The configured backend, opened in this process ({@code Flowstore.open}): the same stores and the
 * same JSON ({@link ApiBodies}) as the server's endpoints. Redrive and purge write their audit
 * entries in the store, as they do behind the HTTP API.
 */
final class DirectSource implements OperatorSource {
  private final Flowstore flowstore;
  private final TenantId tenant;
  private final String backend;

  DirectSource(FlowstoreConfig config, TenantId tenant) {
    this.flowstore = Flowstore.open(config);
    this.tenant = tenant;
    this.backend = config.storeBackend();
  }

  @Override
  public String describe() {
    return backend + " backend";
  }

  @Override
  public ObjectNode queues() {
    return ApiBodies.queues(flowstore.queue(tenant));
  }

  @Override
  public ObjectNode job(UUID id) {
    return ApiBodies.job(flowstore.queue(tenant), id);
  }

  @Override
  public ObjectNode dlqPage(String queue, UUID after, int limit) {
    return ApiBodies.dlqPage(flowstore.queue(tenant).deadLetters(), queue, after, limit);
  }

  @Override
  public ObjectNode dlqItem(UUID id) {
    return ApiBodies.dlqItem(flowstore.queue(tenant).deadLetters(), id);
  }

  @Override
  public ObjectNode redrive(UUID id) {
    return ApiBodies.redrive(flowstore.queue(tenant).deadLetters(), id);
  }

  @Override
  public void purge(UUID id) {
    flowstore.queue(tenant).deadLetters().purge(id);
  }

  @Override
  public ObjectNode session(UUID id) {
    return ApiBodies.session(flowstore.sessions(tenant), id);
  }

  @Override
  public ObjectNode sessionEvents(UUID id, long fromVersion, int limit) {
    return ApiBodies.sessionEvents(flowstore.sessions(tenant), id, fromVersion, limit);
  }

  @Override
  public ObjectNode steps(UUID session, int limit) {
    return ApiBodies.steps(flowstore.steps(tenant), session, limit);
  }

  @Override
  public ObjectNode checkpoints(UUID session, int limit) {
    return ApiBodies.checkpoints(flowstore.checkpoints(tenant), session, Long.MAX_VALUE, limit);
  }

  @Override
  public ObjectNode resumeHandles(UUID session, int limit) {
    return ApiBodies.resumeHandles(flowstore.resumeHandles(tenant), session, limit);
  }

  @Override
  public void close() {
    flowstore.close();
  }
}
