package io.agentlake.transforms.analyze;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_compact;
import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.posexplode;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_timestamp;
import static org.apache.spark.sql.functions.upper;
import static org.apache.spark.sql.functions.when;

import io.agentlake.schemas.Tables;
import io.agentlake.schemas.vocabulary.EdgeType;
import io.agentlake.schemas.vocabulary.OrphanReason;
import io.agentlake.schemas.vocabulary.OwnerMatch;
import io.agentlake.transforms.Contracts;
import io.agentlake.transforms.Evidence;
import io.agentlake.transforms.Utc;
import io.agentlake.transforms.correlate.Identities;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * {@code gold.orphaned_agents}: agents nobody looks after any more, each with every reason that
 * applies (sorted) and the facts behind it, plus a suggested successor owner.
 *
 * <ul>
 *   <li>{@code OWNER_DEPROVISIONED}: the owner's IdP status is DEPROVISIONED, SUSPENDED, DISABLED
 *       or DELETED, with since when.
 *   <li>{@code OWNER_STATUS_CONFLICT}: the owner is one person in two IdPs (Okta and Entra ID) that
 *       disagree on whether they are gone; the evidence lists both, and nothing is guessed.
 *   <li>{@code OWNER_UNKNOWN} / {@code NO_OWNER}: owner named but not found / none named.
 *   <li>{@code IDLE}: older than {@code idleDays} (or of unknown age), no successful activity of
 *       any credential in the {@code idleDays} ending at the run date, and a credential still
 *       ACTIVE.
 *   <li>{@code PROJECT_ENDED}: its end date is before the run date.
 *   <li>{@code DANGLING_CREDENTIAL}: deleted, archived or disabled on its platform while a
 *       credential it used is still ACTIVE (a secret or certificate past its end date is EXPIRED).
 * </ul>
 *
 * Successor: the first ACTIVE backup owner in manifest order, else the owner's ACTIVE manager.
 *
 * <p>Dangerous: the list drives offboarding. A false IDLE comes from activity the lake cannot see
 * (a credential outside CloudTrail with no last-used date), so evidence lists each credential's
 * last activity or "never"; activity and edges after the run date are ignored so past dates stay
 * stable. An AMBIGUOUS owner match is not a reason yet: it needs a human, not an orphan flag.
 */
public final class OrphanedAgents {

  static final List<String> GONE_OWNER_STATUSES = Identities.GONE_STATUSES;
  static final List<String> GONE_PLATFORM_STATUSES = List.of("DELETED", "ARCHIVED", "DISABLED");

  private OrphanedAgents() {}

