package io.agentlake.transforms.analyze;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_contains;
import static org.apache.spark.sql.functions.array_join;
import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.exists;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.map_from_entries;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.nullif;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.rlike;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.substring_index;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.agentlake.schemas.Tables;
import io.agentlake.schemas.vocabulary.PrivilegeLevel;
import io.agentlake.schemas.vocabulary.Verdict;
import io.agentlake.transforms.Contracts;
import io.agentlake.transforms.Evidence;
import io.agentlake.transforms.Utc;
import io.agentlake.transforms.correlate.EntitlementHistory;
import io.agentlake.transforms.correlate.Globs;
import io.agentlake.transforms.sources.Sources;
import io.agentlake.transforms.sources.UsageObservability;
import java.time.LocalDate;
import java.util.Arrays;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * {@code gold.unused_privileges}: for every AWS principal with Allow grants, whether each grant,
 * each granted action, each granted service and the identity as a whole were used in the window
 * {@code [asOf - W + 1, asOf]} (and every Entra ID service principal with app-role assignments,
 * delegated grants or directory roles), and, where the logs name the resource (S3), each
 * bucket-scoped grant on its resources. Used means at least one successful activity whose IAM
 * action matches the grant's action pattern ({@code *} and {@code ?} globs, case-insensitive).
 * Denied attempts are counted and shown, never taken as use (AWS Access Advisor counts them; we do
 * not).
 *
 * <p>Levels: {@code IDENTITY} (any use at all), {@code SERVICE}, {@code GRANT} (one statement's
 * action pattern on one resource pattern, matched on the action), {@code ACTION} (one concrete
 * catalog action, every statement granting it folded together) and {@code RESOURCE} (a grant scoped
 * to S3 buckets or objects, used only by activity on a bucket it names).
 *
 * <p>Verdict precedence: {@code TOO_NEW} (granted within the grace days), {@code USED}, {@code
 * NOT_OBSERVABLE} (only never-logged actions such as {@code iam:passrole}, or actions CloudTrail
 * records only as data events, such as S3 object-level patterns and {@code lambda:invokefunction},
 * in an account where no data event of that service was seen in the window), {@code
 * INSUFFICIENT_HISTORY} (fewer than W days of management events for the account), else {@code
 * UNUSED}.
 *
 * <p>Every platform is judged by these rules over the platform-neutral model ({@code platform},
 * {@code principal_id}, a permission in the platform's words, {@code usage_log}). A subject is
 * observed on a day only when every log its grants name in {@code usage_log} holds records that day
 * ({@code silver.observation_coverage}), so INSUFFICIENT_HISTORY means "fewer than W days of all
 * the logs that could show this use". Where a platform's logs name only the resource called ({@link
 * UsageObservability}: Entra ID sign-ins), grants are matched on their resource: a grant whose
 * resource was called is NOT_OBSERVABLE (it may be in use), one whose resource was never called in
 * a fully observed window is UNUSED; the SERVICE level (the resource application) and the IDENTITY
 * level (any sign-in at all) are judged as on AWS.
 *
 * <p>Grants are the current rows of {@code silver.entitlements} ({@code valid_to IS NULL}), which
 * are already effective: actions fully denied elsewhere or outside a permission boundary are gone.
 * A NotAction grant ({@code NOT a,b}) is matched on its expanded catalog actions.
 *
 * <p>Dangerous: an {@code UNUSED} verdict invites someone to remove a permission. It is only as
 * good as the logs: a gap in coverage must surface as {@code INSUFFICIENT_HISTORY} or {@code
 * NOT_OBSERVABLE}, never as {@code UNUSED}. Below the RESOURCE level, matching is on the action
 * only.
 */
public final class UnusedPrivileges {

  /** An S3 ARN's bucket part: the bucket name (or bucket glob) before any {@code /key}. */
  private static final String S3_BUCKET = "^arn:aws:s3:::([^/]+)";

