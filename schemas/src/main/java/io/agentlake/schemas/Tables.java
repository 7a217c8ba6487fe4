package io.agentlake.schemas;

import io.agentlake.schemas.TableContract.Layer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Every table in the lake, declared once. The jobs write exactly these schemas; a golden-file test
 * ({@code TablesGoldenTest}) fails when one changes, so a change to what readers see is deliberate.
 */
public final class Tables {

  public static final String AS_OF_DATE = "as_of_date";

  /** Lineage columns every bronze row carries, before the source's own fields. */
  public static final StructType BRONZE_LINEAGE =
      StructType.fromDDL(
          "_source_type STRING NOT NULL, _record_type STRING NOT NULL,"
              + " _source_file STRING NOT NULL, _record_position BIGINT NOT NULL,"
              + " _context MAP<STRING, STRING>, _ingest_run_id STRING NOT NULL,"
              + " _ingest_time TIMESTAMP NOT NULL, _event_time TIMESTAMP, _record_key STRING,"
              + " _raw STRING NOT NULL");

  public static final TableContract QUARANTINE =
      new TableContract(
          "quarantine.records",
          Layer.QUARANTINE,
          StructType.fromDDL(
              "source_type STRING NOT NULL, record_type STRING, source_file STRING NOT NULL,"
                  + " record_position BIGINT NOT NULL, reason STRING NOT NULL, detail STRING,"
                  + " raw_excerpt STRING, ingest_run_id STRING NOT NULL,"
                  + " ingest_time TIMESTAMP NOT NULL"),
          "one rejected record, or one unreadable file (record_position -1)",
          List.of("source_file", "record_position", "ingest_run_id"),
          List.of());

  public static final TableContract INGESTED_FILES =
      new TableContract(
          "ledger.ingested_files",
          Layer.LEDGER,
          StructType.fromDDL(
              "source_type STRING NOT NULL, source_file STRING NOT NULL, size BIGINT NOT NULL,"
                  + " modification_time TIMESTAMP NOT NULL, ingest_run_id STRING NOT NULL,"
                  + " ingest_time TIMESTAMP NOT NULL, records_read BIGINT NOT NULL,"
                  + " records_accepted BIGINT NOT NULL, records_quarantined BIGINT NOT NULL,"
                  + " records_redelivered BIGINT NOT NULL, file_error STRING"),
          "one export file ingested once; a file is new when (path, size, mtime) is not here;"
              + " records_read = records_accepted + records_quarantined, and records_redelivered"
              + " counts the quarantined records that were re-deliveries of records already kept",
          List.of("source_file", "size", "modification_time"),
          List.of());

  public static final TableContract RUNS =
      new TableContract(
          "ledger.runs",
          Layer.LEDGER,
          StructType.fromDDL(
              "run_id STRING NOT NULL, run_date DATE NOT NULL, command STRING NOT NULL,"
                  + " status STRING NOT NULL, event_time TIMESTAMP NOT NULL, report_json STRING"),
          "one event in a run's life, append-only: an ingest is STARTED, then COMMITTED once its"
              + " bronze, quarantine and file-ledger writes are all in, or ROLLED_BACK by the next"
              + " run that took over its dead lease, or by itself when it failed; every command's run"
              + " ends with one row, SUCCEEDED, FAILED, QUALITY_GATE_FAILED or REFUSED (a live"
              + " lease was held too long by another run), with its JSON report",
          List.of("run_id", "status"),
          List.of());

  public static final TableContract IDENTITIES =
      silver(
          "silver.identities",
          "identity_id STRING NOT NULL, kind STRING NOT NULL, source STRING NOT NULL,"
              + " platform STRING, native_id STRING, display_name STRING, status STRING, account_id STRING,"
              + " created_at TIMESTAMP, status_changed_at TIMESTAMP, last_seen_at TIMESTAMP,"
              + " attributes MAP<STRING, STRING>",
          "one identity of any source (person, role, user, service account, API key, agent)",
          List.of("identity_id"));

