package io.agentlake.transforms.analyze;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_contains;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.struct;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The one breadth-first search over identity edges, shared by {@link AgentReach} (agent to every
 * principal it can act as) and {@link PrincipalRiskFacts} (principal to every role it can assume).
 * Per (start, node) it keeps the fewest hops, then the smallest path, then the smallest {@code
 * via}, so the answer does not depend on partitioning or join order.
 *
 * <p>Dangerous: one Spark action per hop, to stop as soon as a hop finds nothing new; a {@code
 * maxHops} set too low silently cuts reach, and with it risk. Paths never revisit a node.
 */
final class BoundedPaths {

  private BoundedPaths() {}

  /**
   * Hop one: one row per (start, node) pair the search begins from.
   *
   * @param firstHop columns {@code start, node, path, via}; {@code path} runs from the start to the
   *     node, {@code via} names the edge(s) taken
   * @param steps columns {@code src_id, edge_type, dst_id}: the edges the search may follow
   * @param maxHops at least 1; hop 1 is {@code firstHop} itself
   * @return columns {@code start, node, hops, path, via}: every node reached within {@code
   *     maxHops}, by its shortest path; {@code via} grows by {@code >EDGE_TYPE} per step
   */
  static Dataset<Row> shortest(Dataset<Row> firstHop, Dataset<Row> steps, int maxHops) {
    Dataset<Row> edges = steps.select("src_id", "edge_type", "dst_id").distinct().cache();
    Dataset<Row> reached =
        best(firstHop.select(col("start"), col("node"), lit(1).as("hops"), col("path"), col("via")))
            .cache();
    Dataset<Row> frontier = reached;
    for (int hop = 2; hop <= maxHops; hop++) {
      Dataset<Row> candidates =
          frontier
              .join(edges, frontier.col("node").equalTo(edges.col("src_id")))
              .filter(not(array_contains(col("path"), col("dst_id"))))
              .select(
                  col("start"),
                  col("dst_id").as("node"),
                  lit(hop).as("hops"),
                  concat(col("path"), array(col("dst_id"))).as("path"),
                  concat(col("via"), lit(">"), col("edge_type")).as("via"));
      Dataset<Row> fresh =
          best(candidates.join(reached, new String[] {"start", "node"}, "left_anti")).cache();
      if (fresh.isEmpty()) {
        break;
      }
      reached = reached.union(fresh).cache();
      frontier = fresh;
    }
    return reached;
  }

  /** Per (start, node): fewest hops, then smallest path, then smallest via. */
  private static Dataset<Row> best(Dataset<Row> paths) {
    return paths
        .groupBy("start", "node")
        .agg(min(struct(col("hops"), col("path"), col("via"))).as("best"))
        .select(
            col("start"),
            col("node"),
            col("best.hops").as("hops"),
            col("best.path").as("path"),
            col("best.via").as("via"));
  }
}