  private static final String[] SUBJECT_KEY = {
    "principal_id",
    "platform",
    "usage_logs",
    "level",
    "service",
    "action_pattern",
    "resource_pattern",
    "policy_name",
    "grant_path",
    "principal_arn",
    "account_id",
    "granted_since",
    "policy_types",
    "conditional",
    "pattern_regex",
    "granted_actions",
    "actions_granted"
  };

  private UnusedPrivileges() {}

  public static Dataset<Row> compute(
      Dataset<Row> entitlements,
      Dataset<Row> activity,
      Dataset<Row> coverage,
      Dataset<Row> identities,
      Dataset<Row> reach,
      LocalDate asOf,
      int windowDays,
      int graceDays) {
    if (windowDays < 1 || windowDays > 365) {
      throw new IllegalArgumentException(
          "unused-privilege window must be 1 to 365 days (got "
              + windowDays
              + "): the lake keeps at most a year of activity. Pass a window in that range.");
    }
    if (graceDays < 0) {
      throw new IllegalArgumentException(
          "grace days cannot be negative (got " + graceDays + "). Pass 0 to judge every grant.");
    }
    LocalDate windowStart = asOf.minusDays(windowDays - 1L);

    Dataset<Row> grants = allowGrants(entitlements, identities).cache();
    Dataset<Row> windowActivity = activity.filter(col("day").between(lit(windowStart), lit(asOf)));

    Dataset<Row> subjects =
        matchedAsObservable(
            grantSubjects(grants)
                .unionByName(actionSubjects(grants))
                .unionByName(serviceSubjects(grants, windowActivity))
                .unionByName(identitySubjects(grants)));

    Dataset<Row> byAction =
        match(subjects, actionStats(activity, grants, windowStart, asOf, false), lit(true));
    Dataset<Row> resourceSubjects = resourceSubjects(grants);
    Dataset<Row> resourceStats = actionStats(activity, grants, windowStart, asOf, true);
    Dataset<Row> byResource =
        match(
            resourceSubjects,
            resourceStats,
            rlike(resourceStats.col("bucket"), resourceSubjects.col("bucket_regex")));
    Dataset<Row> matched = byAction.unionByName(byResource);

    Dataset<Row> judged =
        matched
            .withColumn("account_key", coalesce(col("account_id"), lit("")))
            .join(
                broadcast(observedDays(coverage, subjects, windowStart, asOf)),
                new String[] {"platform", "account_key", "usage_logs"},
                "left")
            .drop("account_key")
            .join(broadcast(dataEventDays(coverage, windowStart, asOf)), "account_id", "left")
            .join(
                broadcast(dataEventServices(activity, windowStart, asOf)),
                new String[] {"account_id", "service"},
                "left")
            .join(broadcast(agentsByPrincipal(reach, asOf)), "principal_id", "left")
            .withColumn("observation_days", coalesce(col("observation_days"), lit(0L)))
            .withColumn("data_event_days", coalesce(col("data_event_days"), lit(0L)))
            .withColumn(
                "service_data_event_days", coalesce(col("service_data_event_days"), lit(0L)))
            .withColumn("last_used_time", col("last_success.last_time"))
            .withColumn("last_used_event_id", col("last_success.sample_event_id"))
            .withColumn("verdict_rule", verdictRule(asOf, windowDays, graceDays))
            .withColumn("actions_used", size(col("used_actions")))
            // a * grant also grants what the catalog does not list yet: never fewer than used
            .withColumn("actions_granted", greatest(col("actions_granted"), col("actions_used")));
    judged = fold(judged.cache());

    Column evidence =
        Evidence.json(
            struct(
                col("level"),
                lit(windowStart).as("window_start"),
                lit(asOf).as("window_end"),
                lit(windowDays).as("window_days"),
                struct(
                        col("action_pattern"),
                        col("resource_pattern"),
                        col("policy_name"),
                        col("policy_types"),
                        col("grant_path"),
                        col("granted_since"),
                        col("conditional"))
                    .as("grant"),
                lit(graceDays).as("grace_days"),
                struct(
                        col("platform"),
                        col("account_id"),
                        col("usage_logs"),
                        col("observation_days").as("management_event_days"),
                        col("data_event_days"),
                        col("service_data_event_days"))
                    .as("coverage"),
                col("used_actions"),
                col("used_resources"),
                col("actions_granted"),
                col("actions_used"),
                col("action_verdicts"),
                when(col("folded"), concat(col("service"), lit(":*"))).as("folded_into"),
                col("last_used_time"),
                col("last_used_event_id"),
                col("denied_attempts"),
                lit("denied attempts are recorded but never counted as use")
                    .as("denied_attempts_note"),
                col("verdict_rule.reason").as("verdict_reason")));

    Dataset<Row> out =
        judged.select(
            lit(asOf).as(Tables.AS_OF_DATE),
            col("principal_id"),
            col("platform"),
            col("principal_arn"),
            coalesce(col("agent_ids"), array().cast("array<string>")).as("agent_ids"),
            col("level"),
            col("service"),
            col("action_pattern"),
            col("resource_pattern"),
            col("policy_name"),
            col("grant_path"),
            col("verdict_rule.verdict").as("verdict"),
            col("last_used_time"),
            col("last_used_event_id"),
            datediff(lit(asOf), Utc.day(col("last_used_time"))).as("days_unused"),
            col("used_actions"),
            col("denied_attempts"),
            col("observation_days"),
            lit(windowDays).as("window_days"),
            evidence.as("evidence"),
            col("actions_granted"),
            col("actions_used"),
            col("folded"));
    return Contracts.conform(out, Tables.UNUSED_PRIVILEGES);
  }

