package dev.flowstore.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.CollectionSpec;
import dev.flowstore.Flowstore;
import dev.flowstore.IndexedField;
import dev.flowstore.NewRecord;
import dev.flowstore.Records;
import dev.flowstore.TenantId;
import dev.flowstore.internal.Json;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's Records pages over HTTP, in process (dev mode): paging by the API's cursor, links
 * to ids with URL characters, stored text shown as text, and the API's codes for bad input. The
 * browser tests in flowstore-e2e cover history, tenants and keys.
 */
class DashboardRecordsTest {
  private static final Pattern OLDER = Pattern.compile("href=\"([^\"]+)\">Older records<");

  @TempDir Path dir;

  @Test
  void pagesByCursorLinkOddIdsShowTextAndAnswerBadInputWithTheApisCodes() {
    try (Flowstore fs = Flowstore.open(TestStores.sqlite(dir, Map.of()));
        FlowstoreServer server = FlowstoreServer.start(fs, "127.0.0.1", 0)) {
      fs.collections().declare(CollectionSpec.of("notes").withIndexed(IndexedField.number("/n")));
      Records records = fs.records(TenantId.DEFAULT);
      for (int i = 0; i < 51; i++) records.create("notes", NewRecord.of("N-" + i, data(i)));
      String odd = "T:1@a=b+c";
      ObjectNode markup = data(99).put("text", "<script>alert('boom')</script>");
      records.create("notes", NewRecord.of(odd, markup));
      Http http = new Http(server.uri());
      String cookie = http.get("/").header("Set-Cookie");
      Http browser = http.with("Cookie", cookie.substring(0, cookie.indexOf(';')));

      assertThat(browser.get("/ui/records").text()).contains("notes", "/n number", ">52<");
      // newest first, 50 a page; the cursor link leads to the rest
      String first = browser.get("/ui/records/notes").text();
      assertThat(first).contains("N-50", "N-2").doesNotContain(">N-1<", ">N-0<");
      Matcher older = OLDER.matcher(first);
      assertThat(older.find()).isTrue();
      String second = browser.get(older.group(1).replace("&amp;", "&")).text();
      assertThat(second).contains(">N-1<", ">N-0<").doesNotContain(">N-2<");
      // the filter on an indexed field, read as its type
      assertThat(browser.get("/ui/records/notes?field=/n&value=7").text())
          .contains(">N-7<")
          .doesNotContain(">N-8<");

      // the odd id's link from the list leads to its page, whose stored markup stays text
      Matcher link =
          Pattern.compile("href=\"(/ui/records/notes/[^\"]+)\">" + Pattern.quote(odd) + "<")
              .matcher(first.replace("&#39;", "'"));
      assertThat(link.find()).as(first).isTrue();
      Http.Response page = browser.get(link.group(1).replace("&amp;", "&"));
      assertThat(page.status()).isEqualTo(200);
      assertThat(page.text())
          .contains("&lt;script&gt;alert(&#39;boom&#39;)&lt;/script&gt;")
          .doesNotContain("<script>alert");

      assertThat(browser.get("/ui/records/notes/N-3?as_of_version=x").status()).isEqualTo(400);
      Http.Response future = browser.get("/ui/records/notes/N-3?as_of_version=5");
      assertThat(future.status()).isEqualTo(404);
      assertThat(future.text()).contains("NOT_FOUND");
      assertThat(browser.get("/ui/records/notes/N-404").status()).isEqualTo(404);
      assertThat(browser.get("/ui/records/nothing").status()).isEqualTo(404);
      Http.Response notIndexed = browser.get("/ui/records/notes?field=/text&value=a");
      assertThat(notIndexed.status()).isEqualTo(400);
      assertThat(notIndexed.text()).contains("INVALID_ARGUMENT");
    }
  }

  private static ObjectNode data(int n) {
    return Json.MAPPER.createObjectNode().put("n", n);
  }
}
