package io.agentlake.transforms.analyze;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;

import io.agentlake.schemas.vocabulary.EdgeType;
import io.agentlake.schemas.vocabulary.IdPrefix;
import io.agentlake.transforms.Utc;
import java.time.LocalDate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * "An agent's credentials", defined once: the identities an agent authenticates as, which are the
 * {@code credential_ids} its platform record or manifest declares plus the targets of its {@code
 * USES} edges known on the run date. {@link AgentReach} starts from them (hop 1 of {@code
 * gold.agent_reach} is exactly this set), {@link OrphanedAgents} judges their activity, and {@link
 * RiskScores} reads them back as hop 1 of the reach.
 */
final class AgentCredentials {

  private AgentCredentials() {}

  /**
   * One row per (agent, credential): columns {@code agent_id, credential_id}, distinct, never null,
   * never the agent's own node.
   *
   * @param agents {@code silver.agents} rows (at least {@code agent_id, credential_ids})
   * @param edges {@code silver.identity_edges}; edges first seen after {@code asOf} are ignored
   */
  static Dataset<Row> of(Dataset<Row> agents, Dataset<Row> edges, LocalDate asOf) {
    Dataset<Row> declared =
        agents.select(col("agent_id"), explode(col("credential_ids")).as("credential_id"));
    Dataset<Row> used =
        edges
            .filter(col("edge_type").equalTo(EdgeType.USES.value()))
            .filter(col("src_id").startsWith(IdPrefix.AGENT.value()))
            .filter(col("first_seen").isNull().or(Utc.atOrBefore(col("first_seen"), asOf)))
            .select(
                col("src_id")
                    .substr(IdPrefix.AGENT.value().length() + 1, Integer.MAX_VALUE)
                    .as("agent_id"),
                col("dst_id").as("credential_id"))
            .join(agents.select("agent_id"), new String[] {"agent_id"}, "left_semi");
    return declared
        .union(used)
        .filter(col("credential_id").isNotNull())
        .filter(col("credential_id").notEqual(IdPrefix.AGENT.of(col("agent_id"))))
        .distinct();
  }
}