  /**
   * Folds the ACTION rows of a service none of whose actions was used ({@code actions_used = 0} on
   * the principal's SERVICE row) into that SERVICE row: they stay in the table, marked {@code
   * folded}, and the SERVICE row counts their verdicts ({@code action_verdicts} in its evidence). A
   * wildcard grant nobody uses then reads as one row per service, not one per catalog action, and
   * per-action rows remain unfolded only where some actions of the service were used (the narrowing
   * a reviewer acts on). Every other row is never folded.
   */
  private static Dataset<Row> fold(Dataset<Row> judged) {
    String[] key = {"principal_id", "service"};
    Column isAction = col("level").equalTo(PrivilegeLevel.ACTION.value());
    Dataset<Row> unusedServices =
        judged
            .filter(
                col("level")
                    .equalTo(PrivilegeLevel.SERVICE.value())
                    .and(col("actions_used").equalTo(0)))
            .select(col("principal_id"), col("service"), lit(true).as("service_unused"));
    Dataset<Row> verdicts =
        judged
            .filter(isAction)
            .groupBy(col("principal_id"), col("service"), col("verdict_rule.verdict").as("v"))
            .agg(count(lit(1)).as("n"))
            .groupBy(key[0], key[1])
            .agg(map_from_entries(array_sort(collect_list(struct(col("v"), col("n"))))).as("av"));
    return judged
        .join(unusedServices, key, "left")
        .join(verdicts, key, "left")
        .withColumn("folded", isAction.and(coalesce(col("service_unused"), lit(false))))
        .withColumn(
            "action_verdicts",
            when(col("level").equalTo(PrivilegeLevel.SERVICE.value()), col("av")))
        .drop("service_unused", "av");
  }

