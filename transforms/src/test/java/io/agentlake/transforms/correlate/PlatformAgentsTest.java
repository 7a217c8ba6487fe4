package io.agentlake.transforms.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentlake.testing.Extracted;
import io.agentlake.testing.SharedSpark;
import io.agentlake.transforms.sources.Sources;
import io.agentlake.transforms.sources.bedrock.BedrockAgents;
import io.agentlake.transforms.sources.manifest.AgentManifest;
import java.time.LocalDate;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A manifest agent missing from its platform is DELETED there only when the platform was exported:
 * a company that exports no Bedrock agents has not deleted the Bedrock agents its manifest lists.
 * One rule for every platform, whose agents come from its source's {@code SourceSilver}.
 */
@ExtendWith(SharedSpark.class)
class PlatformAgentsTest {

  private static final LocalDate AS_OF = LocalDate.parse("2026-11-01");
  private static final String MANIFEST =
      "agent_id,name,platform,owner,purpose\n"
          + "AG1,listed,bedrock,,answers tickets\n"
          + "svc_acct_1,listed too,openai,,drafts replies\n";

  @Test
  void aPlatformThatWasNotExportedSaysNothingAboutTheManifestsAgents(SparkSession spark) {
    Extracted x = new Extracted(spark).text(AgentManifest.NAME, "agent-manifest/a.csv", MANIFEST);
    OwnerGraph graph = OwnerGraph.of(spark, x, AS_OF);
    assertThat(graph.agents().get("bedrock:AG1").<String>getAs("platform_status")).isNull();
    assertThat(graph.agents().get("openai:svc_acct_1").<String>getAs("platform_status")).isNull();
  }

  @Test
  void anExportedPlatformWithoutTheAgentDeletedIt(SparkSession spark) {
    Extracted x =
        new Extracted(spark)
            .text(AgentManifest.NAME, "agent-manifest/a.csv", MANIFEST)
            .text(
                BedrockAgents.NAME,
                "bedrock-agents/list.json",
                "{\"agentSummaries\":[{\"agentId\":\"AG2\",\"agentName\":\"other\","
                    + "\"agentStatus\":\"PREPARED\",\"updatedAt\":\"2026-10-01T00:00:00Z\"}]}");
    OwnerGraph graph = OwnerGraph.of(spark, x, AS_OF);
    Row listed = graph.agents().get("bedrock:AG1");
    assertThat(listed.<String>getAs("platform_status")).isEqualTo("DELETED");
    assertThat(listed.<String>getList(listed.fieldIndex("sources")))
        .containsExactly("agent-manifest");
    assertThat(graph.agents().get("bedrock:AG2").<String>getAs("platform_status"))
        .isEqualTo("PREPARED");
    // OpenAI was not exported: its manifest agent keeps no platform status.
    assertThat(graph.agents().get("openai:svc_acct_1").<String>getAs("platform_status")).isNull();
  }

  @Test
  void ownersAreMatchedAgainstTheIdentityProvidersInRegistrationOrder() {
    assertThat(Identities.IDENTITY_PROVIDERS).containsExactly("okta-users", "entra-id");
    assertThat(Sources.platforms())
        .extracting(p -> p.platform().value())
        .containsExactly("aws", "entra");
  }
}
