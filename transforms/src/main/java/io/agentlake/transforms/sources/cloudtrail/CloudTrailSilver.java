package io.agentlake.transforms.sources.cloudtrail;

import static io.agentlake.transforms.sources.iam.IamPolicies.accountOf;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.regexp_replace;

import io.agentlake.schemas.Tables;
import io.agentlake.schemas.vocabulary.EdgeType;
import io.agentlake.schemas.vocabulary.IdPrefix;
import io.agentlake.transforms.correlate.IdentityEdges;
import io.agentlake.transforms.sources.IdentityRow;
import io.agentlake.transforms.sources.SilverInputs;
import io.agentlake.transforms.sources.SourceSilver;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * CloudTrail's share of the identity graph, read from {@code silver.principal_daily} (its daily
 * aggregates over all of history) rather than from every bronze event: long-term access keys seen
 * in use are identities, KEY_OF ties each to its user and ASSUMED records the roles a principal
 * assumed.
 */
public final class CloudTrailSilver implements SourceSilver {

  @Override
  public Optional<Dataset<Row>> identities(SilverInputs in) {
    // A long-term key belongs to one user; min picks that user deterministically should CloudTrail
    // ever show the key under two principals.
    return Optional.of(
        in.silver(Tables.PRINCIPAL_DAILY)
            .filter(col("access_key_id").startsWith("AKIA"))
            .groupBy(col("access_key_id").as("key_id"))
            .agg(
                min(regexp_replace(col("principal_id"), "^aws:", "")).as("user_arn"),
                max("last_success_time").as("key_last_seen"))
            .select(
                IdentityRow.of(
                        IdPrefix.AWS_ACCESS_KEY.of(col("key_id")), "access_key", CloudTrail.NAME)
                    .nativeId(col("key_id"))
                    .displayName(col("key_id"))
                    .account(accountOf(col("user_arn")))
                    .lastSeenAt(col("key_last_seen"))
                    .attributes(map(lit("user_arn"), col("user_arn")))
                    .columns()));
  }

  @Override
  public Optional<Dataset<Row>> edges(SilverInputs in) {
    Dataset<Row> daily = in.silver(Tables.PRINCIPAL_DAILY);
    Dataset<Row> keys =
        IdentityEdges.edge(
            daily
                .filter(col("access_key_id").startsWith("AKIA"))
                .filter(col("identity_type").equalTo("IAMUser"))
                .groupBy(col("access_key_id").as("key_id"), col("principal_id"))
                .agg(min("first_time").as("first_seen"), max("last_time").as("last_seen")),
            IdPrefix.AWS_ACCESS_KEY.of(col("key_id")),
            EdgeType.KEY_OF,
            col("principal_id"),
            CloudTrail.NAME,
            lit("access key used by this user in CloudTrail"),
            true);
    Dataset<Row> assumed =
        IdentityEdges.edge(
            // Rows with an assumed role hold only successful AssumeRole* calls naming it; the
            // least sample over all days is the least event id, whichever days were recomputed.
            daily
                .filter(col("assumed_role_arn").isNotNull())
                .groupBy(col("principal_id"), col("assumed_role_arn").as("role_arn"))
                .agg(
                    min("first_time").as("first_seen"),
                    max("last_time").as("last_seen"),
                    min("sample_event_id").as("sample")),
            col("principal_id"),
            EdgeType.ASSUMED,
            IdPrefix.AWS.of(col("role_arn")),
            CloudTrail.NAME,
            concat(lit("AssumeRole event "), col("sample")),
            true);
    return Optional.of(keys.unionByName(assumed));
  }
}
