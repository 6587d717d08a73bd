package dev.flowstore.e2e;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tiny OTLP/HTTP collector (protobuf): what the server's OpenTelemetry exporter sends to {@code
 * /v1/traces} is parsed with the OTLP protobuf classes and kept; other signals are accepted and
 * dropped.
 */
final class OtlpReceiver implements AutoCloseable {
  record Span(String traceId, String spanId, String parentSpanId, String name, String scope) {}

  private final HttpServer http;
  private final List<Span> spans = new CopyOnWriteArrayList<>();

  OtlpReceiver() {
    try {
      http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    http.createContext(
        "/",
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          if (exchange.getRequestURI().getPath().equals("/v1/traces")) collect(body);
          exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    http.start();
  }

  private void collect(byte[] body) throws IOException {
    HexFormat hex = HexFormat.of();
    ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(body);
    for (ResourceSpans rs : request.getResourceSpansList())
      for (ScopeSpans ss : rs.getScopeSpansList())
        for (io.opentelemetry.proto.trace.v1.Span s : ss.getSpansList())
          spans.add(
              new Span(
                  hex.formatHex(s.getTraceId().toByteArray()),
                  hex.formatHex(s.getSpanId().toByteArray()),
                  hex.formatHex(s.getParentSpanId().toByteArray()),
                  s.getName(),
                  ss.getScope().getName()));
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + http.getAddress().getPort());
  }

  List<Span> spans() {
    return List.copyOf(spans);
  }

  @Override
  public void close() {
    http.stop(0);
  }
}
