package dev.flowstore.server.internal.observe;

import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The server's log encoder: with {@code format} {@code json} one JSON object per line — {@code
 * timestamp} (ISO-8601 UTC), {@code level}, {@code logger}, {@code thread}, {@code message}, the
 * request's {@code trace_id}, {@code tenant} and {@code route} when the line is written during a
 * request (from the MDC), and {@code exception} (the stack trace) when there is one; with {@code
 * text} (the default) the line {@code pattern} describes.
 *
 * <p>why not logback's own JsonEncoder: it nests the MDC and splits the timestamp, so every log
 * pipeline would need a remapping; these flat field names are what Loki, Elasticsearch and
 * CloudWatch queries expect.
 */
public final class JsonLogEncoder extends EncoderBase<ILoggingEvent> {
  private static final JsonFactory JSON = new JsonFactory();
  private static final List<String> MDC_FIELDS = List.of("trace_id", "tenant", "route");

  private String format = "text";
  private String pattern = "%d %-5level %logger - %msg%n";
  private PatternLayout text;

  public void setFormat(String format) {
    this.format = format == null ? "text" : format.trim();
  }

  public void setPattern(String pattern) {
    this.pattern = pattern;
  }

  boolean json() {
    return format.equals("json");
  }

  @Override
  public void start() {
    if (!json()) {
      if (!format.equals("text") && !format.isEmpty())
        addWarn("FLOWSTORE_LOG_FORMAT: must be text or json, got '" + format + "'; using text");
      text = new PatternLayout();
      text.setContext(getContext());
      text.setPattern(pattern);
      text.start();
    }
    super.start();
  }

  @Override
  public byte[] headerBytes() {
    return null;
  }

  @Override
  public byte[] footerBytes() {
    return null;
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    if (!json()) return text.doLayout(event).getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("timestamp", Instant.ofEpochMilli(event.getTimeStamp()).toString());
      g.writeStringField("level", event.getLevel().toString());
      g.writeStringField("logger", event.getLoggerName());
      g.writeStringField("thread", event.getThreadName());
      g.writeStringField("message", event.getFormattedMessage());
      Map<String, String> mdc = event.getMDCPropertyMap();
      for (String field : MDC_FIELDS) {
        String v = mdc == null ? null : mdc.get(field);
        if (v != null) g.writeStringField(field, v);
      }
      IThrowableProxy thrown = event.getThrowableProxy();
      if (thrown != null) g.writeStringField("exception", ThrowableProxyUtil.asString(thrown));
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.write('\n');
    return out.toByteArray();
  }
}
