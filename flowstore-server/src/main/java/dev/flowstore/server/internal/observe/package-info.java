/**
 * Tracing set-up (the OpenTelemetry SDK, when the {@code OTEL_*} environment asks for it) and the
 * JSON log encoder. Internal: may change at any time.
 */
package dev.flowstore.server.internal.observe;