  public static Dataset<Row> compute(
      Dataset<Row> agents,
      Dataset<Row> identities,
      Dataset<Row> edges,
      Dataset<Row> activity,
      LocalDate asOf,
      int idleDays) {
    if (idleDays < 1) {
      throw new IllegalArgumentException(
          "idle days must be at least 1 (got " + idleDays + "). The default is 30.");
    }
    Dataset<Row> known =
        edges.filter(col("first_seen").isNull().or(Utc.atOrBefore(col("first_seen"), asOf)));
    Dataset<Row> live =
        agents
            .filter(col("created_at").isNull().or(Utc.atOrBefore(col("created_at"), asOf)))
            .withColumn(
                "gone",
                when(
                        col("platform_deleted_at").isNotNull(),
                        Utc.atOrBefore(col("platform_deleted_at"), asOf))
                    .otherwise(
                        coalesce(
                            upper(col("platform_status")).isin(GONE_PLATFORM_STATUSES.toArray()),
                            lit(false))));

    Dataset<Row> people =
        identities.select(
            col("identity_id"),
            col("status"),
            col("status_changed_at"),
            coalesce(
                    element_at(col("attributes"), lit("email")),
                    element_at(col("attributes"), lit("login")),
                    col("display_name"),
                    col("identity_id"))
                .as("contact"));

    Dataset<Row> credentials = credentialsByAgent(live, known, identities, activity, asOf);
    Dataset<Row> owners =
        people.select(
            col("identity_id").as("owner_identity_id"),
            col("status").as("owner_status"),
            col("status_changed_at").as("owner_status_since"));

    Dataset<Row> facts =
        live.join(credentials, "agent_id", "left")
            .join(owners, "owner_identity_id", "left")
            .join(firstActiveBackup(live, people), "agent_id", "left")
            .join(activeManager(known, people), "owner_identity_id", "left")
            .join(conflictingOwners(live, people), "agent_id", "left");

    Column evidence =
        array_sort(
            array_compact(
                array(
                    reason(
                        OrphanReason.DANGLING_CREDENTIAL,
                        col("gone").and(size(col("active_credentials")).gt(0)),
                        struct(
                            col("platform_status"),
                            col("platform_deleted_at"),
                            col("active_credentials").as("still_active_credentials"))),
                    reason(OrphanReason.IDLE, idle(asOf, idleDays), idleFacts(asOf, idleDays)),
                    reason(
                        OrphanReason.NO_OWNER,
                        col("owner_match").equalTo(OwnerMatch.NONE.value()),
                        struct(col("owner_match"))),
                    reason(
                        OrphanReason.OWNER_DEPROVISIONED,
                        col("owner_identity_id")
                            .isNotNull()
                            .and(upper(col("owner_status")).isin(GONE_OWNER_STATUSES.toArray())),
                        struct(
                            col("owner_identity_id"),
                            col("owner_status").as("status"),
                            col("owner_status_since").as("since"))),
                    reason(
                        OrphanReason.OWNER_STATUS_CONFLICT,
                        col("owner_match").equalTo(OwnerMatch.CONFLICTING.value()),
                        struct(
                            col("owner_ref"),
                            col("owner_candidates").as("candidates"),
                            lit("the same person in two identity providers, active in one and"
                                    + " gone in the other: not guessed")
                                .as("detail"))),
                    reason(
                        OrphanReason.OWNER_UNKNOWN,
                        col("owner_match").equalTo(OwnerMatch.UNKNOWN.value()),
                        struct(
                            col("owner_ref"),
                            lit("the owner named for this agent matches no IdP user")
                                .as("detail"))),
                    reason(
                        OrphanReason.PROJECT_ENDED,
                        col("end_date").lt(lit(asOf)),
                        struct(col("project"), col("end_date"))))));

    Column successor =
        when(col("backup_contact").isNotNull(), col("backup_contact"))
            .otherwise(col("manager_contact"));
    Column successorReason =
        when(
                col("backup_contact").isNotNull(),
                concat(
                    lit("first active backup owner ("),
                    col("backup_identity_id"),
                    lit(", position "),
                    col("backup_position").plus(1).cast("string"),
                    lit(")")))
            .when(
                col("manager_contact").isNotNull(),
                concat(
                    lit("no active backup owner; active manager ("),
                    col("manager_identity_id"),
                    lit(") of owner "),
                    col("owner_identity_id")))
            .when(
                col("owner_identity_id").isNull(),
                lit(
                    "none: no active backup owner and no resolved owner whose manager could take over"))
            .otherwise(lit("none: no active backup owner and the owner has no active manager"));

    Dataset<Row> out =
        facts
            .withColumn("evidence", evidence)
            .filter(size(col("evidence")).gt(0))
            .select(
                lit(asOf).as(Tables.AS_OF_DATE),
                col("agent_id"),
                col("platform"),
                col("name"),
                col("evidence.reason").as("reasons"),
                col("owner_ref"),
                col("owner_identity_id"),
                col("owner_status"),
                col("owner_status_since"),
                col("last_activity_time"),
                coalesce(col("all_credential_ids"), array().cast("array<string>"))
                    .as("credential_ids"),
                successor.as("suggested_successor"),
                successorReason.as("successor_reason"),
                col("evidence"));
    return Contracts.conform(out, Tables.ORPHANED_AGENTS);
  }

  private static Column reason(OrphanReason code, Column applies, Column facts) {
    return when(
        coalesce(applies, lit(false)),
        struct(lit(code.value()).as("reason"), Evidence.json(facts).as("detail")));
  }

  private static Column idle(LocalDate asOf, int idleDays) {
    Column oldEnough =
        col("created_at").isNull().or(datediff(lit(asOf), Utc.day(col("created_at"))).gt(idleDays));
    Column quiet =
        col("last_activity_time")
            .isNull()
            .or(datediff(lit(asOf), Utc.day(col("last_activity_time"))).geq(idleDays));
    return oldEnough.and(quiet).and(size(col("active_credentials")).gt(0));
  }

  private static Column idleFacts(LocalDate asOf, int idleDays) {
    return struct(
        lit(idleDays).as("idle_days"),
        lit(asOf.minusDays(idleDays - 1L)).as("quiet_since"),
        col("created_at").as("agent_created_at"),
        col("credential_activity").as("credentials"));
  }