  /**
   * One agent. {@code owner_match}: MATCHED (then {@code owner_identity_id}), AMBIGUOUS (two people
   * in one IdP) or CONFLICTING (the same person in two IdPs that disagree on their status), both
   * with the people in {@code owner_candidate_ids}, UNKNOWN (no one) or NONE (no owner named).
   */
  public static final TableContract AGENTS =
      silver(
          "silver.agents",
          "agent_id STRING NOT NULL, platform STRING NOT NULL, native_id STRING NOT NULL,"
              + " name STRING, purpose STRING, owner_ref STRING, owner_identity_id STRING,"
              + " owner_match STRING NOT NULL, owner_candidate_ids ARRAY<STRING>,"
              + " backup_owner_refs ARRAY<STRING>,"
              + " backup_owner_identity_ids ARRAY<STRING>, project STRING, end_date DATE,"
              + " platform_status STRING, platform_deleted_at TIMESTAMP, created_at TIMESTAMP,"
              + " credential_ids ARRAY<STRING>, sources ARRAY<STRING>",
          "one agent, merged across its platform record and the manifest",
          List.of("agent_id"));

  public static final TableContract IDENTITY_EDGES =
      silver(
          "silver.identity_edges",
          "src_id STRING NOT NULL, edge_type STRING NOT NULL, dst_id STRING NOT NULL,"
              + " source STRING NOT NULL, evidence STRING, first_seen TIMESTAMP,"
              + " last_seen TIMESTAMP, conditional BOOLEAN",
          "one typed edge: OWNED_BY, BACKUP_OWNED_BY, USES, CAN_ASSUME, ASSUMED, MEMBER_OF,"
              + " MANAGED_BY, KEY_OF",
          List.of("src_id", "edge_type", "dst_id"));

  /**
   * Effective permissions of every platform with history (SPEC 6.2), one row per grant in the
   * platform's own vocabulary: {@code platform}, a namespaced {@code principal_id}, the permission
   * ({@code action}) and the resource ({@code resource_pattern}); {@code usage_log} names the log
   * whose records show the grant's use ({@code silver.observation_coverage.source}). On AWS, {@code
   * action} is the concrete catalog action in lower case (the equi-join key with activity); {@code
   * action_pattern} is the pattern it came from (lower case; {@code NOT a,b} for a NotAction
   * statement). On Entra ID, {@code action} is {@code <resource app id>:<app role or scope>} or
   * {@code directory:<role template id>}, {@code policy_type} app_role, delegated or
   * directory_role, {@code principal_arn} null. Current rows have {@code valid_to} null. Upper
   * bound of what a principal can do: current Allow rows that are not boundaries; lower bound:
   * those with {@code definite} (no condition, no partial Deny, no conditional or resource-limited
   * boundary). {@code condition} is the statement's Condition block as JSON text (null when
   * unconditional), so a recommendation can carry it over.
   */
  public static final TableContract ENTITLEMENTS =
      silver(
          "silver.entitlements",
          "principal_id STRING NOT NULL, platform STRING NOT NULL, principal_arn STRING,"
              + " account_id STRING, effect STRING NOT NULL, action STRING NOT NULL, action_pattern STRING NOT NULL,"
              + " in_catalog BOOLEAN NOT NULL, service STRING NOT NULL, access_level STRING,"
              + " resource_pattern STRING NOT NULL, unconstrained BOOLEAN NOT NULL,"
              + " conditional BOOLEAN NOT NULL, condition STRING, partially_denied BOOLEAN NOT NULL,"
              + " denied_by ARRAY<STRING>, boundary_policy STRING, boundary_limited BOOLEAN NOT NULL,"
              + " definite BOOLEAN NOT NULL, policy_name STRING NOT NULL, policy_arn STRING,"
              + " policy_type STRING NOT NULL, grant_path STRING NOT NULL,"
              + " statement_index INT NOT NULL, usage_log STRING NOT NULL,"
              + " granted_since TIMESTAMP,"
              + " valid_from DATE NOT NULL, valid_to DATE",
          "one principal x concrete action x resource pattern x granting statement x action"
              + " pattern x validity period",
          List.of(
              "principal_id",
              "effect",
              "action",
              "action_pattern",
              "resource_pattern",
              "policy_name",
              "grant_path",
              "statement_index",
              "valid_from"));