  /** Allow grants that grant (boundaries only limit), with lower-case patterns and an account. */
  private static Dataset<Row> allowGrants(Dataset<Row> entitlements, Dataset<Row> identities) {
    Dataset<Row> accounts =
        identities.select(
            col("identity_id").as("principal_id"), col("account_id").as("identity_account_id"));
    return EntitlementHistory.current(entitlements)
        .filter(lower(col("effect")).equalTo("allow"))
        .filter(lower(col("policy_type")).notEqual("boundary"))
        .join(accounts, new String[] {"principal_id"}, "left")
        .select(
            col("principal_id"),
            col("platform"),
            col("usage_log"),
            col("principal_arn"),
            coalesce(
                    col("account_id"),
                    col("identity_account_id"),
                    nullif(
                        regexp_extract(
                            col("principal_arn"), "^arn:[^:]*:[^:]*:[^:]*:([0-9]{12}):", 1),
                        lit("")))
                .as("account_id"),
            lower(col("action_pattern")).as("action_pattern"),
            lower(col("action")).as("action"),
            col("in_catalog"),
            lower(col("service")).as("service"),
            col("resource_pattern"),
            col("policy_name"),
            lower(col("policy_type")).as("policy_type"),
            col("grant_path"),
            col("conditional"),
            col("granted_since"));
  }

  private static Dataset<Row> grantSubjects(Dataset<Row> grants) {
    return grants
        .groupBy("principal_id", "action_pattern", "resource_pattern", "policy_name", "grant_path")
        .agg(
            max("platform").as("platform"),
            array_sort(collect_set("usage_log")).as("usage_logs"),
            max("principal_arn").as("principal_arn"),
            max("account_id").as("account_id"),
            max("service").as("service"),
            min("granted_since").as("granted_since"),
            array_sort(collect_set("policy_type")).as("policy_types"),
            max("conditional").as("conditional"),
            array_sort(collect_set("action")).as("actions"))
        .withColumn("level", lit(PrivilegeLevel.GRANT.value()))
        .withColumn("not_action", col("action_pattern").startsWith("NOT "))
        .withColumn(
            "pattern_regex",
            when(not(col("not_action")), Globs.toCaseInsensitiveRegex(col("action_pattern"))))
        .withColumn("granted_actions", when(col("not_action"), col("actions")))
        .withColumn("actions_granted", size(col("actions")))
        .drop("actions", "not_action");
  }

  /**
   * One row per granted concrete action, every statement granting it folded together (policies,
   * paths and resource patterns listed), so a wildcard grant used for one action still shows each
   * action it grants in vain. Conditional only when every grant of it is. Too new when any of its
   * grants is: a fresh grant of an old, unused action is a new decision, not judged yet. An action
   * pattern outside the catalog stays a pattern.
   */
  private static Dataset<Row> actionSubjects(Dataset<Row> grants) {
    return grants
        .groupBy("principal_id", "action")
        .agg(
            max("platform").as("platform"),
            array_sort(collect_set("usage_log")).as("usage_logs"),
            max("principal_arn").as("principal_arn"),
            max("account_id").as("account_id"),
            max("granted_since").as("granted_since"),
            array_sort(collect_set("policy_type")).as("policy_types"),
            min("conditional").as("conditional"),
            max("in_catalog").as("in_catalog"),
            array_join(array_sort(collect_set("resource_pattern")), ", ").as("resource_pattern"),
            array_join(array_sort(collect_set("policy_name")), ", ").as("policy_name"),
            array_join(array_sort(collect_set("grant_path")), ", ").as("grant_path"))
        .withColumn("level", lit(PrivilegeLevel.ACTION.value()))
        .withColumnRenamed("action", "action_pattern")
        .withColumn("service", substring_index(col("action_pattern"), ":", 1))
        .withColumn(
            "pattern_regex",
            when(not(col("in_catalog")), Globs.toCaseInsensitiveRegex(col("action_pattern"))))
        .withColumn("granted_actions", when(col("in_catalog"), array(col("action_pattern"))))
        .withColumn("actions_granted", lit(1))
        .drop("in_catalog");
  }

