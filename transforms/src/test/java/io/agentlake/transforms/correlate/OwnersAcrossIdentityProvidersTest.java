package io.agentlake.transforms.correlate;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentlake.testing.Extracted;
import io.agentlake.testing.SharedSpark;
import io.agentlake.transforms.sources.entra.EntraId;
import io.agentlake.transforms.sources.manifest.AgentManifest;
import io.agentlake.transforms.sources.oktausers.OktaUsers;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Owners resolve against Okta and Entra ID users alike: by UPN, mail or object id, in any case, and
 * by the address a guest was invited as. A disabled or deleted Entra user is a deprovisioned owner
 * with since when, an Entra manager is a successor, the same person in both IdPs resolves when the
 * two agree and is reported, never guessed, when they do not.
 */
@ExtendWith(SharedSpark.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OwnersAcrossIdentityProvidersTest {

  private Extracted x;

  private static final LocalDate AS_OF = LocalDate.parse("2026-11-01");
  private static final String CAROL = "6ea91a8d-e32e-41a1-b7bd-d2d185eed0e0";
  private static final String ALICE = "4562bcc8-c436-4f95-b7c0-4f8ce89dca5e";
  private static final String DANA = "1aecaf40-dc3a-461f-88a8-d06994e12898";
  private static final String ERIN = "f0662ee5-84b1-43d6-8338-769cce1bc141";
  private static final String FRANK = "39807bd1-3dde-48f3-8165-81ddd4e46de0";
  private static final String GINA = "8e881353-1735-45af-af21-ee1344582a4d";

  private Map<String, Row> agents;
  private Map<String, Row> orphans;
  private Dataset<Row> edges;

  @BeforeAll
  void correlate(SparkSession spark) {
    x =
        new Extracted(spark)
            .text(
                OktaUsers.NAME,
                "okta-users/users.json",
                "[{\"id\":\"00u1\",\"status\":\"ACTIVE\",\"profile\":{\"login\":\"alice@corp.com\","
                    + "\"email\":\"alice@corp.com\"}},"
                    + "{\"id\":\"00u2\",\"status\":\"DEPROVISIONED\","
                    + "\"statusChanged\":\"2026-09-01T00:00:00.000Z\","
                    + "\"profile\":{\"login\":\"bob@corp.com\",\"email\":\"bob@corp.com\"}},"
                    + "{\"id\":\"00u3\",\"status\":\"ACTIVE\",\"profile\":{\"login\":\"dana@corp.com\","
                    + "\"email\":\"dana@corp.com\"}}]")
            .text(
                EntraId.NAME,
                "entra-id/users.json",
                "{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#users\",\"value\":["
                    + user(CAROL, "Carol@Corp.com", "carol.m@corp.com", false, null)
                        .replace("}", ",\"manager\":{\"id\":\"" + ERIN + "\"}}")
                    + ","
                    + user(ALICE, "alice@corp.com", "alice@corp.com", true, null)
                    + ","
                    + user(DANA, "dana@corp.com", "dana@corp.com", false, null)
                    + ","
                    + user(ERIN, "erin@corp.com", "erin@corp.com", true, null)
                    + ","
                    + user(FRANK, "frank_partner.com#EXT#@corp.onmicrosoft.com", null, true, null)
                    + ","
                    + user(GINA, "gina@corp.com", "gina@corp.com", false, "2026-10-20T00:00:00Z")
                    + "]}")
            .text(
                EntraId.NAME,
                "entra-id/audits.json",
                "{\"value\":[{\"id\":\"a1\",\"activityDisplayName\":\"Disable account\","
                    + "\"activityDateTime\":\"2026-10-15T08:00:00Z\",\"result\":\"success\","
                    + "\"targetResources\":[{\"id\":\""
                    + CAROL
                    + "\",\"type\":\"User\"}]},"
                    + "{\"id\":\"a0\",\"activityDisplayName\":\"Disable account\","
                    + "\"activityDateTime\":\"2026-10-01T08:00:00Z\",\"result\":\"failure\","
                    + "\"targetResources\":[{\"id\":\""
                    + CAROL
                    + "\",\"type\":\"User\"}]}]}")
            .text(
                AgentManifest.NAME,
                "agent-manifest/agents.csv",
                "agent_id,name,platform,owner\n"
                    + "a-alice,a,custom,ALICE@corp.com\n"
                    + "a-carol-upn,c,custom,carol@corp.com\n"
                    + "a-carol-mail,c,custom,Carol.M@corp.com\n"
                    + "a-carol-id,c,custom,"
                    + CAROL.toUpperCase(java.util.Locale.ROOT)
                    + "\n"
                    + "a-dana,d,custom,dana@corp.com\n"
                    + "a-frank,f,custom,frank@partner.com\n"
                    + "a-gina,g,custom,gina@corp.com\n"
                    + "a-bob,b,custom,bob@corp.com\n");
    OwnerGraph graph = OwnerGraph.of(spark, x, AS_OF);
    agents = graph.agents();
    orphans = graph.orphans();
    edges = graph.edges();
  }

  @Test
  void everyIdentityNamesThePlatformItsSourceExports(SparkSession spark) {
    Map<String, String> platforms =
        Identities.identities(x.inputs()).collectAsList().stream()
            .collect(
                Collectors.toMap(
                    r -> r.<String>getAs("identity_id"), r -> r.<String>getAs("platform")));
    assertThat(platforms).containsEntry("okta:user:00u1", "okta");
    assertThat(platforms.entrySet())
        .filteredOn(e -> e.getKey().startsWith("entra:user:"))
        .isNotEmpty()
        .allMatch(e -> "entra".equals(e.getValue()));
  }

  private static String user(
      String id, String upn, String mail, boolean enabled, String deletedDateTime) {
    return "{\"id\":\""
        + id
        + "\",\"userPrincipalName\":\""
        + upn
        + "\",\"mail\":"
        + (mail == null ? "null" : "\"" + mail + "\"")
        + ",\"accountEnabled\":"
        + enabled
        + ",\"deletedDateTime\":"
        + (deletedDateTime == null ? "null" : "\"" + deletedDateTime + "\"")
        + "}";
  }

  private String owner(String agent) {
    return agents.get("custom:" + agent).getAs("owner_identity_id");
  }

  private String match(String agent) {
    return agents.get("custom:" + agent).getAs("owner_match");
  }

  private String orphanEvidence(String agent) {
    Row r = orphans.get("custom:" + agent);
    return r == null ? null : r.getList(r.fieldIndex("evidence")).toString();
  }

  @Test
  void anEntraOnlyOwnerResolvesByUpnMailOrObjectIdInAnyCase() {
    for (String agent : List.of("a-carol-upn", "a-carol-mail", "a-carol-id")) {
      assertThat(match(agent)).as(agent).isEqualTo("MATCHED");
      assertThat(owner(agent)).as(agent).isEqualTo("entra:user:" + CAROL);
    }
    assertThat(owner("a-frank"))
        .as("a guest, by the address invited as")
        .isEqualTo("entra:user:" + FRANK);
  }

  @Test
  void aDisabledOrDeletedEntraOwnerIsDeprovisionedSinceWhenWithTheManagerAsSuccessor() {
    Row carol = orphans.get("custom:a-carol-upn");
    assertThat(carol.getList(carol.fieldIndex("reasons"))).contains("OWNER_DEPROVISIONED");
    // the successful disable, not the failed attempt before it
    assertThat(orphanEvidence("a-carol-upn"))
        .contains("\"status\":\"DISABLED\"")
        .contains("2026-10-15T08:00:00");
    assertThat(carol.<String>getAs("suggested_successor")).isEqualTo("erin@corp.com");
    assertThat(
            edges
                .filter(
                    col("src_id")
                        .equalTo("entra:user:" + CAROL)
                        .and(col("edge_type").equalTo("MANAGED_BY")))
                .select("dst_id")
                .first()
                .getString(0))
        .isEqualTo("entra:user:" + ERIN);
    assertThat(orphanEvidence("a-gina")).contains("\"status\":\"DELETED\"").contains("2026-10-20");
    assertThat(orphanEvidence("a-bob")).contains("\"status\":\"DEPROVISIONED\"");
  }

  @Test
  void theSamePersonInBothIdpsResolvesWhenTheyAgreeAndIsReportedWhenTheyDoNot() {
    assertThat(match("a-alice")).isEqualTo("MATCHED");
    assertThat(orphans).doesNotContainKey("custom:a-alice");

    assertThat(match("a-dana")).isEqualTo("CONFLICTING");
    assertThat(owner("a-dana")).isNull();
    assertThat(agents.get("custom:a-dana").<Object>getAs("owner_candidate_ids"))
        .asString()
        .contains("entra:user:" + DANA)
        .contains("okta:user:00u3");
    Row dana = orphans.get("custom:a-dana");
    assertThat(dana.getList(dana.fieldIndex("reasons"))).containsExactly("OWNER_STATUS_CONFLICT");
    assertThat(orphanEvidence("a-dana"))
        .contains("entra:user:" + DANA)
        .contains("DISABLED")
        .contains("okta:user:00u3")
        .contains("ACTIVE");
  }
}
