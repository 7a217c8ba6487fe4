package io.agentlake.transforms.sources.openai;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.map;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.timestamp_seconds;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import io.agentlake.schemas.vocabulary.EdgeType;
import io.agentlake.schemas.vocabulary.IdPrefix;
import io.agentlake.transforms.correlate.IdentityEdges;
import io.agentlake.transforms.sources.IdentityRow;
import io.agentlake.transforms.sources.SilverInputs;
import io.agentlake.transforms.sources.SourceSilver;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The OpenAI organisation's share of silver: project service accounts are identities and agents
 * (platform {@code openai}, their status their project's), API keys are identities tied to their
 * owner (KEY_OF), and the organisation's users are identities (not an identity provider: owners are
 * matched against Okta and Entra).
 */
public final class OpenAiSilver implements SourceSilver {

  @Override
  public Optional<Dataset<Row>> identities(SilverInputs in) {
    Dataset<Row> serviceAccounts =
        serviceAccounts(in)
            .select(
                openai(IdPrefix.OPENAI_SERVICE_ACCOUNT, "service_account", col("name"))
                    .attributes(
                        map(
                            lit("project_id"),
                            col("project_id"),
                            lit("project_status"),
                            coalesce(col("project_status"), lit("unknown"))))
                    .columns());
    Dataset<Row> apiKeys =
        apiKeys(in)
            .select(
                openai(
                        IdPrefix.OPENAI_API_KEY,
                        "api_key",
                        coalesce(col("name"), col("redacted_value")))
                    .lastSeenAt(timestamp_seconds(col("last_used_at")))
                    .attributes(
                        map(
                            lit("redacted_value"),
                            col("redacted_value"),
                            lit("owner_type"),
                            col("owner.type"),
                            lit("project_id"),
                            col("_context").getItem("project_id")))
                    .columns());
    Dataset<Row> users =
        in.latest(OpenAiAdmin.USER.recordType(), "id")
            .select(
                IdentityRow.of(IdPrefix.OPENAI_USER.of(col("id")), "human", OpenAiAdmin.NAME)
                    .nativeId(col("id"))
                    .displayName(lower(trim(col("email"))))
                    .createdAt(timestamp_seconds(col("added_at")))
                    .attributes(map(lit("role"), col("role")))
                    .columns());
    return Optional.of(serviceAccounts.unionByName(apiKeys).unionByName(users));
  }

  /** Service accounts, their status their project's and their credentials their API keys. */
  @Override
  public Optional<AgentRecords> agents(SilverInputs in, Dataset<Row> namedInManifest) {
    Dataset<Row> keysBySa =
        apiKeys(in)
            .filter(col("owner.type").equalTo("service_account"))
            .groupBy(col("owner.service_account.id").as("sa_id"))
            .agg(sort_array(collect_set(IdPrefix.OPENAI_API_KEY.of(col("id")))).as("sa_keys"));
    Dataset<Row> inventory = serviceAccounts(in);
    Dataset<Row> agents =
        inventory
            .join(keysBySa, col("id").equalTo(col("sa_id")), "left")
            .select(
                col("id").as("native_id"),
                col("name").as("p_name"),
                lit(null).cast("string").as("p_purpose"),
                col("project_status").as("p_status"),
                col("project_archived_at").as("p_deleted_at"),
                timestamp_seconds(col("created_at")).as("p_created_at"),
                coalesce(col("sa_keys"), expr("cast(array() as array<string>)"))
                    .as("p_credentials"),
                lit(null).cast("array<string>").as("p_owner_refs"));
    return Optional.of(new AgentRecords("openai", agents, inventory));
  }

  @Override
  public Optional<Dataset<Row>> edges(SilverInputs in) {
    return Optional.of(
        IdentityEdges.edge(
            apiKeys(in).filter(col("owner.type").equalTo("service_account")),
            IdPrefix.OPENAI_API_KEY.of(col("id")),
            EdgeType.KEY_OF,
            IdPrefix.OPENAI_SERVICE_ACCOUNT.of(col("owner.service_account.id")),
            OpenAiAdmin.NAME,
            lit("api key owner"),
            false));
  }

  /** A service account or API key by its {@code id}, created at its {@code created_at}. */
  private static IdentityRow openai(IdPrefix prefix, String kind, Column name) {
    return IdentityRow.of(prefix.of(col("id")), kind, OpenAiAdmin.NAME)
        .nativeId(col("id"))
        .displayName(name)
        .createdAt(timestamp_seconds(col("created_at")));
  }

  private static Dataset<Row> apiKeys(SilverInputs in) {
    return in.latest(OpenAiAdmin.API_KEY.recordType(), "id");
  }

  /** Service accounts with their project's status ({@code project_status}, lower case). */
  private static Dataset<Row> serviceAccounts(SilverInputs in) {
    Dataset<Row> projects =
        in.latest(OpenAiAdmin.PROJECT.recordType(), "id")
            .select(
                col("id").as("project_id"),
                lower(
                        coalesce(
                            col("status"),
                            when(col("archived_at").isNotNull(), lit("archived"))
                                .otherwise(lit("active"))))
                    .as("project_status"),
                timestamp_seconds(col("archived_at")).as("project_archived_at"));
    return in.latest(OpenAiAdmin.SERVICE_ACCOUNT.recordType(), "id")
        .withColumn("project_id", col("_context").getItem("project_id"))
        .join(projects, "project_id", "left");
  }
}
