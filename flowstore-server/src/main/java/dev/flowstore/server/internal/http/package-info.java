/**
 * HTTP endpoints of the v1 API, and the request plumbing they share (errors, tenant, trace id,
 * body).
 */
package dev.flowstore.server.internal.http;
