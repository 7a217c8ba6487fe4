package io.agentlake.transforms.correlate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;

import io.agentlake.schemas.Tables;
import io.agentlake.transforms.Contracts;
import io.agentlake.transforms.sources.SilverInputs;
import io.agentlake.transforms.sources.SourceSilver;
import io.agentlake.transforms.sources.Sources;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * {@code silver.identities} (SPEC 6.1): every identity across sources under one namespaced id:
 * {@code aws:<arn>}, {@code aws:access_key:<id>}, {@code okta:user:<id>}, {@code entra:user:<id>},
 * {@code openai:service_account:<id>}, {@code openai:api_key:<id>}, {@code openai:user:<id>}. Each
 * source maps its own ({@link SourceSilver#identities}); this class adds what is the same for all:
 * the platform its source package declares, and the latest successful use the activity aggregates
 * record for the identity, when that is later than the source's own last-seen time.
 */
public final class Identities {

  private Identities() {}

  /** {@code silver.identities}, from every registered source's identities. */
  public static Dataset<Row> identities(SilverInputs in) {
    Dataset<Row> lastUse =
        in.silver(Tables.PRINCIPAL_DAILY)
            .filter(col("last_success_time").isNotNull())
            .groupBy("principal_id")
            .agg(max("last_success_time").as("ct_last_seen"));
    Dataset<Row> all = null;
    for (Sources.Source source : Sources.sources()) {
      Optional<Dataset<Row>> rows = source.silver().identities(in);
      if (rows.isEmpty()) {
        continue;
      }
      Dataset<Row> withPlatform =
          rows.get()
              .withColumn(
                  "platform",
                  lit(source.ingest().platform().map(p -> p.value()).orElse(null)).cast("string"));
      all = all == null ? withPlatform : all.unionByName(withPlatform);
    }
    Dataset<Row> seen =
        all.join(lastUse, all.col("identity_id").equalTo(lastUse.col("principal_id")), "left")
            .withColumn("last_seen_at", greatest(col("last_seen_at"), col("ct_last_seen")));
    return Contracts.conform(seen, Tables.IDENTITIES).dropDuplicates("identity_id");
  }

  /**
   * The sources whose people agents' owners are matched against, in order of preference
   * (registration order): when the same person is in both and both agree, the owner is the Okta
   * user (the workforce IdP that usually provisions Entra), so adding Entra changes no Okta owner.
   */
  static final List<String> IDENTITY_PROVIDERS =
      Sources.sources().stream()
          .filter(s -> s.silver().identityProvider())
          .map(s -> s.ingest().name())
          .toList();

  /** Statuses that mean a person is gone from their identity provider. */
  public static final List<String> GONE_STATUSES =
      List.of("DEPROVISIONED", "SUSPENDED", "DISABLED", "DELETED");
}
