/**
 * The server's implementation: HTTP endpoints and CLI commands. May change at any time, without
 * notice: use {@link dev.flowstore.server.FlowstoreServer} and {@link
 * dev.flowstore.server.FlowstoreCli}.
 */
package dev.flowstore.server.internal;