  public static final TableContract ACTIVITY_DAILY =
      silver(
          "silver.activity_daily",
          "principal_id STRING NOT NULL, platform STRING NOT NULL, account_id STRING,"
              + " action STRING NOT NULL, resource STRING NOT NULL, day DATE NOT NULL,"
              + " event_category STRING NOT NULL,"
              + " success_count BIGINT NOT NULL, denied_count BIGINT NOT NULL,"
              + " first_time TIMESTAMP NOT NULL, last_time TIMESTAMP NOT NULL,"
              + " sample_event_id STRING NOT NULL, session_names ARRAY<STRING>",
          "one principal x action x resource x UTC day: AWS from de-duplicated CloudTrail events;"
              + " Entra ID from sign-ins (action <resource app id>:signin)",
          List.of("principal_id", "action", "resource", "day"));

  public static final TableContract OBSERVATION_COVERAGE =
      silver(
          "silver.observation_coverage",
          "platform STRING NOT NULL, account_id STRING, source STRING NOT NULL,"
              + " day DATE NOT NULL, management_events BIGINT NOT NULL, data_events BIGINT NOT NULL",
          "one platform x account x log source x UTC day with the number of events observed by"
              + " category (Entra ID: service-principal sign-ins, account null)",
          List.of("platform", "account_id", "source", "day"));

  /**
   * CloudTrail events whose IAM action cannot be derived (no eventSource or eventName, or an
   * eventSource that is not an AWS service endpoint and not in the bundled exceptions): counted
   * here instead of being dropped, so a gap in the mapping data is visible (SPEC 6.2).
   */
  public static final TableContract UNMAPPED_EVENTS =
      silver(
          "silver.unmapped_events",
          "event_source STRING, event_name STRING, account_id STRING, day DATE NOT NULL,"
              + " event_count BIGINT NOT NULL, first_time TIMESTAMP NOT NULL,"
              + " last_time TIMESTAMP NOT NULL, sample_event_id STRING",
          "one eventSource x eventName x account x UTC day of CloudTrail events with no IAM"
              + " action",
          List.of("event_source", "event_name", "account_id", "day"));

  /** The most {@code silver.principal_daily.clients} one row keeps. */
  public static final int MAX_CLIENTS = 20;

  /** The most characters of a user agent {@code silver.principal_daily.clients} keeps. */
  public static final int USER_AGENT_CHARS = 200;

  /**
   * Who acted in CloudTrail each day, with which long-term access key, and which roles they
   * assumed: the facts the identity graph needs from CloudTrail (a principal's last successful use;
   * an access key's user and last successful use; KEY_OF and ASSUMED edges with first / last seen
   * and a sample event), kept per day so the graph reads days × principals, not every event. {@code
   * access_key_id} is set only for long-term keys ({@code AKIA…}), never for the per-session {@code
   * ASIA…} keys, which would make a row per session; {@code assumed_role_arn} only for successful
   * {@code sts:AssumeRole*} calls that name a role, so those rows hold nothing but such calls.
   * {@code principal_id} is null when CloudTrail names no principal. {@code clients} says where the
   * calls came from: one entry per source IP x {@code UserAgentClass}, with its event count, a
   * sample user agent (at most {@value #USER_AGENT_CHARS} characters) and event; at most {@value
   * #MAX_CLIENTS} entries, console and browser ones first, then by event count, and {@code
   * client_count} is how many there were before that cap.
   */
  public static final TableContract PRINCIPAL_DAILY =
      silver(
          "silver.principal_daily",
          "principal_id STRING, identity_type STRING, access_key_id STRING,"
              + " assumed_role_arn STRING, day DATE NOT NULL, event_count BIGINT NOT NULL,"
              + " success_count BIGINT NOT NULL, first_time TIMESTAMP NOT NULL,"
              + " last_time TIMESTAMP NOT NULL, last_success_time TIMESTAMP,"
              + " sample_event_id STRING NOT NULL,"
              + " clients ARRAY<STRUCT<source_ip: STRING, user_agent_class: STRING,"
              + " user_agent: STRING, event_count: BIGINT, first_time: TIMESTAMP,"
              + " sample_event_id: STRING>>, client_count BIGINT",
          "one principal x identity type x long-term access key x assumed role x UTC day, from"
              + " de-duplicated CloudTrail events",
          List.of("principal_id", "identity_type", "access_key_id", "assumed_role_arn", "day"));

