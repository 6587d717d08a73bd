package dev.flowstore.bench;

import java.util.Locale;

/**
 * One line of the result table. {@code ratio} is always "flowstore relative to the baseline, higher
 * is better for flowstore": throughput flowstore / baseline, latency baseline / flowstore.
 */
record Row(String id, String scenario, String flowstore, String baseline, String ratio) {

  static Row throughput(String id, String scenario, double fs, double base, String unit) {
    return new Row(id, scenario, rate(fs, unit), rate(base, unit), ratio(fs / base));
  }

  /** A latency row: lower is better, so the ratio is baseline / flowstore. */
  static Row latency(String id, String scenario, double fsMs, double baseMs, String baseLabel) {
    return new Row(
        id, scenario, ms(fsMs), baseLabel == null ? ms(baseMs) : baseLabel, ratio(baseMs / fsMs));
  }

  static Row notAvailable(String id, String scenario, String fs, String why) {
    return new Row(id, scenario, fs, "n/a: " + why, "n/a");
  }

  static String rate(double v, String unit) {
    return String.format(Locale.ROOT, "%,.0f %s", v, unit);
  }

  static String ms(double v) {
    return v >= 100
        ? String.format(Locale.ROOT, "%.0f ms", v)
        : String.format(Locale.ROOT, "%.2f ms", v);
  }

  static String ratio(double r) {
    if (Double.isNaN(r) || Double.isInfinite(r)) return "n/a";
    return String.format(Locale.ROOT, "%.2fx", r);
  }
}
