package io.agentlake.transforms.analyze;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.format_number;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.min_by;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.struct;

import io.agentlake.schemas.Tables;
import io.agentlake.schemas.vocabulary.DriftChange;
import io.agentlake.schemas.vocabulary.PrivilegeLevel;
import io.agentlake.transforms.Contracts;
import io.agentlake.transforms.Evidence;
import java.time.LocalDate;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code gold.privilege_drift}: what changed between the previous run date in the lake and this
 * one, read from the gold rows of both dates (and silver activity for first uses).
 *
 * <ul>
 *   <li>{@code GRANT_ADDED} / {@code GRANT_REMOVED}: a GRANT row of gold.unused_privileges (key:
 *       principal, policy, grant path, action pattern, resource pattern) present on one date only;
 *       before/after = its verdict.
 *   <li>{@code REACH_ADDED} / {@code REACH_REMOVED}: an agent x principal edge of gold.agent_reach
 *       present on one date only; before/after = hops.
 *   <li>{@code FIRST_USE}: the first successful day of a principal x action (over all the activity
 *       given, which must end at the run date) is after the previous date. The previous run already
 *       reported first uses up to and including its own date, so that day is not reported twice.
 *   <li>{@code SCORE_CHANGED}: an agent scored on both dates whose score moved by at least {@code
 *       threshold} points; evidence lists the factors whose contribution changed. Agents scored on
 *       one date only show up through their reach edges instead.
 * </ul>
 *
 * No previous date: one {@code BASELINE} row and nothing else.
 *
 * <p>Dangerous: drift is relative to whatever the previous run saw. A late export shows up as drift
 * on the date it arrived, and a first use from a log delivered after its day's run is missed when
 * its day is the previous date or earlier.
 */
public final class PrivilegeDrift {

  private static final String[] GRANT_KEY = {
    "principal_id", "policy_name", "grant_path", "action_pattern", "resource_pattern"
  };

  private PrivilegeDrift() {}

  /**
   * @param previous the latest run date before {@code asOf} present in the lake, or null
   * @param unused, reach, scores gold rows of (at least) both dates
   * @param activity silver activity up to the end of {@code asOf}
   */
  public static Dataset<Row> compute(
      Dataset<Row> unused,
      Dataset<Row> reach,
      Dataset<Row> scores,
      Dataset<Row> activity,
      LocalDate asOf,
      LocalDate previous,
      double threshold) {
    if (previous == null) {
      return baseline(unused.sparkSession(), asOf);
    }
    if (!previous.isBefore(asOf)) {
      throw new IllegalArgumentException(
          "Cannot compute drift of "
              + asOf
              + " against "
              + previous
              + ": the previous run date must be earlier.");
    }
    Dataset<Row> out =
        grants(unused, asOf, previous)
            .unionByName(reachChanges(reach, asOf, previous))
            .unionByName(firstUses(activity, reach, asOf, previous))
            .unionByName(scoreChanges(scores, asOf, previous, threshold));
    return Contracts.conform(
        out.withColumn(Tables.AS_OF_DATE, lit(asOf)).withColumn("previous_date", lit(previous)),
        Tables.PRIVILEGE_DRIFT);
  }

  private static Dataset<Row> baseline(SparkSession spark, LocalDate asOf) {
    Dataset<Row> one =
        spark
            .range(1)
            .select(
                lit(asOf).as(Tables.AS_OF_DATE),
                lit(null).cast("date").as("previous_date"),
                lit(DriftChange.BASELINE.value()).as("change_type"),
                lit("baseline").as("subject"),
                array().cast("array<string>").as("agent_ids"),
                lit(null).cast("string").as("principal_id"),
                lit(null).cast("string").as("before"),
                lit(null).cast("string").as("after"),
                Evidence.json(
                        struct(
                            lit("no earlier run date in the lake: nothing to compare; later runs"
                                    + " report changes against this one")
                                .as("reason")))
                    .as("evidence"));
    return Contracts.conform(one, Tables.PRIVILEGE_DRIFT);
  }

  private static Dataset<Row> on(Dataset<Row> gold, LocalDate date) {
    return gold.filter(col(Tables.AS_OF_DATE).equalTo(lit(date)));
  }

  private static Dataset<Row> grants(Dataset<Row> unused, LocalDate asOf, LocalDate previous) {
    Dataset<Row> now = grantRows(unused, asOf);
    Dataset<Row> before = grantRows(unused, previous);
    return grantChange(now.join(before, GRANT_KEY, "left_anti"), DriftChange.GRANT_ADDED, false)
        .unionByName(
            grantChange(before.join(now, GRANT_KEY, "left_anti"), DriftChange.GRANT_REMOVED, true));
  }

  private static Dataset<Row> grantRows(Dataset<Row> unused, LocalDate date) {
    return on(unused, date)
        .filter(col("level").equalTo(PrivilegeLevel.GRANT.value()))
        .select(
            col("principal_id"),
            col("policy_name"),
            col("grant_path"),
            col("action_pattern"),
            col("resource_pattern"),
            coalesce(col("agent_ids"), array().cast("array<string>")).as("agent_ids"),
            col("verdict"));
  }