  /**
   * The watermark of the incremental CloudTrail aggregates: which ingest runs' bronze rows are
   * already reflected in {@code silver.activity_daily}, {@code silver.principal_daily}, {@code
   * silver.observation_coverage} and {@code silver.unmapped_events}. Written only after those
   * tables are; a missing row only makes the next correlate recompute some days again, never count
   * twice.
   */
  public static final TableContract LEASES =
      new TableContract(
          "ledger.leases",
          Layer.LEDGER,
          StructType.fromDDL(
              "scope STRING NOT NULL, holder_run_id STRING NOT NULL, command STRING NOT NULL,"
                  + " holder STRING NOT NULL, acquired_at TIMESTAMP NOT NULL,"
                  + " heartbeat_at TIMESTAMP NOT NULL, expires_at TIMESTAMP NOT NULL,"
                  + " released BOOLEAN NOT NULL"),
          "one lease scope (source:<source-type> for an ingest, lake for correlate, analyze and"
              + " publish) and the run that holds or last held it (acquired_at, heartbeat_at and"
              + " expires_at as of its claim or release); a lease is live while it is not released"
              + " and its holder's heartbeat file _heartbeats/<holder_run_id>.json (rewritten every"
              + " quarter of the TTL) says it has not expired, or, with no such file, expires_at is"
              + " in the future",
          List.of("scope"),
          List.of());

  public static final TableContract FOLDED_INGESTS =
      new TableContract(
          "ledger.folded_ingests",
          Layer.LEDGER,
          StructType.fromDDL(
              "ingest_run_id STRING NOT NULL, folded_by_run_id STRING NOT NULL,"
                  + " folded_time TIMESTAMP NOT NULL, mode STRING NOT NULL,"
                  + " days_recomputed INT NOT NULL"),
          "one committed ingest run whose CloudTrail rows are folded into the daily aggregates;"
              + " mode FULL (rebuilt from all of bronze) or INCREMENTAL (its days recomputed)",
          List.of("ingest_run_id"),
          List.of());

  public static final TableContract AGENT_REACH =
      gold(
          "gold.agent_reach",
          "agent_id STRING NOT NULL, principal_id STRING NOT NULL, hops INT NOT NULL,"
              + " path ARRAY<STRING> NOT NULL, via STRING NOT NULL",
          "one agent x principal it can act as (directly or through role assumption)",
          List.of("agent_id", "principal_id"));

