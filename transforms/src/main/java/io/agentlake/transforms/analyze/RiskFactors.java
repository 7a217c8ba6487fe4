package io.agentlake.transforms.analyze;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.get_json_object;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.when;

import io.agentlake.schemas.vocabulary.RiskFactor;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.types.DataType;

/**
 * The one definition of each risk factor's arithmetic: which thresholds it reads from the {@link
 * RiskModel} (kebab-case in the YAML, snake_case in the evidence), its raw value (0..1), the
 * evidence fields that value is computed from, the evidence of an agent nothing triggered, and the
 * raw value after a remediation. {@link RiskScores} computes the raw values with these formulas and
 * {@link ReviewQueue} predicts the expected effect of an item with the same ones, reading the
 * counts and thresholds back from the factor's evidence in gold.risk_scores, so the prediction uses
 * the model that produced the score. Factor names are {@link RiskFactor}'s; the weight and OWASP id
 * are the model's.
 *
 * <p>Dangerous: the evidence field names here are what the review queue parses; renaming one in the
 * evidence without changing its reader here would make every expected effect null.
 */
final class RiskFactors {

  /** Long-lived credentials: created more than this many days before the run date. */
  static final String OLDER_THAN_DAYS = "older-than-days";

  /** Expiring credentials: the end date is at most this many days after the run date. */
  static final String WITHIN_DAYS = "within-days";

  /** Denied attempts: the window, in days ending at the run date. */
  static final String DAYS = "days";

  /** The count at which a counting factor reaches its full raw value of 1. */
  static final String SATURATION = "saturation";

  /** The thresholds each factor reads from the model, besides its weight and OWASP id. */
  static final Map<RiskFactor, List<String>> THRESHOLDS =
      Map.of(
          RiskFactor.ORPHAN_REASONS, List.of(SATURATION),
          RiskFactor.LONG_LIVED_CREDENTIALS, List.of(OLDER_THAN_DAYS),
          RiskFactor.EXPIRING_CREDENTIALS, List.of(WITHIN_DAYS),
          RiskFactor.DENIED_ATTEMPTS, List.of(DAYS, SATURATION),
          RiskFactor.HUMAN_USE_OF_CREDENTIALS, List.of(DAYS));

  // Evidence fields that are read back (by ReviewQueue) or listed when nothing is found.
  static final String ADMIN_PRINCIPALS = "admin_principals";
  static final String PERMISSIONS_MANAGEMENT_PRINCIPALS = "permissions_management_principals";
  static final String UNUSED_GRANTS = "unused_grants";
  static final String USED_GRANTS = "used_grants";
  static final String REASONS = "reasons";
  static final String LONG_LIVED_KEYS = "long_lived_keys";
  static final String EXPIRING_CREDENTIALS = "expiring_credentials";
  static final String SHARED = "shared";
  static final String DENIED_ATTEMPTS = "denied_attempts";
  static final String HUMAN_USE = "human_use";

  /** Human use signals: the key was used from the console. */
  static final String SIGNAL_CONSOLE = "console";

  /** Human use signals: the key was used with a browser's user agent. */
  static final String SIGNAL_BROWSER = "browser_user_agent";

  /**
   * Human use signals: the key was used with the AWS CLI from a source IP none of its automation
   * (SDK or other non-interactive) calls came from in the window.
   */
  static final String SIGNAL_CLI_FROM_NEW_IP = "cli_from_ip_automation_never_uses";

  /** The long-lived key entries of the evidence, as {@link RiskScores} writes them. */
  static final DataType LONG_LIVED_KEY_LIST =
      DataType.fromDDL(
          "ARRAY<STRUCT<credential_id: STRING, kind: STRING, status: STRING, created_at: STRING,"
              + " age_days: INT>>");

  private RiskFactors() {}

  static List<String> thresholds(RiskFactor factor) {
    return THRESHOLDS.getOrDefault(factor, List.of());
  }

  /** The evidence field a threshold is written to: {@code older-than-days} → older_than_days. */
  static String evidenceName(String threshold) {
    return threshold.replace('-', '_');
  }

  // ---- raw values ---------------------------------------------------------------------------

  /** UNUSED / (USED + UNUSED); 0 when nothing is judged. */
  static Column unusedFraction(Column unused, Column used) {
    return when(unused.plus(used).gt(0), unused.divide(unused.plus(used))).otherwise(0.0);
  }

  /** min(1, reasons / saturation): {@code saturation} reasons or more count in full. */
  static Column orphanReasons(Column reasons, Column saturation) {
    return least(lit(1.0), greatest(lit(0), reasons).divide(saturation));
  }

