package dev.flowstore.chaos;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A bare HTTP/1.1 client over one keep-alive socket, for scenario 8: it sends exactly the bytes it
 * is given (a request target with raw spaces or NULs, invalid UTF-8 bodies, any header value),
 * which {@code java.net.http} refuses to. Not thread-safe: one per fuzzing thread.
 */
final class S8RawHttp implements AutoCloseable {
  /** An answer; status 0 means none came (the connection failed or timed out). */
  record Response(int status, Map<String, String> headers, byte[] body, String failure) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private final URI base;
  private Socket socket;
  private InputStream in;
  private OutputStream out;

  S8RawHttp(URI base) {
    this.base = base;
  }

  /**
   * Sends one request. {@code target} is sent as is (it must start with '/'); {@code headers} are
   * name/value pairs sent as is (Content-Length and Host are added).
   */
  Response send(String method, byte[] target, List<String[]> headers, byte[] body) {
    for (int attempt = 0; ; attempt++) {
      boolean reused = socket != null;
      try {
        if (socket == null) connect();
        ByteArrayOutputStream req =
            new ByteArrayOutputStream(256 + (body == null ? 0 : body.length));
        req.write(method.getBytes(StandardCharsets.ISO_8859_1));
        req.write(' ');
        req.write(target);
        req.write(" HTTP/1.1\r\nHost: ".getBytes(StandardCharsets.ISO_8859_1));
        req.write((base.getHost() + ":" + base.getPort()).getBytes(StandardCharsets.ISO_8859_1));
        req.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        for (String[] h : headers)
          req.write((h[0] + ": " + h[1] + "\r\n").getBytes(StandardCharsets.UTF_8));
        if (body != null)
          req.write(
              ("Content-Length: " + body.length + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        req.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        if (body != null) req.write(body);
        out.write(req.toByteArray());
        out.flush();
        Response r = read();
        String connection = r.header("connection");
        if (connection != null && connection.equalsIgnoreCase("close")) close();
        return r;
      } catch (IOException e) {
        close();
        // a kept-alive socket the server closed meanwhile: retry once on a fresh one
        if (reused && attempt == 0 && !(e instanceof java.net.SocketTimeoutException)) continue;
        return new Response(0, Map.of(), new byte[0], e.toString());
      }
    }
  }

  private void connect() throws IOException {
    socket = new Socket();
    socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5000);
    socket.setSoTimeout(60_000);
    socket.setTcpNoDelay(true);
    in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
    out = socket.getOutputStream();
  }

  private Response read() throws IOException {
    String status = line();
    if (status == null) throw new IOException("connection closed before an answer");
    String[] parts = status.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/"))
      throw new IOException("bad status line " + status);
    int code = Integer.parseInt(parts[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (String h; (h = line()) != null && !h.isEmpty(); ) {
      int colon = h.indexOf(':');
      if (colon > 0)
        headers.put(
            h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
    }
    byte[] body;
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      while (true) {
        String size = line();
        if (size == null) throw new IOException("connection closed inside a chunked body");
        int semi = size.indexOf(';');
        int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
        if (n == 0) {
          for (String t; (t = line()) != null && !t.isEmpty(); ) {
            // trailers
          }
          break;
        }
        b.write(in.readNBytes(n));
        line();
      }
      body = b.toByteArray();
    } else if (headers.containsKey("content-length")) {
      int n = Integer.parseInt(headers.get("content-length"));
      body = in.readNBytes(n);
      if (body.length != n) throw new IOException("connection closed inside the body");
    } else if (code == 204 || code == 304 || code / 100 == 1) {
      body = new byte[0];
    } else {
      body = in.readAllBytes();
      close();
    }
    return new Response(code, headers, body, null);
  }

  private String line() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int c; (c = in.read()) >= 0; ) {
      if (c == '\n') {
        byte[] raw = b.toByteArray();
        int len = raw.length > 0 && raw[raw.length - 1] == '\r' ? raw.length - 1 : raw.length;
        return new String(raw, 0, len, StandardCharsets.ISO_8859_1);
      }
      b.write(c);
    }
    return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
    socket = null;
  }
}