  /**
   * Risk facts of every IAM principal (SPEC 6.2): categories FULL_ADMIN (fact {@code *}),
   * PRIVILEGE_ESCALATION (fact = method name), DATA_EXFILTRATION, CREDENTIAL_EXPOSURE and
   * PERMISSIONS_MANAGEMENT (fact = lower-case action). {@code reach} is {@code direct} when the
   * principal's own policies grant the fact ({@code holder_id} = the principal, hops 0) or {@code
   * via} when a role it can assume (CAN_ASSUME, transitively) does: {@code path} runs from the
   * principal to the holder. {@code conditional} true = the fact needs a conditional Allow or could
   * be cut by a conditional Deny (an upper bound); false = it holds either way (a lower bound too).
   * {@code unconstrained} = every action of the fact is granted on Resource "*". {@code grants}:
   * the surviving Allow statements per required action.
   */
  public static final TableContract PRINCIPAL_RISK_FACTS =
      gold(
          "gold.principal_risk_facts",
          "principal_id STRING NOT NULL, principal_arn STRING, account_id STRING,"
              + " category STRING NOT NULL, fact STRING NOT NULL, reach STRING NOT NULL,"
              + " holder_id STRING NOT NULL, hops INT NOT NULL, path ARRAY<STRING> NOT NULL,"
              + " actions ARRAY<STRING> NOT NULL, conditional BOOLEAN NOT NULL,"
              + " unconstrained BOOLEAN NOT NULL, policies ARRAY<STRING> NOT NULL,"
              + " grants ARRAY<STRUCT<action: STRING, policy_name: STRING, policy_type: STRING,"
              + " grant_path: STRING, action_pattern: STRING, resource_pattern: STRING,"
              + " conditional: BOOLEAN>> NOT NULL, evidence STRING",
          "one IAM principal or Entra ID service principal x risk fact x principal holding it (the"
              + " principal itself, or a role it can assume)",
          List.of("principal_id", "category", "fact", "holder_id"));

  /**
   * Usage verdicts per principal at five levels (IDENTITY, SERVICE, GRANT, ACTION, RESOURCE).
   * {@code actions_granted} / {@code actions_used}: the distinct actions the row covers and those
   * used in the window. {@code folded} marks the ACTION rows of a service none of whose actions was
   * used: its SERVICE row stands for them (counting their verdicts), so a reviewer reads {@code NOT
   * folded}; the rows stay for whoever wants every action. Null in rows written before these
   * columns existed.
   */
  public static final TableContract UNUSED_PRIVILEGES =
      gold(
          "gold.unused_privileges",
          "principal_id STRING NOT NULL, platform STRING NOT NULL, principal_arn STRING,"
              + " agent_ids ARRAY<STRING>, level STRING NOT NULL, service STRING NOT NULL, action_pattern STRING NOT NULL,"
              + " resource_pattern STRING NOT NULL, policy_name STRING NOT NULL,"
              + " grant_path STRING NOT NULL, verdict STRING NOT NULL,"
              + " last_used_time TIMESTAMP, last_used_event_id STRING, days_unused INT,"
              + " used_actions ARRAY<STRING>, denied_attempts BIGINT NOT NULL,"
              + " observation_days INT NOT NULL, window_days INT NOT NULL, evidence STRING NOT NULL,"
              // added after the first release, so last: a table written before them gains them
              + " actions_granted INT, actions_used INT, folded BOOLEAN",
          "one grant (or service, or identity) of one principal with its usage verdict",
          List.of(
              "principal_id",
              "level",
              "action_pattern",
              "resource_pattern",
              "policy_name",
              "grant_path"));

