package dev.flowstore.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowstore.internal.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Requests so malformed that Jetty answers them before Javalin sees them still get the JSON error
 * body.
 */
class MalformedHttpTest {
  final StubFlowstore stub = new StubFlowstore();
  FlowstoreServer server;

  @BeforeEach
  void start() {
    server = FlowstoreServer.start(stub.flowstore(), "127.0.0.1", 0);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /**
   * Sends raw bytes (java.net.http refuses to send a malformed URI) and returns the raw response.
   */
  String raw(String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void aMalformedUriIsAJsonError() throws IOException {
    String response =
        raw("GET /v1/streams/%zz/events HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    assertThat(response).startsWith("HTTP/1.1 400 ");
    assertThat(response)
        .containsIgnoringCase("content-type: application/json")
        .containsIgnoringCase("x-trace-id: ");
    JsonNode body = Json.parse("response", response.substring(response.indexOf("\r\n\r\n") + 4));
    assertThat(body.get("error").get("code").asText()).isEqualTo("INVALID_ARGUMENT");
    assertThat(body.get("error").get("trace_id").asText()).isNotBlank();
  }

  @Test
  void oversizeHeadersAreAJsonError() throws IOException {
    String response =
        raw(
            "GET /health/live HTTP/1.1\r\nHost: localhost\r\nX-Big: "
                + "a".repeat(20_000)
                + "\r\nConnection: close\r\n\r\n");
    assertThat(response).startsWith("HTTP/1.1 431 ");
    assertThat(response).contains("\"code\":\"PAYLOAD_TOO_LARGE\"");
  }

  /**
   * A request refused before its body is read still gets its answer: the server reads the rest of
   * the body first instead of closing the connection while the client is still sending (which the
   * client sees as a broken pipe, not as the answer).
   */
  @Test
  void aRequestRefusedBeforeItsBodyIsReadStillGetsItsAnswer() throws Exception {
    // why this size: far more than the socket buffers hold, so a server that answers and closes
    // before reading the body fails one of the client's writes (a broken pipe); and under the
    // 32 MiB the server reads before answering
    int length = 16 * 1024 * 1024;
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /v1/streams/session-1/events HTTP/1.1\r\nHost: localhost\r\n"
                  + "Content-Type: application/json\r\nConnection: close\r\nContent-Length: "
                  + length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      byte[] chunk = new byte[64 * 1024];
      java.util.Arrays.fill(chunk, (byte) ' ');
      for (int sent = 0; sent < length; sent += chunk.length) out.write(chunk);
      out.flush();
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(response).startsWith("HTTP/1.1 400 ").contains("\"code\":\"INVALID_ARGUMENT\"");
    }
  }
}
