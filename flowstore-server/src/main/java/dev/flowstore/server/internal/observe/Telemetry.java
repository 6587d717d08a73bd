package dev.flowstore.server.internal.observe;

import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.util.Locale;
import java.util.Map;

/**
 * Installs the OpenTelemetry SDK as the global instance when the standard {@code OTEL_*}
 * environment asks for traces: {@code OTEL_TRACES_EXPORTER} set to an exporter (not {@code none}),
 * or an OTLP endpoint ({@code OTEL_EXPORTER_OTLP_ENDPOINT}, {@code
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}), and {@code OTEL_SDK_DISABLED} not {@code true}. Otherwise
 * nothing is installed and every span is the API's no-op: no cost, no thread, no export.
 *
 * <p>Everything else is the SDK's autoconfiguration (protocol, sampler, batch delays, resource);
 * flowstore only changes two defaults, which the environment still overrides: {@code
 * otel.service.name=flowstore}, and no OpenTelemetry metrics or logs exporter (metrics are served
 * at {@code GET /metrics}, logs go to stderr).
 */
public final class Telemetry {
  private Telemetry() {}

  /**
   * flowstore's defaults, then {@code env}'s {@code OTEL_*} variables as the SDK's properties
   * ({@code OTEL_TRACES_EXPORTER} is {@code otel.traces.exporter}). why: the SDK reads the process
   * environment itself, but the CLI is handed its environment as a map (tests give their own).
   */
  static Map<String, String> properties(Map<String, String> env) {
    Map<String, String> p = new java.util.HashMap<>();
    p.put("otel.service.name", "flowstore");
    p.put("otel.metrics.exporter", "none");
    p.put("otel.logs.exporter", "none");
    env.forEach(
        (k, v) -> {
          if (k.startsWith("OTEL_")) p.put(k.toLowerCase(Locale.ROOT).replace('_', '.'), v);
        });
    return p;
  }

  /** Whether {@code env} asks for traces to be exported. */
  public static boolean wanted(Map<String, String> env) {
    if ("true".equalsIgnoreCase(env.getOrDefault("OTEL_SDK_DISABLED", "").trim())) return false;
    String exporter = env.getOrDefault("OTEL_TRACES_EXPORTER", "").trim().toLowerCase(Locale.ROOT);
    if (!exporter.isEmpty()) return !exporter.equals("none");
    return !env.getOrDefault("OTEL_EXPORTER_OTLP_ENDPOINT", "").isBlank()
        || !env.getOrDefault("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "").isBlank();
  }

  /**
   * Installs the SDK as {@link io.opentelemetry.api.GlobalOpenTelemetry} when {@link #wanted}; call
   * once, before anything traces. It is shut down (spans flushed) by a JVM shutdown hook.
   *
   * @return whether it was installed
   * @throws FlowstoreException CONFIGURATION when the {@code OTEL_*} settings are invalid
   */
  public static boolean install(Map<String, String> env) {
    if (!wanted(env)) return false;
    try {
      AutoConfiguredOpenTelemetrySdk.builder()
          .addPropertiesSupplier(() -> properties(env))
          .setResultAsGlobal()
          .build();
      return true;
    } catch (RuntimeException e) {
      throw new FlowstoreException(
          ErrorCode.CONFIGURATION,
          "OTEL_*: cannot set up OpenTelemetry tracing: "
              + e.getMessage()
              + " (fix the OTEL_* variables, or unset OTEL_TRACES_EXPORTER and OTEL_EXPORTER_OTLP_ENDPOINT to run without tracing)",
          e);
    }
  }
}