  /**
   * The grants scoped to S3 buckets or objects, judged on the resource as well: used only by
   * successful activity on a bucket the pattern names. Activity names S3 resources down to the
   * bucket ({@code arn:aws:s3:::b} or {@code arn:aws:s3:::b/*}), so this is where the resource
   * level can be judged; other services' activity carries no resource.
   */
  private static Dataset<Row> resourceSubjects(Dataset<Row> grants) {
    return grantSubjects(grants)
        .filter(col("service").equalTo("s3").and(col("resource_pattern").rlike(S3_BUCKET)))
        .withColumn("level", lit(PrivilegeLevel.RESOURCE.value()))
        .withColumn(
            "bucket_regex",
            Globs.toCaseInsensitiveRegex(regexp_extract(col("resource_pattern"), S3_BUCKET, 1)));
  }

  /**
   * One row per granted service: the service part of every action the principal's grants name (a
   * {@code *} grant, expanded over the action catalog, names every catalog service), and, for a
   * principal with a {@code *} grant, every service it was seen using in the window (one the
   * catalog does not list yet). {@code actions_granted} counts the distinct actions (and
   * uncatalogued patterns) granted in the service.
   */
  private static Dataset<Row> serviceSubjects(Dataset<Row> grants, Dataset<Row> windowActivity) {
    String[] who = {"platform", "usage_log", "principal_arn", "account_id", "granted_since"};
    Dataset<Row> named =
        grants
            .withColumn("service", lower(substring_index(col("action"), ":", 1)))
            // a pattern whose service part is itself a glob ("*", "*:get*") names no one service
            .filter(not(col("service").rlike("[*?]")))
            .select("principal_id", with(with(who, "service"), "action"));
    Dataset<Row> wildcard = grants.filter(col("service").equalTo("*")).select("principal_id", who);
    Dataset<Row> observedServices =
        windowActivity
            .filter(col("success_count").gt(0))
            .select(
                col("principal_id"), lower(substring_index(col("action"), ":", 1)).as("service"))
            .distinct();
    return named
        .unionByName(
            wildcard
                .join(observedServices, "principal_id")
                .withColumn("action", lit(null).cast("string")))
        .groupBy("principal_id", "service")
        .agg(
            max("platform").as("platform"),
            array_sort(collect_set("usage_log")).as("usage_logs"),
            max("principal_arn").as("principal_arn"),
            max("account_id").as("account_id"),
            min("granted_since").as("granted_since"),
            countDistinct("action").cast("int").as("actions_granted"))
        .withColumn("level", lit(PrivilegeLevel.SERVICE.value()))
        .withColumn("action_pattern", concat(col("service"), lit(":*")))
        .withColumn("resource_pattern", lit("*"))
        .withColumn("policy_name", lit("*"))
        .withColumn("grant_path", lit("*"))
        .withColumn("policy_types", lit(null).cast("array<string>"))
        .withColumn("conditional", lit(null).cast("boolean"))
        .withColumn("pattern_regex", Globs.toCaseInsensitiveRegex(col("action_pattern")))
        .withColumn("granted_actions", lit(null).cast("array<string>"));
  }

  private static String[] with(String[] columns, String more) {
    String[] out = Arrays.copyOf(columns, columns.length + 1);
    out[columns.length] = more;
    return out;
  }

  private static Dataset<Row> identitySubjects(Dataset<Row> grants) {
    return grants
        .groupBy("principal_id")
        .agg(
            max("platform").as("platform"),
            array_sort(collect_set("usage_log")).as("usage_logs"),
            max("principal_arn").as("principal_arn"),
            max("account_id").as("account_id"),
            min("granted_since").as("granted_since"),
            countDistinct("action").cast("int").as("actions_granted"))
        .withColumn("level", lit(PrivilegeLevel.IDENTITY.value()))
        .withColumn("service", lit("*"))
        .withColumn("action_pattern", lit("*"))
        .withColumn("resource_pattern", lit("*"))
        .withColumn("policy_name", lit("*"))
        .withColumn("grant_path", lit("*"))
        .withColumn("policy_types", lit(null).cast("array<string>"))
        .withColumn("conditional", lit(null).cast("boolean"))
        .withColumn("pattern_regex", lit("^.*$"))
        .withColumn("granted_actions", lit(null).cast("array<string>"));
  }