  private static Dataset<Row> grantChange(Dataset<Row> rows, DriftChange type, boolean removed) {
    Column verdict = col("verdict");
    Column none = lit(null).cast("string");
    return rows.select(
        lit(type.value()).as("change_type"),
        UnusedPrivileges.grantSubject().as("subject"),
        col("agent_ids"),
        col("principal_id"),
        (removed ? verdict : none).as("before"),
        (removed ? none : verdict).as("after"),
        Evidence.json(
                struct(
                    col("policy_name"),
                    col("grant_path"),
                    col("action_pattern"),
                    col("resource_pattern"),
                    col("verdict")))
            .as("evidence"));
  }

  private static Dataset<Row> reachChanges(Dataset<Row> reach, LocalDate asOf, LocalDate previous) {
    String[] key = {"agent_id", "principal_id"};
    Dataset<Row> now = on(reach, asOf).select("agent_id", "principal_id", "hops", "path", "via");
    Dataset<Row> before =
        on(reach, previous).select("agent_id", "principal_id", "hops", "path", "via");
    return reachChange(now.join(before, key, "left_anti"), DriftChange.REACH_ADDED, false)
        .unionByName(
            reachChange(before.join(now, key, "left_anti"), DriftChange.REACH_REMOVED, true));
  }

  private static Dataset<Row> reachChange(Dataset<Row> rows, DriftChange type, boolean removed) {
    Column hops = col("hops").cast("string");
    Column none = lit(null).cast("string");
    return rows.select(
        lit(type.value()).as("change_type"),
        concat_ws(" -> ", col("agent_id"), col("principal_id")).as("subject"),
        array(col("agent_id")).as("agent_ids"),
        col("principal_id"),
        (removed ? hops : none).as("before"),
        (removed ? none : hops).as("after"),
        Evidence.json(struct(col("hops"), col("path"), col("via"))).as("evidence"));
  }

  private static Dataset<Row> firstUses(
      Dataset<Row> activity, Dataset<Row> reach, LocalDate asOf, LocalDate previous) {
    Dataset<Row> firsts =
        activity
            .filter(col("day").leq(lit(asOf)).and(col("success_count").gt(0)))
            .groupBy("principal_id", "action")
            .agg(
                min("day").as("first_day"),
                min_by(
                        struct(
                            col("first_time"),
                            col("resource"),
                            col("sample_event_id"),
                            col("success_count")),
                        col("first_time"))
                    .as("first"))
            .filter(col("first_day").gt(lit(previous)));
    Dataset<Row> agentsByPrincipal =
        on(reach, asOf)
            .groupBy("principal_id")
            .agg(array_sort(collect_set("agent_id")).as("agent_ids"));
    return firsts
        .join(agentsByPrincipal, "principal_id", "left")
        .select(
            lit(DriftChange.FIRST_USE.value()).as("change_type"),
            concat_ws(" ", col("principal_id"), col("action")).as("subject"),
            coalesce(col("agent_ids"), array().cast("array<string>")).as("agent_ids"),
            col("principal_id"),
            lit(null).cast("string").as("before"),
            col("first_day").cast("string").as("after"),
            Evidence.json(
                    struct(
                        col("action"),
                        col("first.first_time").as("first_time"),
                        col("first.resource").as("resource"),
                        col("first.sample_event_id").as("sample_event_id"),
                        col("first.success_count").as("successes_that_day")))
                .as("evidence"));
  }

  private static Dataset<Row> scoreChanges(
      Dataset<Row> scores, LocalDate asOf, LocalDate previous, double threshold) {
    Dataset<Row> now =
        on(scores, asOf).select(col("agent_id"), col("score").as("after"), col("factors"));
    Dataset<Row> before =
        on(scores, previous)
            .select(col("agent_id"), col("score").as("before"), col("factors").as("old_factors"));
    Dataset<Row> moved =
        now.join(before, "agent_id").filter(abs(col("after").minus(col("before"))).geq(threshold));
    Dataset<Row> factorNow =
        moved
            .select(col("agent_id"), explode(col("factors")).as("f"))
            .select(col("agent_id"), col("f.factor").as("factor"), col("f.contribution").as("a"));
    Dataset<Row> factorBefore =
        moved
            .select(col("agent_id"), explode(col("old_factors")).as("f"))
            .select(col("agent_id"), col("f.factor").as("factor"), col("f.contribution").as("b"));
    Dataset<Row> changedFactors =
        factorNow
            .join(factorBefore, new String[] {"agent_id", "factor"}, "full_outer")
            .filter(coalesce(col("a"), lit(0.0)).notEqual(coalesce(col("b"), lit(0.0))))
            .groupBy("agent_id")
            .agg(
                array_sort(
                        collect_list(
                            struct(
                                col("factor"),
                                col("b").as("contribution_before"),
                                col("a").as("contribution_after"))))
                    .as("factors_changed"));
    return moved
        .join(changedFactors, "agent_id", "left")
        .select(
            lit(DriftChange.SCORE_CHANGED.value()).as("change_type"),
            col("agent_id").as("subject"),
            array(col("agent_id")).as("agent_ids"),
            lit(null).cast("string").as("principal_id"),
            format_number(col("before"), 1).as("before"),
            format_number(col("after"), 1).as("after"),
            Evidence.json(
                    struct(
                        round(col("after").minus(col("before")), 1).as("delta"),
                        lit(threshold).as("threshold"),
                        col("factors_changed")))
                .as("evidence"));
  }
}
