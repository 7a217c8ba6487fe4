package io.agentlake.transforms.correlate;

import static org.apache.spark.sql.functions.bool_and;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.struct;

import io.agentlake.schemas.Tables;
import io.agentlake.schemas.vocabulary.EdgeType;
import io.agentlake.schemas.vocabulary.IdPrefix;
import io.agentlake.transforms.Contracts;
import io.agentlake.transforms.sources.SilverInputs;
import io.agentlake.transforms.sources.SourceSilver;
import io.agentlake.transforms.sources.Sources;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * {@code silver.identity_edges} (SPEC 6.1): the typed edges between identities and agents (USES,
 * OWNED_BY, BACKUP_OWNED_BY, MANAGED_BY, KEY_OF, MEMBER_OF, CAN_ASSUME, ASSUMED), {@code
 * agent:<agent_id>} standing for an agent.
 */
public final class IdentityEdges {

  private IdentityEdges() {}

  /**
   * {@code silver.identity_edges}: the agents' own edges (USES, OWNED_BY, BACKUP_OWNED_BY) from
   * {@code silver.agents}, and every registered source's edges between identities ({@link
   * SourceSilver#edges}).
   */
  public static Dataset<Row> edges(SilverInputs in, Dataset<Row> agents) {
    Column agent = IdPrefix.AGENT.of(col("agent_id"));
    Dataset<Row> all =
        edge(
                agents.select(col("agent_id"), explode(col("credential_ids")).as("dst")),
                agent,
                EdgeType.USES,
                col("dst"),
                "agents",
                lit("credential of the agent (platform record or manifest)"),
                false)
            .unionByName(
                edge(
                    agents.filter(col("owner_identity_id").isNotNull()),
                    agent,
                    EdgeType.OWNED_BY,
                    col("owner_identity_id"),
                    "agent-manifest",
                    concat(lit("owner "), col("owner_ref")),
                    false))
            .unionByName(
                edge(
                    agents.select(
                        col("agent_id"), explode(col("backup_owner_identity_ids")).as("dst")),
                    agent,
                    EdgeType.BACKUP_OWNED_BY,
                    col("dst"),
                    "agent-manifest",
                    lit("backup owner"),
                    false));
    for (Sources.Source source : Sources.sources()) {
      Optional<Dataset<Row>> edges = source.silver().edges(in);
      if (edges.isPresent()) {
        all = all.unionByName(edges.get(), true);
      }
    }
    // One edge per (src, type, dst); where two facts give the same edge, keep a deterministic one,
    // unconditional if either is (its evidence then comes from an unconditional one).
    Column conditional = coalesce(col("conditional"), lit(false));
    Dataset<Row> unique =
        all.groupBy("src_id", "edge_type", "dst_id")
            .agg(
                min("source").as("source"),
                min(struct(conditional, col("evidence"))).getField("evidence").as("evidence"),
                min("first_seen").as("first_seen"),
                max("last_seen").as("last_seen"),
                bool_and(conditional).as("conditional"));
    return Contracts.conform(unique, Tables.IDENTITY_EDGES);
  }

  /**
   * Rows shaped as {@code silver.identity_edges}, for a source's {@link SourceSilver#edges}: the
   * {@code source} that states them and their {@code evidence}; observed edges carry their rows'
   * {@code first_seen} / {@code last_seen}. None is {@code conditional}.
   */
  public static Dataset<Row> edge(
      Dataset<Row> rows,
      Column src,
      EdgeType type,
      Column dst,
      String source,
      Column evidence,
      boolean observed) {
    Column noTime = lit(null).cast("timestamp");
    return rows.select(
        src.as("src_id"),
        lit(type.value()).as("edge_type"),
        dst.as("dst_id"),
        lit(source).as("source"),
        evidence.as("evidence"),
        observed ? col("first_seen") : noTime.as("first_seen"),
        observed ? col("last_seen") : noTime.as("last_seen"),
        lit(false).as("conditional"));
  }
}
