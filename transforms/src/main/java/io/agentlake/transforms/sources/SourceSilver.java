package io.agentlake.transforms.sources;

import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A source's own share of silver, computed inside its package and registered beside it in {@link
 * Sources}: the identities it knows, the agents it runs, the edges between its identities, and (for
 * a platform whose grants can be checked against its logs) its permissions. The correlate job
 * unions every registered source's share and computes what is platform-neutral once: an identity's
 * last use in the activity tables, the merge of platform agents with the manifest, owner
 * resolution, the agents' own edges. Every method is optional: a source that has no identities,
 * say, keeps the default.
 */
public interface SourceSilver {

  /** A source with no share of silver of its own (an activity log, the review decisions). */
  SourceSilver NONE = new SourceSilver() {};

  /**
   * Its {@code silver.identities} rows, every column but {@code platform} (the core takes it from
   * the source package), {@code last_seen_at} as the source itself records it.
   */
  default Optional<Dataset<Row>> identities(SilverInputs in) {
    return Optional.empty();
  }

  /**
   * Whether its people ({@code kind = human}) are the ones agents' owners are matched against.
   * Where a person is in two such sources, the one registered first is preferred.
   */
  default boolean identityProvider() {
    return false;
  }

  /**
   * Its agents, as platform records for the manifest to merge with. {@code namedInManifest} is
   * {@code platform, native_id} of every manifest agent, for a platform whose agents are only known
   * as agents when the manifest names them.
   */
  default Optional<AgentRecords> agents(SilverInputs in, Dataset<Row> namedInManifest) {
    return Optional.empty();
  }

  /**
   * Its {@code silver.identity_edges} rows between identities (not the agents' own USES / OWNED_BY
   * edges, which the core draws from {@code silver.agents}).
   */
  default Optional<Dataset<Row>> edges(SilverInputs in) {
    return Optional.empty();
  }

  /** Its grants, their use and the logs' coverage, when it is a platform that maps them. */
  default Optional<PlatformSilver> permissions() {
    return Optional.empty();
  }

  /**
   * A platform's agent records.
   *
   * @param platform the agents' platform, the first part of their {@code agent_id}
   * @param agents one row per agent: {@code native_id, p_name, p_purpose, p_status, p_deleted_at,
   *     p_created_at, p_credentials} (identity ids), {@code p_owner_refs} (owner references in
   *     order of preference, or null)
   * @param inventory the export the agents were drawn from: when it holds any row, a manifest agent
   *     of this platform that is not among {@code agents} was deleted from the platform; when it is
   *     empty the platform was not exported, and nothing is said about the manifest's agents
   */
  record AgentRecords(String platform, Dataset<Row> agents, Dataset<Row> inventory) {}
}
