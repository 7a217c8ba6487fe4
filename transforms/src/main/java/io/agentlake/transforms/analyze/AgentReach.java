package io.agentlake.transforms.analyze;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.agentlake.schemas.Tables;
import io.agentlake.schemas.vocabulary.EdgeType;
import io.agentlake.schemas.vocabulary.IdPrefix;
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

  static final List<String> TRAVERSED =
      List.of(EdgeType.KEY_OF.value(), EdgeType.CAN_ASSUME.value(), EdgeType.ASSUMED.value());

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
    Dataset<Row> firstHop =
        AgentCredentials.of(agents, edges, asOf)
            .select(
                col("agent_id").as("start"),
                col("credential_id").as("node"),
                array(IdPrefix.AGENT.of(col("agent_id")), col("credential_id")).as("path"),
                lit(EdgeType.USES.value()).as("via"));
    Dataset<Row> steps = known.filter(col("edge_type").isin(TRAVERSED.toArray()));

    Dataset<Row> reached =
        BoundedPaths.shortest(firstHop, steps, maxHops)
            .select(
                col("start").as("agent_id"),
                col("node").as("principal_id"),
                col("hops"),
                col("path"),
                col("via"));

    return Contracts.conform(reached.withColumn(Tables.AS_OF_DATE, lit(asOf)), Tables.AGENT_REACH);
  }
}