  /**
   * Per principal and action (and, {@code byBucket}, per S3 resource the logs name), aggregated
   * before the pattern join: successes and denials in the window, and the latest success at or
   * before the run date (any time, not only the window).
   */
  private static Dataset<Row> actionStats(
      Dataset<Row> activity,
      Dataset<Row> grants,
      LocalDate windowStart,
      LocalDate asOf,
      boolean byBucket) {
    Column inWindow = col("day").geq(lit(windowStart));
    Dataset<Row> rows =
        activity
            .filter(col("day").leq(lit(asOf)))
            .join(
                grants.select("principal_id").distinct(),
                new String[] {"principal_id"},
                "left_semi");
    Column resource = lit(null).cast("string");
    Column bucket = lit(null).cast("string");
    if (byBucket) {
      rows = rows.filter(col("resource").rlike(S3_BUCKET));
      resource = col("resource");
      bucket = regexp_extract(col("resource"), S3_BUCKET, 1);
    }
    return rows.groupBy(
            col("principal_id").as("a_principal_id"),
            lower(col("action")).as("action"),
            resource.as("resource"),
            bucket.as("bucket"))
        .agg(
            sum(when(inWindow, col("success_count")).otherwise(0L)).as("win_success"),
            sum(when(inWindow, col("denied_count")).otherwise(0L)).as("win_denied"),
            max(when(col("success_count").gt(0), struct(col("last_time"), col("sample_event_id"))))
                .as("last_success"));
  }

  /**
   * Each subject left-joined with its principal's statistics for the actions it grants (and that
   * meet {@code also}), folded back to one row per subject.
   */
  private static Dataset<Row> match(Dataset<Row> subjects, Dataset<Row> stats, Column also) {
    Column grantsAction =
        when(
                subjects.col("pattern_regex").isNull(),
                array_contains(subjects.col("granted_actions"), stats.col("action")))
            .otherwise(rlike(stats.col("action"), subjects.col("pattern_regex")));
    return subjects
        .join(
            stats,
            subjects
                .col("principal_id")
                .equalTo(stats.col("a_principal_id"))
                .and(grantsAction)
                .and(also),
            "left")
        .groupBy(Arrays.stream(SUBJECT_KEY).map(c -> col(c)).toArray(Column[]::new))
        .agg(
            array_sort(collect_set(when(col("win_success").gt(0), col("action"))))
                .as("used_actions"),
            array_sort(collect_set(when(col("win_success").gt(0), col("resource"))))
                .as("used_resources"),
            coalesce(sum("win_denied"), lit(0L)).as("denied_attempts"),
            coalesce(sum("win_success"), lit(0L)).as("window_successes"),
            max("last_success").as("last_success"));
  }

  /**
   * Per platform, account ({@code account_key}: the account id, or {@code ""} where the platform
   * has none) and set of usage logs a subject's grants name: the days in the window on which every
   * one of those logs holds records. A subject is observed on a day only when all the logs that
   * could show its use were collected that day.
   */
  private static Dataset<Row> observedDays(
      Dataset<Row> coverage, Dataset<Row> subjects, LocalDate windowStart, LocalDate asOf) {
    Dataset<Row> logDays =
        coverage
            .filter(col("day").between(lit(windowStart), lit(asOf)))
            .filter(col("management_events").plus(col("data_events")).gt(0))
            .select(
                col("platform"),
                coalesce(col("account_id"), lit("")).as("account_key"),
                col("source").as("log"),
                col("day"))
            .distinct();
    Dataset<Row> needs =
        subjects
            .select(
                col("platform"),
                coalesce(col("account_id"), lit("")).as("account_key"),
                col("usage_logs"))
            .distinct();
    return needs
        .withColumn("log", explode(col("usage_logs")))
        .join(logDays, new String[] {"platform", "account_key", "log"})
        .groupBy("platform", "account_key", "usage_logs", "day")
        .agg(countDistinct("log").as("logs_seen"))
        .filter(col("logs_seen").equalTo(size(col("usage_logs"))))
        .groupBy("platform", "account_key", "usage_logs")
        .agg(count(lit(1)).as("observation_days"));
  }

