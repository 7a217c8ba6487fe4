package io.agentlake.transforms.correlate;

import io.agentlake.schemas.Tables;
import io.agentlake.testing.Extracted;
import io.agentlake.testing.Frames;
import io.agentlake.transforms.analyze.OrphanedAgents;
import io.agentlake.transforms.sources.SilverInputs;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The identity graph and the orphans of exports with no CloudTrail, entitlements or activity (the
 * owner and agent tests need only identities, agents and edges), judged with a 30-day idle period.
 *
 * @param agents {@code silver.agents} rows by agent id
 * @param orphans {@code gold.orphaned_agents} rows by agent id
 * @param edges {@code silver.identity_edges}
 */
record OwnerGraph(Map<String, Row> agents, Map<String, Row> orphans, Dataset<Row> edges) {

  static OwnerGraph of(SparkSession spark, Extracted x, LocalDate asOf) {
    SilverInputs in = x.inputs();
    Dataset<Row> identities = Frames.materialized(Identities.identities(in));
    Dataset<Row> agents = Frames.materialized(Agents.agents(in, identities));
    Dataset<Row> edges = Frames.materialized(IdentityEdges.edges(in, agents));
    Dataset<Row> orphans =
        OrphanedAgents.compute(
            agents,
            identities,
            edges,
            spark.createDataFrame(List.of(), Tables.ACTIVITY_DAILY.schema()),
            asOf,
            30);
    return new OwnerGraph(byAgent(agents), byAgent(orphans), edges);
  }

  private static Map<String, Row> byAgent(Dataset<Row> rows) {
    return rows.collectAsList().stream()
        .collect(Collectors.toMap(r -> r.<String>getAs("agent_id"), r -> r));
  }
}
