package io.agentlake.transforms.analyze;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_contains;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.struct;

import io.agentlake.schemas.Tables;
import io.agentlake.transforms.Contracts;
import io.agentlake.transforms.Utc;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * {@code gold.agent_reach}: every principal an agent can act as. Hop 1 is a credential the agent
 * USES (an edge {@code agent:<id> -USES->} or an entry of {@code agents.credential_ids}); each
 * further hop follows KEY_OF (an access or API key acts as its user or service account), CAN_ASSUME
 * (a trust policy allows it) or ASSUMED (CloudTrail saw it). Per agent and principal it keeps the
 * fewest hops and, among those, the lexicographically smallest path (then via), so reruns give the
 * same row. {@code path} starts with the agent's identity id ({@code agent:<agent_id>}), so it has
 * hops + 1 entries; {@code via} names the edge types along it, joined by {@code >}.
 *
 * <p>Dangerous: this is a breadth-first search by self-joins, one Spark action per hop to stop
 * early. Reach is what the risk score trusts ("can assume an admin role is as risky as an admin"),
 * so a {@code maxHops} set too low silently under-reports risk; edges first seen after the run date
 * are ignored so a past date is answered with the graph it had.
 */
public final class AgentReach {

  static final List<String> TRAVERSED = List.of("KEY_OF", "CAN_ASSUME", "ASSUMED");

  private AgentReach() {}

  public static Dataset<Row> compute(
      Dataset<Row> agents, Dataset<Row> edges, LocalDate asOf, int maxHops) {
    if (maxHops < 1) {
      throw new IllegalArgumentException(
          "agent reach needs maxHops >= 1 (got "
              + maxHops
              + "): hop 1 is the agent's own credential. Pass a positive hop limit.");
    }
    Dataset<Row> known =
        edges.filter(col("first_seen").isNull().or(Utc.atOrBefore(col("first_seen"), asOf)));
    Dataset<Row> agentNodes =
        agents.select(
            col("agent_id"),
            concat(lit("agent:"), col("agent_id")).as("agent_node"),
            col("credential_ids"));

    Dataset<Row> usesEdges =
        known
            .filter(col("edge_type").equalTo("USES"))
            .select(col("src_id").as("agent_node"), col("dst_id").as("principal_id"));
    Dataset<Row> declared =
        agentNodes
            .select(col("agent_node"), explode(col("credential_ids")).as("principal_id"))
            .filter(col("principal_id").isNotNull());
    Dataset<Row> firstHop =
        broadcast(agentNodes.select("agent_id", "agent_node"))
            .join(usesEdges.union(declared).distinct(), "agent_node")
            .filter(col("principal_id").notEqual(col("agent_node")))
            .select(
                col("agent_id"),
                col("principal_id"),
                lit(1).as("hops"),
                array(col("agent_node"), col("principal_id")).as("path"),
                lit("USES").as("via"));

    Dataset<Row> steps =
        known
            .filter(col("edge_type").isin(TRAVERSED.toArray()))
            .select(col("src_id"), col("edge_type"), col("dst_id"))
            .distinct()
            .cache();

    Dataset<Row> reached = shortest(firstHop).cache();
    Dataset<Row> frontier = reached;
    for (int hop = 2; hop <= maxHops; hop++) {
      Dataset<Row> candidates =
          frontier
              .join(steps, frontier.col("principal_id").equalTo(steps.col("src_id")))
              .filter(not(array_contains(col("path"), col("dst_id"))))
              .select(
                  col("agent_id"),
                  col("dst_id").as("principal_id"),
                  lit(hop).as("hops"),
                  concat(col("path"), array(col("dst_id"))).as("path"),
                  concat(col("via"), lit(">"), col("edge_type")).as("via"));
      Dataset<Row> fresh =
          shortest(candidates.join(reached, new String[] {"agent_id", "principal_id"}, "left_anti"))
              .cache();
      if (fresh.isEmpty()) {
        break;
      }
      reached = reached.union(fresh).cache();
      frontier = fresh;
    }

    return Contracts.conform(reached.withColumn(Tables.AS_OF_DATE, lit(asOf)), Tables.AGENT_REACH);
  }

  /** Per (agent, principal): fewest hops, then smallest path, then smallest via. */
  private static Dataset<Row> shortest(Dataset<Row> paths) {
    return paths
        .groupBy("agent_id", "principal_id")
        .agg(min(struct(col("hops"), col("path"), col("via"))).as("best"))
        .select(
            col("agent_id"),
            col("principal_id"),
            col("best.hops").as("hops"),
            col("best.path").as("path"),
            col("best.via").as("via"));
  }
}