  /** Days in the window with data events, per account. */
  private static Dataset<Row> dataEventDays(
      Dataset<Row> coverage, LocalDate windowStart, LocalDate asOf) {
    return coverage
        .filter(col("day").between(lit(windowStart), lit(asOf)))
        .filter(col("account_id").isNotNull())
        .groupBy("account_id", "day")
        .agg(sum("data_events").as("d"))
        .groupBy("account_id")
        .agg(count(when(col("d").gt(0), true)).as("data_event_days"));
  }

  /**
   * Subjects of platforms whose logs name only the resource called ({@link UsageObservability}):
   * their grant and action rows, and rows of a service that acts through any resource, are matched
   * on the resource (any activity of the principal on the grant's service), not on the permission.
   */
  private static Dataset<Row> matchedAsObservable(Dataset<Row> subjects) {
    Column regex = col("pattern_regex");
    Column granted = col("granted_actions");
    for (UsageObservability o : Sources.USAGE_OBSERVABILITY) {
      if (o.permissionLevel()) {
        continue;
      }
      Column platform = col("platform").equalTo(o.platform().value());
      Column anyResource = col("service").isin(o.anyResourceServices().toArray());
      Column byResource =
          platform.and(
              col("level")
                  .isin(PrivilegeLevel.GRANT.value(), PrivilegeLevel.ACTION.value())
                  .or(anyResource.and(col("level").equalTo(PrivilegeLevel.SERVICE.value()))));
      Column resourceRegex =
          when(anyResource, lit("^.*$"))
              .otherwise(Globs.toCaseInsensitiveRegex(concat(col("service"), lit(":*"))));
      regex = when(byResource, resourceRegex).otherwise(regex);
      granted = when(byResource, lit(null).cast("array<string>")).otherwise(granted);
    }
    return subjects.withColumn("pattern_regex", regex).withColumn("granted_actions", granted);
  }

  /**
   * Days in the window with data events of each service, per account, as seen in activity: the only
   * evidence of which data events the account's trails select.
   */
  private static Dataset<Row> dataEventServices(
      Dataset<Row> activity, LocalDate windowStart, LocalDate asOf) {
    return activity
        .filter(col("day").between(lit(windowStart), lit(asOf)))
        .filter(col("event_category").equalTo("Data"))
        .filter(col("account_id").isNotNull())
        .groupBy(col("account_id"), lower(substring_index(col("action"), ":", 1)).as("service"))
        .agg(countDistinct("day").as("service_data_event_days"));
  }

  static Dataset<Row> agentsByPrincipal(Dataset<Row> reach, LocalDate asOf) {
    return reach
        .filter(col(Tables.AS_OF_DATE).equalTo(lit(asOf)))
        .groupBy("principal_id")
        .agg(array_sort(collect_set("agent_id")).as("agent_ids"));
  }