  /**
   * The least-privilege replacement for one principal that holds at least one UNUSED action: an IAM
   * policy document ({@code policy_document}) allowing exactly the actions not judged UNUSED (used
   * ones scoped to the resources the logs name, unjudged ones as granted, conditions carried over)
   * and repeating its Deny statements; null when nothing is left to allow. {@code changes} lists
   * what it replaces: DETACH_POLICY, DELETE_INLINE_POLICY or REMOVE_FROM_GROUP per current policy,
   * with the UNUSED grants each held ({@code grants_removed} in all). {@code grants_narrowed}: the
   * grants not unused as a whole some of whose actions the new policy leaves out. {@code
   * policy_documents}: the same statements packed into as few documents as keep each within IAM's
   * 6,144-character limit for a managed policy, to attach together (one when it fits).
   */
  public static final TableContract LEAST_PRIVILEGE_POLICIES =
      gold(
          "gold.least_privilege_policies",
          "principal_id STRING NOT NULL, principal_arn STRING, agent_ids ARRAY<STRING> NOT NULL,"
              + " policy_document STRING, statements INT NOT NULL,"
              + " used_actions ARRAY<STRING> NOT NULL, actions_before BIGINT NOT NULL,"
              + " actions_after BIGINT NOT NULL, grants_removed BIGINT NOT NULL,"
              + " changes ARRAY<STRUCT<change: STRING, policy_name: STRING, policy_arn: STRING,"
              + " grant_path: STRING, unused_grants: BIGINT>> NOT NULL, evidence STRING NOT NULL,"
              // added after the first release, so last: a table written before them gains them
              + " grants_narrowed BIGINT, policy_documents ARRAY<STRING>",
          "one principal with unused grants and the policy that would replace its grants",
          List.of("principal_id"));

  public static final TableContract ORPHANED_AGENTS =
      gold(
          "gold.orphaned_agents",
          "agent_id STRING NOT NULL, platform STRING NOT NULL, name STRING,"
              + " reasons ARRAY<STRING> NOT NULL, owner_ref STRING, owner_identity_id STRING,"
              + " owner_status STRING, owner_status_since TIMESTAMP, last_activity_time TIMESTAMP,"
              + " credential_ids ARRAY<STRING>, suggested_successor STRING,"
              + " successor_reason STRING NOT NULL,"
              + " evidence ARRAY<STRUCT<reason: STRING, detail: STRING>> NOT NULL",
          "one agent with at least one orphan reason",
          List.of("agent_id"));

  public static final TableContract RISK_SCORES =
      gold(
          "gold.risk_scores",
          "agent_id STRING NOT NULL, platform STRING NOT NULL, name STRING,"
              + " score DOUBLE NOT NULL, tier STRING NOT NULL, model_version STRING NOT NULL,"
              + " factors ARRAY<STRUCT<factor: STRING, raw_value: DOUBLE, weight: DOUBLE,"
              + " contribution: DOUBLE, owasp: STRING, evidence: STRING>> NOT NULL",
          "one agent's risk score with every factor behind it",
          List.of("agent_id"));

  /**
   * What changed since the previous run date present in the lake ({@code previous_date}, the latest
   * {@code as_of_date} before this one): GRANT_ADDED / GRANT_REMOVED (grant rows of
   * gold.unused_privileges), REACH_ADDED / REACH_REMOVED (gold.agent_reach), FIRST_USE (a principal
   * used an action for the first time after the previous date) and SCORE_CHANGED (gold.risk_scores,
   * by at least the configured threshold). With no earlier date there is nothing to compare: the
   * date gets one BASELINE row, so "no changes" and "not compared" read differently. {@code
   * subject} names the changed thing uniquely within its change type.
   */
  public static final TableContract PRIVILEGE_DRIFT =
      gold(
          "gold.privilege_drift",
          "previous_date DATE, change_type STRING NOT NULL, subject STRING NOT NULL,"
              + " agent_ids ARRAY<STRING> NOT NULL, principal_id STRING, before STRING,"
              + " after STRING, evidence STRING NOT NULL",
          "one change since the previous run date (or one BASELINE row when there is none)",
          List.of("change_type", "subject"));

