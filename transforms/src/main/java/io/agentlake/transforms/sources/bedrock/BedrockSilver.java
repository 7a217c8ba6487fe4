package io.agentlake.transforms.sources.bedrock;

import static io.agentlake.transforms.Times.parseIso;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import io.agentlake.schemas.vocabulary.IdPrefix;
import io.agentlake.transforms.sources.SilverInputs;
import io.agentlake.transforms.sources.SourceSilver;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Bedrock agents as agents (platform {@code bedrock}), their credential the IAM role they run as.
 * An agent is listed by {@code list-agents} and described by {@code get-agent}; the two are merged
 * on its id.
 */
public final class BedrockSilver implements SourceSilver {

  @Override
  public Optional<AgentRecords> agents(SilverInputs in, Dataset<Row> namedInManifest) {
    Dataset<Row> inventory =
        in.latest(BedrockAgents.AGENT.recordType(), "agentId", "_record_type", "_source_file");
    Dataset<Row> agents =
        inventory
            .groupBy("agentId")
            .agg(
                first("agentName", true).as("p_name"),
                first("description", true).as("p_purpose"),
                first("agentStatus", true).as("p_status"),
                first("createdAt", true).as("p_created"),
                first("agentResourceRoleArn", true).as("role_arn"))
            .select(
                col("agentId").as("native_id"),
                col("p_name"),
                col("p_purpose"),
                col("p_status"),
                lit(null).cast("timestamp").as("p_deleted_at"),
                parseIso(col("p_created")).as("p_created_at"),
                when(col("role_arn").isNotNull(), array(IdPrefix.AWS.of(col("role_arn"))))
                    .otherwise(expr("cast(array() as array<string>)"))
                    .as("p_credentials"),
                lit(null).cast("array<string>").as("p_owner_refs"));
    return Optional.of(new AgentRecords("bedrock", agents, inventory));
  }
}
