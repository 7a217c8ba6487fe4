package io.agentlake.jobs.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.agentlake.jobs.Errors;
import io.agentlake.transforms.sources.Sources;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystems;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Run settings. One precedence: command-line flag &gt; config file &gt; the default named here.
 * Keys are kebab-case in the file; each default is a named constant so the README and the code
 * cannot disagree silently.
 *
 * @param sourcePaths path globs (relative to the exports root, {@code java.nio} glob syntax: {@code
 *     *} within a folder, {@code **} across folders) mapped to the source type of the files they
 *     match, for layouts that do not follow {@code <exports>/<source-type>/}; the first matching
 *     glob wins, in file order
 * @param driftScoreThreshold points a risk score must move between two run dates to be reported as
 *     SCORE_CHANGED in gold.privilege_drift
 */
public record AgentlakeConfig(
    int windowDays,
    int graceDays,
    int idleDays,
    int maxReachHops,
    double quarantineThreshold,
    String riskModel,
    Map<String, String> sourcePaths,
    double driftScoreThreshold,
    int leaseTtlSeconds,
    int leaseWaitSeconds) {

  public static final int DEFAULT_WINDOW_DAYS = 90;
  public static final int DEFAULT_GRACE_DAYS = 14;
  public static final int DEFAULT_IDLE_DAYS = 30;
  public static final int DEFAULT_MAX_REACH_HOPS = 5;
  public static final double DEFAULT_QUARANTINE_THRESHOLD = 0.05;
  public static final double DEFAULT_DRIFT_SCORE_THRESHOLD = 10.0;

  /**
   * A lease not renewed for this long is dead (its holder crashed); the holder renews it every
   * quarter of it. Long enough that a GC pause or a slow storage call cannot lose a live run's
   * lease, short enough that a retry after a crash does not wait long.
   */
  public static final int DEFAULT_LEASE_TTL_SECONDS = 120;

  /** How long a run waits for a live lease held by another run before it refuses (exit 1). */
  public static final int DEFAULT_LEASE_WAIT_SECONDS = 900;

  private static final Set<String> KEYS =
      Set.of(
          "window-days",
          "grace-days",
          "idle-days",
          "max-reach-hops",
          "quarantine-threshold",
          "risk-model",
          "source-paths",
          "drift-score-threshold",
          "lease-ttl-seconds",
          "lease-wait-seconds");

  public static AgentlakeConfig defaults() {
    return new AgentlakeConfig(
        DEFAULT_WINDOW_DAYS,
        DEFAULT_GRACE_DAYS,
        DEFAULT_IDLE_DAYS,
        DEFAULT_MAX_REACH_HOPS,
        DEFAULT_QUARANTINE_THRESHOLD,
        null,
        Map.of(),
        DEFAULT_DRIFT_SCORE_THRESHOLD,
        DEFAULT_LEASE_TTL_SECONDS,
        DEFAULT_LEASE_WAIT_SECONDS);
  }

  /**
   * Checks every range.
   *
   * @throws OutOfRange naming the key; {@link #load} reports it against the file and the flag
   *     parsing against the flag, so the user learns where the bad value came from
   */
  public AgentlakeConfig {
    check("window-days", windowDays, 1, 365);
    check("grace-days", graceDays, 0, 365);
    check("idle-days", idleDays, 1, 3650);
    check("max-reach-hops", maxReachHops, 1, 20);
    check("lease-ttl-seconds", leaseTtlSeconds, 4, 3600);
    check("lease-wait-seconds", leaseWaitSeconds, 0, 86400);
    check("quarantine-threshold", quarantineThreshold, 0, 1, "a fraction");
    check("drift-score-threshold", driftScoreThreshold, 0, 100, "a number of points");
    sourcePaths = Collections.unmodifiableMap(new LinkedHashMap<>(sourcePaths));
  }

  /** A setting outside its allowed range: which key, what it allows, what it got. */
  public static final class OutOfRange extends IllegalArgumentException {
    private final String key;
    private final String allowed;
    private final String got;

    OutOfRange(String key, String allowed, String got) {
      super(key + " must be " + allowed + ", got " + got);
      this.key = key;
      this.allowed = allowed;
      this.got = got;
    }

    /** The config key, e.g. {@code window-days}; its flag, where there is one, is {@code --key}. */
    public String key() {
      return key;
    }

    /** What the key accepts, e.g. "a whole number from 1 to 365". */
    public String allowed() {
      return allowed;
    }

    public String got() {
      return got;
    }
  }

  /**
   * Reads a YAML config; unknown keys are an error (a typo must not silently keep a default), and
   * so is a value out of range, reported as the file's fault (bad input, not usage).
   */
  public static AgentlakeConfig load(String name, InputStream in) {
    try {
      return parse(name, in);
    } catch (OutOfRange e) {
      throw Errors.configOutOfRange(name, e.key(), e.allowed(), e.got());
    }
  }

  private static AgentlakeConfig parse(String name, InputStream in) {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(in);
    } catch (IOException e) {
      throw Errors.badConfig(name, "not valid YAML: " + e.getMessage());
    }
    AgentlakeConfig d = defaults();
    if (root == null || root.isNull() || root.isMissingNode()) {
      return d;
    }
    if (!root.isObject()) {
      throw Errors.badConfig(name, "expected a mapping of settings at the top level");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!KEYS.contains(key)) {
        throw Errors.badConfig(name, "unknown key '" + key + "' (known: " + KEYS + ")");
      }
    }
    return new AgentlakeConfig(
        intOf(name, root, "window-days", d.windowDays),
        intOf(name, root, "grace-days", d.graceDays),
        intOf(name, root, "idle-days", d.idleDays),
        intOf(name, root, "max-reach-hops", d.maxReachHops),
        root.has("quarantine-threshold")
            ? doubleOf(name, root, "quarantine-threshold")
            : d.quarantineThreshold,
        riskModelOf(name, root, d.riskModel),
        sourcePathsOf(name, root),
        root.has("drift-score-threshold")
            ? doubleOf(name, root, "drift-score-threshold")
            : d.driftScoreThreshold,
        intOf(name, root, "lease-ttl-seconds", d.leaseTtlSeconds),
        intOf(name, root, "lease-wait-seconds", d.leaseWaitSeconds));
  }

  private static String riskModelOf(String name, JsonNode root, String fallback) {
    JsonNode v = root.get("risk-model");
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isTextual() || v.asText().isBlank()) {
      throw Errors.badConfig(
          name,
          "risk-model must be the path or URI of a risk model YAML file, got '" + v.asText() + "'");
    }
    return v.asText().strip();
  }

  private static Map<String, String> sourcePathsOf(String name, JsonNode root) {
    JsonNode v = root.get("source-paths");
    Map<String, String> paths = new LinkedHashMap<>();
    if (v == null || v.isNull()) {
      return paths;
    }
    if (!v.isObject()) {
      throw Errors.badConfig(
          name,
          "source-paths must map path globs to source types, e.g. 'trails/**/*.json.gz:"
              + " aws-cloudtrail'");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String source = e.getValue().asText();
      if (!Sources.isKnownSource(source)) {
        throw Errors.badConfig(
            name,
            "source-paths maps '"
                + e.getKey()
                + "' to '"
                + source
                + "', which is not a source type (known: "
                + Sources.ALL
                + ")");
      }
      try {
        FileSystems.getDefault().getPathMatcher("glob:" + e.getKey());
      } catch (IllegalArgumentException bad) {
        throw Errors.badConfig(
            name, "source-paths glob '" + e.getKey() + "' is not valid: " + bad.getMessage());
      }
      paths.put(e.getKey(), source);
    }
    return paths;
  }

  public AgentlakeConfig withWindowDays(Integer v) {
    return v == null
        ? this
        : new AgentlakeConfig(
            v,
            graceDays,
            idleDays,
            maxReachHops,
            quarantineThreshold,
            riskModel,
            sourcePaths,
            driftScoreThreshold,
            leaseTtlSeconds,
            leaseWaitSeconds);
  }

  public AgentlakeConfig withGraceDays(Integer v) {
    return v == null
        ? this
        : new AgentlakeConfig(
            windowDays,
            v,
            idleDays,
            maxReachHops,
            quarantineThreshold,
            riskModel,
            sourcePaths,
            driftScoreThreshold,
            leaseTtlSeconds,
            leaseWaitSeconds);
  }

  public AgentlakeConfig withIdleDays(Integer v) {
    return v == null
        ? this
        : new AgentlakeConfig(
            windowDays,
            graceDays,
            v,
            maxReachHops,
            quarantineThreshold,
            riskModel,
            sourcePaths,
            driftScoreThreshold,
            leaseTtlSeconds,
            leaseWaitSeconds);
  }

  private static int intOf(String name, JsonNode root, String key, int fallback) {
    JsonNode v = root.get(key);
    if (v == null) {
      return fallback;
    }
    if (!v.canConvertToInt() || !v.isIntegralNumber()) {
      throw Errors.badConfig(name, key + " must be a whole number, got '" + v.asText() + "'");
    }
    return v.asInt();
  }

  private static double doubleOf(String name, JsonNode root, String key) {
    JsonNode v = root.get(key);
    if (!v.isNumber()) {
      throw Errors.badConfig(name, key + " must be a number, got '" + v.asText() + "'");
    }
    return v.asDouble();
  }

  private static void check(String key, int value, int min, int max) {
    if (value < min || value > max) {
      throw new OutOfRange(key, "a whole number from " + min + " to " + max, String.valueOf(value));
    }
  }

  private static void check(String key, double value, double min, double max, String what) {
    if (!(value >= min && value <= max)) {
      throw new OutOfRange(
          key, what + " from " + number(min) + " to " + number(max), String.valueOf(value));
    }
  }

  private static String number(double value) {
    return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
  }
}
