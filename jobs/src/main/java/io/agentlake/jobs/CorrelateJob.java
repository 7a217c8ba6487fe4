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
import org.apache.spark.storage.StorageLevel;

/**
 * Correlate: bronze → silver. Inventory sources are reduced to their latest snapshot; CloudTrail
 * becomes daily activity and coverage; the identity graph and entitlements are rebuilt. Silver is
 * replaced whole on each run, so re-running is idempotent.
 */
public final class CorrelateJob {

  private CorrelateJob() {}

  public static Map<String, TableWrite> run(Lake lake, RunReport report) {
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
    group(lake, "correlate: resolve CloudTrail principals");
    Dataset<Row> events =
        Activity.events(lake.read(bronze("cloudtrail_event")))
            .persist(StorageLevel.MEMORY_AND_DISK());
    Map<String, TableWrite> counts = new LinkedHashMap<>();
    try {
      group(lake, "correlate: activity_daily");
      write(lake, Tables.ACTIVITY_DAILY, Activity.daily(events), counts);
      group(lake, "correlate: observation_coverage");
      write(lake, Tables.OBSERVATION_COVERAGE, Activity.coverage(events), counts);
      group(lake, "correlate: entitlements");
      Dataset<Row> attachments =
          Entitlements.attachments(
              inv.iamUsers(), inv.iamGroups(), inv.iamRoles(), inv.iamPolicies());
      write(lake, Tables.ENTITLEMENTS, Entitlements.entitlements(attachments), counts);
      report
          .root()
          .put(
              "not_action_statements_skipped",
              Entitlements.notActionStatements(attachments).count());
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
    } finally {
      events.unpersist();
    }
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
