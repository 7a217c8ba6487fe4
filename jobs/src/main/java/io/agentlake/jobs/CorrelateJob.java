package io.agentlake.jobs;

import io.agentlake.jobs.lake.Lake;
import io.agentlake.schemas.SourceRecordType;
import io.agentlake.schemas.TableContract;
import io.agentlake.schemas.Tables;
import io.agentlake.transforms.correlate.Activity;
import io.agentlake.transforms.correlate.Entitlements;
import io.agentlake.transforms.correlate.IdentityGraph;
import io.agentlake.transforms.correlate.Inventory;
import io.agentlake.transforms.correlate.Snapshots;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Correlate: bronze → silver. Inventory sources are reduced to their latest snapshot and the
 * identity graph and entitlements are rebuilt whole; CloudTrail's daily aggregates (activity,
 * coverage, unmapped events) are brought up to date incrementally by {@link CloudTrailAggregates},
 * or rebuilt from all of bronze when {@code full}. Either way re-running is idempotent.
 */
public final class CorrelateJob {

  private CorrelateJob() {}

  public static Map<String, TableWrite> run(Lake lake, RunReport report) {
    return run(lake, report, false);
  }

  /**
   * @param full rebuild the CloudTrail aggregates from all of bronze instead of incrementally
   */
  public static Map<String, TableWrite> run(Lake lake, RunReport report, boolean full) {
    Inventory inv =
        new Inventory(
            latest(lake, "iam_user", "Arn"),
            latest(lake, "iam_group", "Arn"),
            latest(lake, "iam_role", "Arn"),
            latest(lake, "iam_policy", "Arn"),
            latest(lake, "credential_report_row", "arn"),
            latest(lake, "okta_user", "id"),
            latest(lake, "bedrock_agent", "agentId", "_record_type", "_source_file"),
            latest(lake, "openai_project", "id"),
            latest(lake, "openai_service_account", "id"),
            latest(lake, "openai_api_key", "id"),
            latest(lake, "openai_user", "id"),
            latest(lake, "manifest_agent", "platform", "agent_id"));
    Map<String, TableWrite> counts = new LinkedHashMap<>();
    CloudTrailAggregates.update(lake, full, report.runId(), report, counts);
    // The identity graph needs first/last-seen facts over all of history; duplicates cannot change
    // a min or max, so it reads resolved events without the de-duplication shuffle.
    Dataset<Row> events = Activity.resolved(lake.read(bronze("cloudtrail_event")));
    group(lake, "correlate: entitlements");
    Dataset<Row> attachments =
        Entitlements.attachments(
            inv.iamUsers(), inv.iamGroups(), inv.iamRoles(), inv.iamPolicies());
    write(lake, Tables.ENTITLEMENTS, Entitlements.entitlements(attachments), counts);
    report
        .root()
        .put(
            "not_action_statements_skipped", Entitlements.notActionStatements(attachments).count());
    Dataset<Row> entitlements = lake.read(Tables.ENTITLEMENTS);
    group(lake, "correlate: identities");
    write(lake, Tables.IDENTITIES, IdentityGraph.identities(inv, events), counts);
    Dataset<Row> identities = lake.read(Tables.IDENTITIES);
    group(lake, "correlate: agents");
    write(lake, Tables.AGENTS, IdentityGraph.agents(inv, identities), counts);
    Dataset<Row> agents = lake.read(Tables.AGENTS);
    group(lake, "correlate: identity_edges");
    write(
        lake,
        Tables.IDENTITY_EDGES,
        IdentityGraph.edges(
            inv,
            agents,
            identities,
            events,
            entitlements,
            Entitlements.trustGrants(inv.iamRoles())),
        counts);
    return counts;
  }

  private static void write(
      Lake lake, TableContract table, Dataset<Row> rows, Map<String, TableWrite> counts) {
    long t0 = System.nanoTime();
    lake.overwrite(table, rows);
    counts.put(
        table.name(),
        new TableWrite(lake.lastWrittenRows(table), (System.nanoTime() - t0) / 1_000_000));
  }

  private static Dataset<Row> latest(Lake lake, String recordType, String... keys) {
    return Snapshots.latest(lake.read(bronze(recordType)), keys);
  }

  private static TableContract bronze(String recordType) {
    SourceRecordType type =
        io.agentlake.schemas.Sources.recordType(recordType)
            .orElseThrow(() -> new IllegalStateException("no record type " + recordType));
    return Tables.bronzeOf(type);
  }

  private static void group(Lake lake, String description) {
    lake.spark().sparkContext().setJobGroup("correlate", description, false);
  }
}