  /**
   * Per agent: its credentials (declared and USES edges), the latest successful activity of each at
   * or before the run date (activity_daily for AWS principals, identities.last_seen_at for others),
   * and which are still ACTIVE, with any use after the agent's platform deletion.
   */
  private static Dataset<Row> credentialsByAgent(
      Dataset<Row> agents,
      Dataset<Row> edges,
      Dataset<Row> identities,
      Dataset<Row> activity,
      LocalDate asOf) {
    Dataset<Row> pairs = AgentCredentials.of(agents, edges, asOf);

    Dataset<Row> lastActivity =
        activity
            .filter(col("success_count").gt(0).and(col("day").leq(lit(asOf))))
            .join(
                pairs.select(col("credential_id").as("principal_id")).distinct(),
                new String[] {"principal_id"},
                "left_semi")
            .groupBy(col("principal_id").as("credential_id"))
            .agg(max("last_time").as("activity_last"));
    Dataset<Row> credentialState =
        identities.select(
            col("identity_id").as("credential_id"),
            // a secret or certificate past its end date is no live credential any more
            when(
                    Utc.atOrBefore(
                        to_timestamp(element_at(col("attributes"), lit("expires_at"))), asOf),
                    lit("EXPIRED"))
                .otherwise(upper(col("status")))
                .as("status"),
            when(Utc.atOrBefore(col("last_seen_at"), asOf), col("last_seen_at")).as("seen_last"));

    Dataset<Row> perCredential =
        pairs
            .join(agents.select("agent_id", "platform_deleted_at"), "agent_id")
            .join(lastActivity, "credential_id", "left")
            .join(credentialState, "credential_id", "left")
            .withColumn("last_activity", greatest(col("activity_last"), col("seen_last")));

    return perCredential
        .groupBy("agent_id")
        .agg(
            array_sort(collect_set("credential_id")).as("all_credential_ids"),
            max("last_activity").as("last_activity_time"),
            array_sort(
                    collect_list(
                        struct(
                            col("credential_id").as("identity_id"),
                            col("status"),
                            coalesce(Evidence.utcText(col("last_activity")), lit("never"))
                                .as("last_activity"))))
                .as("credential_activity"),
            array_sort(
                    collect_list(
                        when(
                            col("status").equalTo("ACTIVE"),
                            struct(
                                col("credential_id").as("identity_id"),
                                col("last_activity"),
                                when(
                                        col("last_activity").gt(col("platform_deleted_at")),
                                        col("last_activity"))
                                    .as("used_after_deletion")))))
                .as("active_credentials"));
  }

  /** For each agent whose owner is CONFLICTING: the people it matched, with their statuses. */
  private static Dataset<Row> conflictingOwners(Dataset<Row> agents, Dataset<Row> people) {
    return agents
        .filter(col("owner_match").equalTo(OwnerMatch.CONFLICTING.value()))
        .select(col("agent_id"), explode(col("owner_candidate_ids")).as("identity_id"))
        .join(people, "identity_id")
        .groupBy("agent_id")
        .agg(
            array_sort(
                    collect_list(
                        struct(
                            col("identity_id"),
                            col("status"),
                            Evidence.utcText(col("status_changed_at")).as("since"))))
                .as("owner_candidates"));
  }

  private static Dataset<Row> firstActiveBackup(Dataset<Row> agents, Dataset<Row> people) {
    Dataset<Row> active = people.filter(upper(col("status")).equalTo("ACTIVE"));
    return agents
        .select(
            col("agent_id"),
            posexplode(col("backup_owner_identity_ids")).as(new String[] {"pos", "identity_id"}))
        .join(broadcast(active), "identity_id")
        .groupBy("agent_id")
        .agg(min(struct(col("pos"), col("identity_id"), col("contact"))).as("b"))
        .select(
            col("agent_id"),
            col("b.pos").as("backup_position"),
            col("b.identity_id").as("backup_identity_id"),
            col("b.contact").as("backup_contact"));
  }

  private static Dataset<Row> activeManager(Dataset<Row> edges, Dataset<Row> people) {
    Dataset<Row> active = people.filter(upper(col("status")).equalTo("ACTIVE"));
    return edges
        .filter(col("edge_type").equalTo(EdgeType.MANAGED_BY.value()))
        .select(col("src_id").as("owner_identity_id"), col("dst_id").as("identity_id"))
        .join(active, "identity_id")
        .groupBy("owner_identity_id")
        .agg(min(struct(col("identity_id"), col("contact"))).as("m"))
        .select(
            col("owner_identity_id"),
            col("m.identity_id").as("manager_identity_id"),
            col("m.contact").as("manager_contact"));
  }
}
