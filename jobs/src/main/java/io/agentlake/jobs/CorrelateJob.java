package io.agentlake.jobs;

import static org.apache.spark.sql.functions.lit;

import io.agentlake.jobs.lake.Lake;
import io.agentlake.jobs.lake.RunLedger;
import io.agentlake.schemas.SourceRecordType;
import io.agentlake.schemas.TableContract;
import io.agentlake.schemas.Tables;
import io.agentlake.schemas.vocabulary.Platform;
import io.agentlake.transforms.correlate.Agents;
import io.agentlake.transforms.correlate.EntitlementHistory;
import io.agentlake.transforms.correlate.Identities;
import io.agentlake.transforms.correlate.IdentityEdges;
import io.agentlake.transforms.correlate.Snapshots;
import io.agentlake.transforms.sources.PlatformSilver;
import io.agentlake.transforms.sources.SilverInputs;
import io.agentlake.transforms.sources.Sources;
import io.agentlake.transforms.sources.cloudtrail.CloudTrailDaily;
import io.agentlake.transforms.sources.iam.ActionCatalog;
import io.agentlake.transforms.sources.iam.IamPolicies;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

/**
 * Correlate: bronze → silver. CloudTrail's daily aggregates (activity, principals, coverage,
 * unmapped events) are brought up to date incrementally by {@link CloudTrailAggregates}, or rebuilt
 * from all of bronze when {@code full}; inventory sources are reduced to their latest snapshot and
 * the identity graph is rebuilt whole from them and {@code silver.principal_daily}, never from raw
 * CloudTrail; entitlements keep their history ({@link EntitlementHistory}: the previous table plus
 * every platform's grants as of this run, rewound to the run date first). Re-running a date is
 * idempotent either way.
 */
public final class CorrelateJob {

  private CorrelateJob() {}

  public static Map<String, TableWrite> run(Lake lake, RunReport report, LocalDate runDate) {
    return run(lake, report, runDate, false);
  }

