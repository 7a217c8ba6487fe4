package io.agentlake.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.agentlake.jobs.config.AgentlakeConfig;
import io.agentlake.jobs.lake.Lake;
import io.agentlake.jobs.lake.RunLedger;
import io.agentlake.schemas.TableContract;
import io.agentlake.schemas.Tables;
import io.agentlake.transforms.LakeTables;
import io.agentlake.transforms.analyze.AgentReach;
import io.agentlake.transforms.analyze.LeastPrivilege;
import io.agentlake.transforms.analyze.OrphanedAgents;
import io.agentlake.transforms.analyze.PrincipalRiskFacts;
import io.agentlake.transforms.analyze.PrivilegeDrift;
import io.agentlake.transforms.analyze.ReviewQueue;
import io.agentlake.transforms.analyze.RiskFactCatalog;
import io.agentlake.transforms.analyze.RiskModel;
import io.agentlake.transforms.analyze.RiskScores;
import io.agentlake.transforms.analyze.UnusedPrivileges;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Analyze: silver → gold for one run date. Every gold table replaces exactly that date's rows.
 * Analysis sees activity up to the end of the date only, so re-running a past date gives the answer
 * that date would have had from the same exports.
 */
public final class AnalyzeJob {

  private static final TableContract REVIEW_DECISIONS =
      LakeTables.byName("bronze.review_decisions").orElseThrow();

  private AnalyzeJob() {}

  /**
   * The latest run date before {@code asOf} in the gold tables drift compares, or null when there
   * is none. A backfill of an older date compares with the run before it, not with the newest.
   */
  static LocalDate previousRunDate(Lake lake, LocalDate asOf) {
    LocalDate previous = null;
    for (TableContract t :
        List.of(Tables.UNUSED_PRIVILEGES, Tables.AGENT_REACH, Tables.RISK_SCORES)) {
      for (LocalDate d : lake.dates(t)) {
        if (d.isBefore(asOf) && (previous == null || d.isAfter(previous))) {
          previous = d;
        }
      }
    }
    return previous;
  }