  /**
   * One recommended action on one agent: REVOKE_GRANT (an UNUSED grant of a principal it reaches),
   * REASSIGN_OWNER, DECOMMISSION_AGENT, ROTATE_KEY. {@code item_id} is a hash of (agent, action,
   * target), the same on every date the finding persists, so decisions carry over. {@code
   * expected_effect}: the score factor the action lowers and the score after it. {@code status}:
   * OPEN, SUPPRESSED (risk accepted, not expired), APPROVED, REVOKE_REQUESTED, from the latest
   * decision decided by the end of the date (its columns are the {@code decision_*} ones); {@code
   * decisions} keeps every decision that applied to the item by then.
   */
  public static final TableContract REVIEW_QUEUE =
      gold(
          "gold.review_queue",
          "item_id STRING NOT NULL, agent_id STRING NOT NULL, action STRING NOT NULL,"
              + " target STRING NOT NULL, principal_id STRING, evidence STRING NOT NULL,"
              + " expected_effect STRUCT<factor: STRING, contribution_before: DOUBLE,"
              + " contribution_after: DOUBLE, score_before: DOUBLE, score_after: DOUBLE,"
              + " note: STRING>,"
              + " status STRING NOT NULL, status_reason STRING, decision STRING,"
              + " decision_scope STRING, decided_by STRING, decided_at TIMESTAMP,"
              + " justification STRING, expires_on DATE,"
              + " decisions ARRAY<STRUCT<decided_at: TIMESTAMP, scope: STRING, decision: STRING,"
              + " reviewer: STRING, justification: STRING, expires_on: DATE,"
              + " source_file: STRING>> NOT NULL",
          "one agent x recommended action x target, with the reviewers' decisions on it",
          List.of("item_id"));

  private static final Map<String, TableContract> ALL = new LinkedHashMap<>();
  private static final Map<SourceRecordType, TableContract> BRONZE = new ConcurrentHashMap<>();

  static {
    for (TableContract t :
        List.of(
            QUARANTINE,
            INGESTED_FILES,
            RUNS,
            LEASES,
            FOLDED_INGESTS,
            IDENTITIES,
            AGENTS,
            IDENTITY_EDGES,
            ENTITLEMENTS,
            ACTIVITY_DAILY,
            PRINCIPAL_DAILY,
            OBSERVATION_COVERAGE,
            UNMAPPED_EVENTS,
            AGENT_REACH,
            PRINCIPAL_RISK_FACTS,
            UNUSED_PRIVILEGES,
            LEAST_PRIVILEGE_POLICIES,
            ORPHANED_AGENTS,
            RISK_SCORES,
            PRIVILEGE_DRIFT,
            REVIEW_QUEUE)) {
      ALL.put(t.name(), t);
    }
  }

  private Tables() {}

  /**
   * Every table but bronze's: bronze has one table per source record type, declared by the source
   * (see {@code io.agentlake.transforms.LakeTables} for the whole lake).
   */
  public static List<TableContract> nonBronze() {
    return List.copyOf(ALL.values());
  }

  /** The bronze table of a source record type: lineage columns, then the record's own fields. */
  public static TableContract bronzeOf(SourceRecordType type) {
    return BRONZE.computeIfAbsent(type, Tables::bronze);
  }

  private static TableContract bronze(SourceRecordType type) {
    List<StructField> fields = new ArrayList<>(List.of(BRONZE_LINEAGE.fields()));
    fields.addAll(List.of(type.schema().fields()));
    return new TableContract(
        "bronze." + type.bronzeTable(),
        Layer.BRONZE,
        new StructType(fields.toArray(new StructField[0])),
        "one " + type.recordType() + " record as received from " + type.sourceType(),
        List.of("_source_file", "_record_position"),
        List.of());
  }

  private static TableContract silver(String name, String ddl, String grain, List<String> keys) {
    return new TableContract(name, Layer.SILVER, StructType.fromDDL(ddl), grain, keys, List.of());
  }

  private static TableContract gold(String name, String ddl, String grain, List<String> keys) {
    List<String> withDate = new ArrayList<>();
    withDate.add(AS_OF_DATE);
    withDate.addAll(keys);
    return new TableContract(
        name,
        Layer.GOLD,
        StructType.fromDDL(AS_OF_DATE + " DATE NOT NULL, " + ddl),
        grain + ", as of one run date",
        withDate,
        List.of(AS_OF_DATE));
  }
}
