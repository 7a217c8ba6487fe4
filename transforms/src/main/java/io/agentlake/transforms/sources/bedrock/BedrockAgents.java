package io.agentlake.transforms.sources.bedrock;

import io.agentlake.schemas.SourceRecordType;
import io.agentlake.schemas.SourceRecordType.TimeFormat;
import io.agentlake.schemas.vocabulary.Platform;
import io.agentlake.transforms.ingest.SourcePackage;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.types.StructType;

/**
 * Amazon Bedrock agents: {@code aws bedrock-agent list-agents} ({@code {"agentSummaries": [...]}})
 * and {@code get-agent} ({@code {"agent": {...}}}) output, or agents as a JSON array or NDJSON.
 */
public final class BedrockAgents implements SourcePackage {

  public static final String NAME = "bedrock-agents";

  public static final SourceRecordType AGENT =
      new SourceRecordType(
          NAME,
          "bedrock_agent",
          "bedrock_agents",
          StructType.fromDDL(
              "agentId STRING, agentName STRING, agentArn STRING, agentVersion STRING,"
                  + " agentStatus STRING, agentResourceRoleArn STRING, foundationModel STRING,"
                  + " description STRING, instruction STRING, createdAt STRING,"
                  + " updatedAt STRING, preparedAt STRING, latestAgentVersion STRING,"
                  + " idleSessionTTLInSeconds BIGINT, failureReasons ARRAY<STRING>"),
          List.of("agentId", "agentName"),
          "updatedAt",
          TimeFormat.ISO_8601,
          List.of("agentId"),
          false);

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Optional<Platform> platform() {
    return Optional.of(Platform.AWS);
  }

  @Override
  public List<SourceRecordType> recordTypes() {
    return List.of(AGENT);
  }

  @Override
  public String accepts() {
    return "the JSON of 'aws bedrock-agent list-agents' or 'get-agent', or agents as a JSON array"
        + " or NDJSON";
  }

  @Override
  public Wrapper wrapper(String field, boolean array) {
    return (array && field.equals("agentSummaries")) || (!array && field.equals("agent"))
        ? Wrapper.ELEMENTS
        : null;
  }
}