  /**
   * @param full rebuild the CloudTrail aggregates from all of bronze instead of incrementally
   */
  public static Map<String, TableWrite> run(
      Lake lake, RunReport report, LocalDate runDate, boolean full) {
    RunLedger.IngestRuns ingests = new RunLedger(lake).ingestRuns();
    Map<String, TableWrite> counts = new LinkedHashMap<>();
    CloudTrailAggregates.update(lake, full, report.runId(), report, counts);
    // Every platform that rebuilds its activity and coverage whole (AWS's are CloudTrail's day
    // aggregates, kept above), after CloudTrail's, whose full rebuild replaces whole tables.
    SilverInputs in = inputs(lake, ingests);
    for (PlatformSilver platform : Sources.platforms()) {
      Optional<Dataset<Row>> activity = platform.activity(in);
      Optional<Dataset<Row>> coverage = platform.coverage(in);
      if (activity.isEmpty() && coverage.isEmpty()) {
        continue;
      }
      group(lake, "correlate: " + platform.platform().value() + " activity and coverage");
      activity.ifPresent(
          rows -> replacePlatform(lake, Tables.ACTIVITY_DAILY, rows, platform.platform(), counts));
      coverage.ifPresent(
          rows ->
              replacePlatform(
                  lake, Tables.OBSERVATION_COVERAGE, rows, platform.platform(), counts));
    }
    group(lake, "correlate: entitlements");
    Dataset<Row> all =
        Sources.platforms().stream()
            .map(platform -> platform.entitlements(in, runDate))
            .reduce(Dataset::unionByName)
            .orElseThrow();
    Dataset<Row> snapshot = all.persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Dataset<Row> history = EntitlementHistory.next(previousEntitlements(lake), snapshot, runDate);
      write(lake, Tables.ENTITLEMENTS, history, counts);
      report
          .root()
          .put("unknown_action_patterns", IamPolicies.unknownActionPatterns(snapshot).count());
      report.root().put("action_catalog", ActionCatalog.bundled().version());
    } finally {
      snapshot.unpersist();
    }
    // The identity graph needs CloudTrail facts over all of history: the sources read them per day
    // from principal_daily, just brought up to date, instead of scanning every bronze event.
    group(lake, "correlate: identities");
    write(lake, Tables.IDENTITIES, Identities.identities(in), counts);
    Dataset<Row> identities = lake.read(Tables.IDENTITIES);
    group(lake, "correlate: agents");
    write(lake, Tables.AGENTS, Agents.agents(in, identities), counts);
    Dataset<Row> agents = lake.read(Tables.AGENTS);
    group(lake, "correlate: identity_edges");
    write(lake, Tables.IDENTITY_EDGES, IdentityEdges.edges(in, agents), counts);
    return counts;
  }

  private static void replacePlatform(
      Lake lake,
      TableContract table,
      Dataset<Row> rows,
      Platform platform,
      Map<String, TableWrite> counts) {
    long t0 = System.nanoTime();
    lake.replacePlatform(table, rows, platform);
    counts.put(
        table.name() + " (" + platform.value() + ")",
        new TableWrite(lake.lastWrittenRows(table), (System.nanoTime() - t0) / 1_000_000));
  }

  private static void write(
      Lake lake, TableContract table, Dataset<Row> rows, Map<String, TableWrite> counts) {
    long t0 = System.nanoTime();
    lake.overwrite(table, rows);
    counts.put(
        table.name(),
        new TableWrite(lake.lastWrittenRows(table), (System.nanoTime() - t0) / 1_000_000));
  }

  /**
   * The entitlements history so far; empty when the table is new or was written before it kept
   * history (no {@code valid_from}) or before a column it now has, in which case history starts
   * with this run.
   */
  private static Dataset<Row> previousEntitlements(Lake lake) {
    Dataset<Row> previous = lake.read(Tables.ENTITLEMENTS);
    if (!java.util.Arrays.asList(previous.columns()).contains("platform")) {
      // Written before the platform-neutral model, when every grant was AWS's: the same grants,
      // so their history carries on.
      previous =
          previous
              .withColumn("platform", lit(Platform.AWS.value()))
              .withColumn("usage_log", lit(CloudTrailDaily.CLOUDTRAIL_LOG));
    }
    if (!java.util.Arrays.asList(previous.columns()).contains("valid_from")
        || !java.util.Arrays.asList(previous.columns()).contains("action")
        || !java.util.Arrays.asList(previous.columns()).contains("condition")) {
      return lake.spark().createDataFrame(java.util.List.of(), Tables.ENTITLEMENTS.schema());
    }
    return previous;
  }

  /**
   * What the sources' silver mappings read: bronze of committed ingests, and the silver tables this
   * run has written so far.
   */
  private static SilverInputs inputs(Lake lake, RunLedger.IngestRuns ingests) {
    return new SilverInputs() {
      @Override
      public Dataset<Row> latest(String recordType, String... keys) {
        return CorrelateJob.latest(lake, ingests, recordType, keys);
      }

      @Override
      public Dataset<Row> all(String recordType) {
        return ingests.bronze(lake, bronze(recordType));
      }

      @Override
      public Dataset<Row> silver(TableContract table) {
        return lake.read(table);
      }
    };
  }

  private static Dataset<Row> latest(
      Lake lake, RunLedger.IngestRuns ingests, String recordType, String... keys) {
    return Snapshots.latest(ingests.bronze(lake, bronze(recordType)), keys);
  }

  private static TableContract bronze(String recordType) {
    SourceRecordType type =
        Sources.recordType(recordType)
            .orElseThrow(() -> new IllegalStateException("no record type " + recordType));
    return Tables.bronzeOf(type);
  }

  private static void group(Lake lake, String description) {
    lake.spark().sparkContext().setJobGroup("correlate", description, false);
  }
}
