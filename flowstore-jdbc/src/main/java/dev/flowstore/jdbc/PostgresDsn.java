package dev.flowstore.jdbc;

import dev.flowstore.spi.ConfigSection;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * A PostgreSQL connection target: {@code POSTGRES_DSN} parsed.
 *
 * @param jdbcUrl a {@code jdbc:postgresql:} URL without credentials
 * @param user null to let the driver decide
 * @param password null for none
 */
public record PostgresDsn(String jdbcUrl, String user, String password) {
  /**
   * Parses {@code postgresql://user:password@host:5432/db?sslmode=...} or a {@code
   * jdbc:postgresql:} URL.
   *
   * @throws dev.flowstore.FlowstoreException {@code CONFIGURATION}, naming POSTGRES_DSN, when it is
   *     neither
   */
  public static PostgresDsn parse(String dsn) {
    if (dsn.startsWith("jdbc:postgresql:")) return new PostgresDsn(dsn, null, null);
    if (!(dsn.startsWith("postgresql://") || dsn.startsWith("postgres://"))) {
      throw ConfigSection.invalid(
          "POSTGRES_DSN", "must start with postgresql:// or jdbc:postgresql:");
    }
    URI uri;
    try {
      uri = URI.create(dsn);
    } catch (IllegalArgumentException e) {
      throw ConfigSection.invalid("POSTGRES_DSN", "is not a valid URI: " + e.getMessage());
    }
    if (uri.getHost() == null) throw ConfigSection.invalid("POSTGRES_DSN", "names no host");
    String user = null;
    String password = null;
    if (uri.getRawUserInfo() != null) {
      String[] parts = uri.getRawUserInfo().split(":", 2);
      user = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
      if (parts.length == 2) password = URLDecoder.decode(parts[1], StandardCharsets.UTF_8);
    }
    String db =
        uri.getRawPath() == null || uri.getRawPath().length() <= 1
            ? "postgres"
            : uri.getRawPath().substring(1);
    String url =
        "jdbc:postgresql://"
            + uri.getHost()
            + ":"
            + (uri.getPort() < 0 ? 5432 : uri.getPort())
            + "/"
            + db;
    if (uri.getRawQuery() != null) url += "?" + uri.getRawQuery();
    return new PostgresDsn(url, user, password);
  }

  @Override
  public String toString() {
    return jdbcUrl + (user == null ? "" : " as " + user);
  }
}