  public static Map<String, TableWrite> run(Lake lake, LocalDate asOf, AgentlakeConfig config) {
    RiskModel model = riskModel(lake, config);
    Dataset<Row> agents = lake.read(Tables.AGENTS);
    Dataset<Row> identities = lake.read(Tables.IDENTITIES);
    Dataset<Row> edges = lake.read(Tables.IDENTITY_EDGES);
    Dataset<Row> entitlements = lake.read(Tables.ENTITLEMENTS);
    Dataset<Row> activity = lake.read(Tables.ACTIVITY_DAILY).filter(col("day").leq(lit(asOf)));
    Dataset<Row> principalDaily =
        lake.read(Tables.PRINCIPAL_DAILY).filter(col("day").leq(lit(asOf)));
    Dataset<Row> coverage =
        lake.read(Tables.OBSERVATION_COVERAGE).filter(col("day").leq(lit(asOf)));
    Map<String, TableWrite> counts = new LinkedHashMap<>();

    group(lake, "analyze: agent_reach");
    write(
        lake,
        Tables.AGENT_REACH,
        () -> AgentReach.compute(agents, edges, asOf, config.maxReachHops()),
        asOf,
        counts);
    Dataset<Row> reach = dated(lake, Tables.AGENT_REACH, asOf);
    group(lake, "analyze: principal_risk_facts");
    write(
        lake,
        Tables.PRINCIPAL_RISK_FACTS,
        () ->
            PrincipalRiskFacts.compute(
                entitlements, edges, RiskFactCatalog.defaults(), asOf, config.maxReachHops()),
        asOf,
        counts);
    Dataset<Row> riskFacts = dated(lake, Tables.PRINCIPAL_RISK_FACTS, asOf);
    group(lake, "analyze: unused_privileges");
    write(
        lake,
        Tables.UNUSED_PRIVILEGES,
        () ->
            UnusedPrivileges.compute(
                entitlements,
                activity,
                coverage,
                identities,
                reach,
                asOf,
                config.windowDays(),
                config.graceDays()),
        asOf,
        counts);
    Dataset<Row> unused = dated(lake, Tables.UNUSED_PRIVILEGES, asOf);
    group(lake, "analyze: least_privilege_policies");
    write(
        lake,
        Tables.LEAST_PRIVILEGE_POLICIES,
        () -> LeastPrivilege.compute(unused, entitlements, activity, asOf, config.windowDays()),
        asOf,
        counts);
    Dataset<Row> leastPrivilege = dated(lake, Tables.LEAST_PRIVILEGE_POLICIES, asOf);
    group(lake, "analyze: orphaned_agents");
    write(
        lake,
        Tables.ORPHANED_AGENTS,
        () -> OrphanedAgents.compute(agents, identities, edges, activity, asOf, config.idleDays()),
        asOf,
        counts);
    Dataset<Row> orphans = dated(lake, Tables.ORPHANED_AGENTS, asOf);
    group(lake, "analyze: risk_scores");
    write(
        lake,
        Tables.RISK_SCORES,
        () ->
            RiskScores.compute(
                agents,
                reach,
                riskFacts,
                unused,
                orphans,
                activity,
                principalDaily,
                identities,
                model,
                asOf),
        asOf,
        counts);
    Dataset<Row> scores = dated(lake, Tables.RISK_SCORES, asOf);
    LocalDate previous = previousRunDate(lake, asOf);
    group(lake, "analyze: privilege_drift");
    write(
        lake,
        Tables.PRIVILEGE_DRIFT,
        () ->
            PrivilegeDrift.compute(
                lake.read(Tables.UNUSED_PRIVILEGES),
                lake.read(Tables.AGENT_REACH),
                lake.read(Tables.RISK_SCORES),
                activity,
                asOf,
                previous,
                config.driftScoreThreshold()),
        asOf,
        counts);
    group(lake, "analyze: review_queue");
    write(
        lake,
        Tables.REVIEW_QUEUE,
        () ->
            ReviewQueue.compute(
                unused,
                leastPrivilege,
                orphans,
                scores,
                new RunLedger(lake).ingestRuns().bronze(lake, REVIEW_DECISIONS),
                asOf),
        asOf,
        counts);
    // Some transforms cache what they reuse (reach iterates); release it so a long-lived session
    // (the demo, a notebook, tests) does not accumulate one run's caches after another.
    lake.spark().catalog().clearCache();
    return counts;
  }

  /**
   * The model named by {@code risk-model}, or the built-in one. A file that is missing or not a
   * usable model is the user's input to fix (exit 3), not a storage failure worth a retry.
   */
  private static RiskModel riskModel(Lake lake, AgentlakeConfig config) {
    if (config.riskModel() == null) {
      return RiskModel.defaults();
    }
    Path path = new Path(config.riskModel());
    try (InputStream in =
        path.getFileSystem(lake.spark().sparkContext().hadoopConfiguration()).open(path)) {
      return RiskModel.load(in);
    } catch (RiskModel.InvalidRiskModel e) {
      throw Errors.badRiskModel(config.riskModel(), e.reason(), e.fix());
    } catch (FileNotFoundException e) {
      throw Errors.riskModelNotFound(config.riskModel());
    } catch (IOException | UncheckedIOException e) {
      throw Errors.storage("read the risk model", config.riskModel(), e);
    }
  }

  private static Dataset<Row> dated(Lake lake, TableContract table, LocalDate asOf) {
    return lake.read(table).filter(col(Tables.AS_OF_DATE).equalTo(lit(asOf)));
  }

  /**
   * Takes the rows as a supplier so the time reported for a table includes the work its transform
   * does eagerly (agent reach runs one Spark action per hop while building its plan).
   */
  private static void write(
      Lake lake,
      TableContract table,
      Supplier<Dataset<Row>> rows,
      LocalDate asOf,
      Map<String, TableWrite> counts) {
    long t0 = System.nanoTime();
    lake.replaceDate(table, rows.get(), asOf);
    counts.put(
        table.name(),
        new TableWrite(lake.lastWrittenRows(table), (System.nanoTime() - t0) / 1_000_000));
  }

  private static void group(Lake lake, String description) {
    lake.spark().sparkContext().setJobGroup("analyze", description, false);
  }
}