  /** A struct of (verdict, reason) following the documented precedence. */
  private static Column verdictRule(LocalDate asOf, int windowDays, int graceDays) {
    Column tooNew =
        col("granted_since")
            .isNotNull()
            .and(Utc.day(col("granted_since")).gt(lit(asOf.minusDays(graceDays))));
    Column noDataEvents = col("service_data_event_days").equalTo(0);
    Column seen = col("window_successes").gt(0);
    Column chain =
        when(
            tooNew,
            rule(
                Verdict.TOO_NEW,
                lit("granted within the " + graceDays + "-day grace period; not judged yet")));
    for (UsageObservability o : Sources.USAGE_OBSERVABILITY) {
      Column platform = col("platform").equalTo(o.platform().value());
      if (!o.permissionLevel()) {
        Column byResource =
            col("level")
                .isin(PrivilegeLevel.GRANT.value(), PrivilegeLevel.ACTION.value())
                .or(
                    col("service")
                        .isin(o.anyResourceServices().toArray())
                        .and(col("level").equalTo(PrivilegeLevel.SERVICE.value())));
        chain =
            chain.when(
                platform.and(byResource).and(seen),
                rule(Verdict.NOT_OBSERVABLE, lit(o.seenReason())));
      }
      if (o.unresolvedServicePrefix() != null) {
        chain =
            chain.when(
                platform
                    .and(col("level").notEqual(PrivilegeLevel.IDENTITY.value()))
                    .and(col("service").startsWith(o.unresolvedServicePrefix())),
                rule(Verdict.NOT_OBSERVABLE, lit(o.unresolvedReason())));
      }
    }
    chain = chain.when(seen, rule(Verdict.USED, lit("successful matching activity in the window")));
    for (UsageObservability o : Sources.USAGE_OBSERVABILITY) {
      Column platform = col("platform").equalTo(o.platform().value());
      if (!o.neverLogged().isEmpty()) {
        chain =
            chain.when(
                platform.and(col("action_pattern").isin(o.neverLogged().toArray())),
                rule(Verdict.NOT_OBSERVABLE, lit(o.neverLoggedReason())));
      }
      if (!o.dataEventOnly().isEmpty()) {
        Column actions =
            array(
                o.dataEventOnly().stream()
                    .map(org.apache.spark.sql.functions::lit)
                    .toArray(Column[]::new));
        Column dataEventOnly =
            col("action_pattern")
                .isin(o.dataEventOnly().toArray())
                .or(
                    // a glob within one service (s3:*, s3:Get*), never the whole of "*"
                    col("action_pattern")
                        .rlike("^[^*?:]+:.*[*?]")
                        .and(exists(actions, a -> Globs.matches(a, col("action_pattern")))));
        chain =
            chain.when(
                platform.and(dataEventOnly).and(noDataEvents),
                rule(
                    Verdict.NOT_OBSERVABLE,
                    concat(
                        lit(o.dataEventOnlyReasonPrefix()),
                        col("service"),
                        lit(" data events in the window"))));
      }
    }
    return chain
        .when(
            col("observation_days").lt(windowDays),
            rule(
                Verdict.INSUFFICIENT_HISTORY,
                concat(
                    lit("the logs that show this use ("),
                    array_join(col("usage_logs"), ", "),
                    lit(") were seen on "),
                    col("observation_days").cast("string"),
                    lit(" of " + windowDays + " days in the window"))))
        .otherwise(
            rule(
                Verdict.UNUSED,
                lit(
                    "no successful matching activity in a fully observed "
                        + windowDays
                        + "-day window")));
  }

  /**
   * One GRANT row named in words, unique per principal: {@code <principal_id> <action_pattern> on
   * <resource_pattern> by <policy_name> <grant_path>}. It is the review item's target (so part of
   * its {@code item_id}, which reviewers' decisions key on) and the drift row's subject: changing
   * it re-opens every decided item.
   */
  public static Column grantSubject() {
    return concat_ws(
        " ",
        col("principal_id"),
        col("action_pattern"),
        lit("on"),
        col("resource_pattern"),
        lit("by"),
        col("policy_name"),
        col("grant_path"));
  }

  private static Column rule(Verdict verdict, Column reason) {
    return struct(lit(verdict.value()).as("verdict"), reason.as("reason"));
  }
}
