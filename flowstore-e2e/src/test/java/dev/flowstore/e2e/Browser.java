package dev.flowstore.e2e;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * The system's Chromium, headless, driven by Selenium through the system's chromedriver (Debian's
 * {@code chromium} and {@code chromium-driver}, which .ci/run installs; {@code FLOWSTORE_CHROMIUM}
 * and {@code FLOWSTORE_CHROMEDRIVER} point elsewhere). Selenium Manager is never asked to download
 * anything. Missing outside CI: the tests are skipped with a loud message; under {@code CI=true}
 * they fail.
 */
final class Browser {
  private Browser() {}

  /**
   * Why the browser cannot run here, or null when it can ({@link MissingTool} decides what that
   * means: a failure under CI, a loud skip elsewhere).
   */
  static String missing() {
    Path chromium = chromium();
    Path driver = chromedriver();
    if (!Files.isExecutable(chromium) || !Files.isExecutable(driver)) {
      String message =
          "DASHBOARD BROWSER TESTS NOT RUN: no Chromium at "
              + chromium
              + " or no chromedriver at "
              + driver
              + " (apt-get install chromium chromium-driver, or set FLOWSTORE_CHROMIUM and FLOWSTORE_CHROMEDRIVER)";
      return message;
    }
    return null;
  }

  /** Starts the browser; call {@link #missing()} first. */
  static ChromeDriver start() {
    Path chromium = chromium();
    Path driver = chromedriver();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium.toFile());
    // why --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1400,1000");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(driver.toString()))
            .usingAnyFreePort()
            .build();
    ChromeDriver browser = new ChromeDriver(service, options);
    browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    return browser;
  }

  /** The console errors (and failed loads, CSP violations) logged since the last call. */
  static List<String> consoleErrors(ChromeDriver browser) {
    return browser.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
        .map(LogEntry::getMessage)
        .toList();
  }

  private static Path chromium() {
    return Path.of(env("FLOWSTORE_CHROMIUM", "/usr/bin/chromium"));
  }

  private static Path chromedriver() {
    return Path.of(env("FLOWSTORE_CHROMEDRIVER", "/usr/bin/chromedriver"));
  }

  private static String env(String name, String otherwise) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? otherwise : v;
  }
}
