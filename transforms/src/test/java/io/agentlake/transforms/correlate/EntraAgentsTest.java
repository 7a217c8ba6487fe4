package io.agentlake.transforms.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentlake.testing.Extracted;
import io.agentlake.testing.SharedSpark;
import io.agentlake.transforms.sources.entra.EntraId;
import io.agentlake.transforms.sources.manifest.AgentManifest;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Entra as an agent platform: agent identities (and service principals a manifest names) become
 * agents, their sponsors and owners their owners, the service principal and its blueprint's secrets
 * their credentials, and sign-in logs their activity. So NO_OWNER, OWNER_DEPROVISIONED, IDLE and
 * DANGLING_CREDENTIAL come out of Graph exports alone, an expired secret counting for nothing.
 */
@ExtendWith(SharedSpark.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EntraAgentsTest {

  private static final LocalDate AS_OF = LocalDate.parse("2026-11-01");
  private static final String A = "0a000000-0000-4000-8000-00000000000a";
  private static final String B = "0b000000-0000-4000-8000-00000000000b";
  private static final String C = "0c000000-0000-4000-8000-00000000000c";
  private static final String D = "0d000000-0000-4000-8000-00000000000d";
  private static final String E = "0e000000-0000-4000-8000-00000000000e";
  private static final String M = "0f000000-0000-4000-8000-00000000000f";
  private static final String APP = "01000000-0000-4000-8000-000000000001";
  private static final String UMA = "0aaa0000-0000-4000-8000-0000000000aa";
  private static final String VIC = "0bbb0000-0000-4000-8000-0000000000bb";

  private Map<String, Row> agents;
  private Map<String, Row> orphans;

  @BeforeAll
  void correlate(SparkSession spark) {
    Extracted x =
        new Extracted(spark)
            .text(
                EntraId.NAME,
                "entra-id/users.json",
                "{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#users\",\"value\":["
                    + "{\"id\":\""
                    + UMA
                    + "\",\"userPrincipalName\":\"uma@corp.com\",\"accountEnabled\":true},"
                    + "{\"id\":\""
                    + VIC
                    + "\",\"userPrincipalName\":\"vic@corp.com\",\"accountEnabled\":false}]}")
            .text(
                EntraId.NAME,
                "entra-id/agentIdentityBlueprints.json",
                "{\"value\":[{\"@odata.type\":\"#microsoft.graph.agentIdentityBlueprint\","
                    + "\"id\":\"bp-object\",\"appId\":\""
                    + APP
                    + "\",\"displayName\":\"support agents\",\"passwordCredentials\":["
                    + "{\"keyId\":\"k-live\",\"hint\":\"Liv\",\"endDateTime\":\"2027-06-01T00:00:00Z\"},"
                    + "{\"keyId\":\"k-old\",\"hint\":\"Old\",\"endDateTime\":\"2026-01-01T00:00:00Z\"}]}]}")
            .text(
                EntraId.NAME,
                "entra-id/agentIdentities.json",
                "{\"@odata.context\":\"https://graph.microsoft.com/beta/$metadata#servicePrincipals\","
                    + "\"value\":["
                    + agent(A, "ok", true, "[{\"id\":\"" + UMA + "\"}]")
                    + ","
                    + agent(B, "idle", true, "[{\"id\":\"" + UMA + "\"}]")
                    + ","
                    + agent(C, "unsponsored", true, "[]")
                    + ","
                    + agent(D, "sponsor-gone", true, null)
                    + ","
                    + agent(E, "disabled", false, "[{\"id\":\"" + UMA + "\"}]")
                    + ",{\"id\":\""
                    + M
                    + "\",\"displayName\":\"mi-runner\",\"servicePrincipalType\":\"ManagedIdentity\","
                    + "\"accountEnabled\":true,\"createdDateTime\":\"2026-01-01T00:00:00Z\"},"
                    + "{\"id\":\"10000000-0000-4000-8000-000000000010\",\"appId\":\"other\","
                    + "\"displayName\":\"Some App\",\"servicePrincipalType\":\"Application\","
                    + "\"accountEnabled\":true}]}")
            .text(
                EntraId.NAME,
                "entra-id/servicePrincipals/" + D + "/sponsors.json",
                "{\"@odata.context\":\"https://graph.microsoft.com/beta/$metadata#directoryObjects\","
                    + "\"value\":[{\"@odata.type\":\"#microsoft.graph.user\",\"id\":\""
                    + VIC
                    + "\"}]}")
            .text(
                EntraId.NAME,
                "entra-id/signins/servicePrincipalSignIns.json",
                "{\"@odata.context\":\"https://graph.microsoft.com/beta/$metadata#auditLogs/signIns\","
                    + "\"value\":["
                    + signIn("s1", A, "2026-10-31T10:00:00Z", 0)
                    + ","
                    + signIn("s2", B, "2026-08-01T10:00:00Z", 0)
                    + ","
                    + signIn("s3", B, "2026-10-30T10:00:00Z", 7000215)
                    + ","
                    + signIn("s4", C, "2026-10-31T10:00:00Z", 0)
                    + ","
                    + signIn("s5", D, "2026-10-31T10:00:00Z", 0)
                    + ","
                    + signIn("s6", M, "2026-10-31T11:00:00Z", 0)
                    + "]}")
            .text(
                AgentManifest.NAME,
                "agent-manifest/agents.csv",
                "agent_id,name,platform,owner,purpose\n"
                    + M
                    + ",runner,entra,Uma@corp.com,runs the nightly summaries\n");
    OwnerGraph graph = OwnerGraph.of(spark, x, AS_OF);
    agents = graph.agents();
    orphans = graph.orphans();
  }

  private static String agent(String id, String name, boolean enabled, String sponsors) {
    return "{\"id\":\""
        + id
        + "\",\"displayName\":\""
        + name
        + "\",\"servicePrincipalType\":\"ServiceIdentity\",\"agentIdentityBlueprintId\":\""
        + APP
        + "\",\"accountEnabled\":"
        + enabled
        + ",\"createdDateTime\":\"2026-01-01T00:00:00Z\""
        + (sponsors == null ? "" : ",\"sponsors\":" + sponsors)
        + "}";
  }

  private static String signIn(String id, String sp, String time, int errorCode) {
    return "{\"id\":\""
        + id
        + "\",\"createdDateTime\":\""
        + time
        + "\",\"servicePrincipalId\":\""
        + sp
        + "\",\"appId\":\""
        + APP
        + "\",\"resourceId\":\"graph\",\"status\":{\"errorCode\":"
        + errorCode
        + "}}";
  }

  private List<String> reasons(String id) {
    Row r = orphans.get("entra:" + id);
    return r == null ? List.of() : r.getList(r.fieldIndex("reasons"));
  }

  @Test
  void agentIdentitiesAndNamedServicePrincipalsAreAgentsWithTheirCredentials() {
    assertThat(agents.keySet())
        .containsExactlyInAnyOrder(
            "entra:" + A, "entra:" + B, "entra:" + C, "entra:" + D, "entra:" + E, "entra:" + M);
    Row a = agents.get("entra:" + A);
    assertThat(a.getList(a.fieldIndex("credential_ids")))
        .containsExactly(
            "entra:credential:k-live", "entra:credential:k-old", "entra:service_principal:" + A);
    assertThat(a.<String>getAs("owner_identity_id")).isEqualTo("entra:user:" + UMA);
    Row m = agents.get("entra:" + M);
    assertThat(m.<String>getAs("owner_identity_id")).isEqualTo("entra:user:" + UMA);
    assertThat(m.<String>getAs("purpose")).isEqualTo("runs the nightly summaries");
    assertThat(m.getList(m.fieldIndex("sources"))).containsExactly("entra", "agent-manifest");
  }

  @Test
  void orphansComeOutOfGraphExportsAlone() {
    assertThat(reasons(A)).isEmpty();
    assertThat(reasons(M)).isEmpty();
    // its only successful sign-in is 92 days old; the failed one yesterday is no activity
    assertThat(reasons(B)).containsExactly("IDLE");
    assertThat(reasons(C)).containsExactly("NO_OWNER");
    assertThat(reasons(D)).containsExactly("OWNER_DEPROVISIONED");
    assertThat(reasons(E)).contains("DANGLING_CREDENTIAL");
    Row e = orphans.get("entra:" + E);
    String dangling =
        e.<Row>getList(e.fieldIndex("evidence")).stream()
            .filter(r -> r.getString(0).equals("DANGLING_CREDENTIAL"))
            .findFirst()
            .orElseThrow()
            .getString(1);
    // the blueprint's live secret still works for a disabled agent; the expired one does not
    assertThat(dangling)
        .contains("\"platform_status\":\"DISABLED\"")
        .contains("entra:credential:k-live")
        .doesNotContain("k-old")
        .doesNotContain("entra:service_principal:" + E);
  }
}
