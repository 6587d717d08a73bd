package dev.flowstore.server.internal.http;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Serves the hand-written {@code openapi.yaml}, the contract of the HTTP API. */
public final class OpenApiDocument {
  /** The classpath resource holding the document. */
  public static final String RESOURCE = "/dev/flowstore/server/openapi.yaml";

  private static final byte[] DOCUMENT = load();

  private OpenApiDocument() {}

  static void serve(Context ctx) {
    ctx.status(200).contentType("application/yaml").result(DOCUMENT);
  }

  /** The document's bytes. */
  public static byte[] bytes() {
    return DOCUMENT.clone();
  }

  private static byte[] load() {
    try (InputStream in = OpenApiDocument.class.getResourceAsStream(RESOURCE)) {
      if (in == null) throw new IllegalStateException(RESOURCE + " is missing from the classpath");
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