  /** min(1, attempts / saturation). */
  static Column deniedAttempts(Column attempts, Column saturation) {
    return least(lit(1.0), attempts.divide(saturation));
  }

  /** 1 while at least one qualifying item (a key, a credential) is left, else 0. */
  static Column anyLeft(Column count) {
    return when(count.gt(0), 1.0).otherwise(0.0);
  }

  // ---- evidence read back -------------------------------------------------------------------

  static Column unusedGrants(Column evidence) {
    return get_json_object(evidence, "$." + UNUSED_GRANTS).cast("double");
  }

  static Column usedGrants(Column evidence) {
    return get_json_object(evidence, "$." + USED_GRANTS).cast("double");
  }

  static Column orphanReasonList(Column evidence) {
    return coalesce(
        from_json(
                get_json_object(evidence, "$." + REASONS),
                DataType.fromDDL("ARRAY<STRING>"),
                Map.<String, String>of())
            .cast("array<string>"),
        array().cast("array<string>"));
  }

  static Column orphanSaturation(Column evidence) {
    return get_json_object(evidence, "$." + evidenceName(SATURATION)).cast("int");
  }

  static Column longLivedKeys(Column evidence) {
    return coalesce(
        from_json(get_json_object(evidence, "$." + LONG_LIVED_KEYS), LONG_LIVED_KEY_LIST, Map.of()),
        array().cast(LONG_LIVED_KEY_LIST));
  }

  static Column olderThanDays(Column evidence) {
    return get_json_object(evidence, "$." + evidenceName(OLDER_THAN_DAYS)).cast("int");
  }

  // ---- after remediation --------------------------------------------------------------------

  /** The unused fraction with {@code grantsRemoved} UNUSED grants fewer. */
  static Column unusedFractionAfter(Column evidence, Column grantsRemoved) {
    return unusedFraction(unusedGrantsAfter(evidence, grantsRemoved), usedGrants(evidence));
  }

  static Column unusedGrantsAfter(Column evidence, Column grantsRemoved) {
    return greatest(unusedGrants(evidence).minus(coalesce(grantsRemoved, lit(0L))), lit(0.0));
  }

  /** The orphan raw value without {@code resolved} of its reasons. */
  static Column orphanReasonsAfter(Column evidence, Column resolved) {
    return orphanReasons(
        size(orphanReasonList(evidence)).minus(coalesce(resolved, lit(0))),
        orphanSaturation(evidence));
  }

  /** The long-lived raw value with one of its keys rotated: 0 only when it was the last one. */
  static Column longLivedAfterOneRotated(Column evidence) {
    return anyLeft(size(longLivedKeys(evidence)).minus(1));
  }

  // ---- nothing found ------------------------------------------------------------------------

  /** The evidence of a factor nothing triggered: what was checked, with the thresholds used. */
  static String noneFound(RiskFactor factor, RiskModel model) {
    RiskModel.Factor f = model.factor(factor.value());
    return switch (factor) {
      case ADMIN_REACH -> "{\"" + ADMIN_PRINCIPALS + "\":[]}";
      case PERMISSIONS_MANAGEMENT -> "{\"" + PERMISSIONS_MANAGEMENT_PRINCIPALS + "\":[]}";
      case UNUSED_FRACTION -> "{\"" + UNUSED_GRANTS + "\":0,\"" + USED_GRANTS + "\":0}";
      case ORPHAN_REASONS -> "{\"" + REASONS + "\":[]" + thresholdsJson(f) + "}";
      case LONG_LIVED_CREDENTIALS -> "{\"" + LONG_LIVED_KEYS + "\":[]" + thresholdsJson(f) + "}";
      case EXPIRING_CREDENTIALS -> "{\"" + EXPIRING_CREDENTIALS + "\":[]" + thresholdsJson(f) + "}";
      case SHARED_CREDENTIALS -> "{\"" + SHARED + "\":[]}";
      case DENIED_ATTEMPTS -> "{\"" + DENIED_ATTEMPTS + "\":0" + thresholdsJson(f) + "}";
      case HUMAN_USE_OF_CREDENTIALS -> "{\"" + HUMAN_USE + "\":[]" + thresholdsJson(f) + "}";
      case NO_PURPOSE -> "{}";
    };
  }

  /** {@code ,"older_than_days":90} for each threshold of the factor, in declaration order. */
  private static String thresholdsJson(RiskModel.Factor factor) {
    StringBuilder out = new StringBuilder();
    for (String t : thresholds(factor.kind())) {
      out.append(",\"").append(evidenceName(t)).append("\":").append(factor.threshold(t));
    }
    return out.toString();
  }
}
