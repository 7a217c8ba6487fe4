package io.agentlake.transforms.sources.entra;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentlake.testing.Extracted;
import io.agentlake.testing.SharedSpark;
import io.agentlake.transforms.ingest.ExtractedRecord;
import io.agentlake.transforms.ingest.FileOutcome;
import io.agentlake.transforms.ingest.QuarantineReason;
import io.agentlake.transforms.ingest.RecordExtractor;
import io.agentlake.transforms.ingest.SecretRedactor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Entra ID on the Microsoft Graph documentation samples (copied with their licence note under
 * {@code samples/entra/}), each quirk the samples README lists, the diagnostic-settings forms of
 * the logs, owner lists named by their path, and the redaction of credential secrets.
 */
@ExtendWith(SharedSpark.class)
class EntraIdTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path SAMPLES =
      Path.of("src/test/resources/samples/entra/microsoft-graph-docs-contrib/api-reference");
  private static final String RESOURCES =
      "/samples/entra/microsoft-graph-docs-contrib/api-reference/";
  private static final String OWNER_GUID = "59e617e5-e447-4adc-8b88-00af644d7c92";

  record Run(FileOutcome outcome, List<ExtractedRecord> records) {
    Run {
      assertThat(outcome.recordsRead()).isEqualTo(records.size());
    }

    List<ExtractedRecord> accepted() {
      return records.stream().filter(r -> !r.quarantined()).toList();
    }

    List<ExtractedRecord> quarantined() {
      return records.stream().filter(ExtractedRecord::quarantined).toList();
    }

    JsonNode json(int i) {
      return tree(accepted().get(i).json());
    }
  }

  private static Run run(String path, byte[] content) {
    List<ExtractedRecord> records = new ArrayList<>();
    FileOutcome outcome =
        RecordExtractor.extract(
            new EntraId(), path, new ByteArrayInputStream(content), records::add);
    return new Run(outcome, records);
  }

  private static Run run(String path, String content) {
    return run(path, content.getBytes(UTF_8));
  }

  private static Run sample(String file) {
    try {
      return run(
          "entra-id/" + Path.of(file).getFileName(), Files.readAllBytes(SAMPLES.resolve(file)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode tree(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void everySampleIsReadWholeIntoTheRecordTypeItHolds() {
    Map<String, String> expected = new TreeMap<>();
    expected.put("beta/api/agentidentity-get.md.response.json", "entra_service_principal=1");
    expected.put("beta/api/agentidentity-list.md.response.json", "entra_service_principal=1");
    expected.put("beta/api/agentidentityblueprint-list.md.response.json", "entra_application=1");
    expected.put(
        "beta/api/agentidentityblueprintprincipal-get.md.response.json",
        "entra_service_principal=1");
    expected.put("beta/api/signin-list.md.example2.response.json", "entra_sign_in=1");
    expected.put("v1.0/api/user-list.md.example1.response.json", "entra_user=2");
    expected.put("v1.0/api/user-list.md.example8-guests.response.json", "entra_user=1");
    expected.put("v1.0/api/user-list.md.example11-signInActivity.response.json", "entra_user=2");
    expected.put("v1.0/api/application-list.md.example1.response.json", "entra_application=1");
    expected.put(
        "v1.0/api/serviceprincipal-list.md.response-example.json", "entra_service_principal=1");
    expected.put(
        "v1.0/api/serviceprincipal-list-approleassignments.md.response.json",
        "entra_app_role_assignment=1");
    expected.put(
        "v1.0/api/serviceprincipal-list-approleassignedto.md.response.json",
        "entra_app_role_assignment=1");
    expected.put(
        "v1.0/api/oauth2permissiongrant-list.md.response.json", "entra_oauth2_permission_grant=2");
    expected.put(
        "v1.0/api/directoryaudit-list.md.example1.response.json", "entra_directory_audit=1");
    expected.put(
        "v1.0/api/directoryaudit-list.md.example2.response.json", "entra_directory_audit=1");
    Map<String, String> actual = new TreeMap<>();
    for (String file : expected.keySet()) {
      Run r = sample(file);
      assertThat(r.quarantined()).as(file).isEmpty();
      assertThat(r.outcome().failed()).as(file).isFalse();
      Map<String, Integer> counts = new TreeMap<>();
      r.accepted().forEach(x -> counts.merge(x.recordType(), 1, Integer::sum));
      actual.put(file, counts.toString().replaceAll("[{}]", ""));
    }
    assertThat(actual).isEqualTo(expected);
  }

  @Test
  void duplicateKeysKeepTheLastValueAsGraphClientsDo() {
    Run r = sample("beta/api/signin-list.md.example2.response.json");
    JsonNode signIn = r.json(0);
    // homeTenantId appears twice with different values: the second wins
    assertThat(signIn.get("homeTenantId").asText())
        .isEqualTo("99081087-73c4-48d1-a112-f60ff75114f7");
    assertThat(signIn.at("/status/errorCode").asLong()).isEqualTo(50126);
    assertThat(r.accepted().get(0).eventTime()).hasToString("2021-06-30T16:34:32Z");
    assertThat(r.accepted().get(0).dedupeKey()).isEqualTo("1691d37b-8579-43a7-966a-0f35583c1300");
  }

  @Test
  void theNeverSentinelBecomesNullAndRealTimesStay() {
    Run r = sample("v1.0/api/user-list.md.example11-signInActivity.response.json");
    JsonNode adele = r.json(0);
    assertThat(adele.at("/signInActivity/lastNonInteractiveSignInDateTime").isNull()).isTrue();
    assertThat(adele.at("/signInActivity/lastSignInDateTime").asText())
        .isEqualTo("2021-06-17T16:41:33Z");
    assertThat(r.json(1).at("/signInActivity/lastNonInteractiveSignInDateTime").asText())
        .isEqualTo("2021-07-29T17:53:42Z");
  }

  @Test
  void guestsKeepTheirExtIdentitiesAndMail() {
    JsonNode guest = sample("v1.0/api/user-list.md.example8-guests.response.json").json(0);
    assertThat(guest.get("mail").asText()).isEqualTo("AdeleV@adatum.com");
    assertThat(guest.at("/identities/0/issuerAssignedId").asText())
        .isEqualTo("AdeleV_adatum.com#EXT#@cntoso.com");
  }

  @Test
  void odataTypeIsReadWithAndWithoutTheHashAndKeptWithout() {
    JsonNode blueprint = sample("beta/api/agentidentityblueprint-list.md.response.json").json(0);
    JsonNode principal =
        sample("beta/api/agentidentityblueprintprincipal-get.md.response.json").json(0);
    assertThat(blueprint.get("odataType").asText())
        .isEqualTo("microsoft.graph.agentIdentityBlueprint");
    assertThat(principal.get("odataType").asText())
        .isEqualTo("microsoft.graph.agentIdentityBlueprintPrincipal");
  }

  @Test
  void capitalisedKeysTakeTheSchemasCase() {
    JsonNode audit = sample("v1.0/api/directoryaudit-list.md.example1.response.json").json(0);
    assertThat(audit.at("/targetResources/0/type").asText()).isEqualTo("Group");
    assertThat(audit.at("/targetResources/1/type").asText()).isEqualTo("User");
    assertThat(audit.at("/targetResources/0").has("Type")).isFalse();
  }

  @Test
  void credentialSecretsNeverLandWhileHintKeyIdAndEndDateStay() {
    String app =
        """
        {"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#applications","value":[
         {"id":"a1","appId":"11111111-2222-3333-4444-555555555555","displayName":"agent app",
          "passwordCredentials":[{"keyId":"k-1","hint":"Abc","endDateTime":"2027-01-01T00:00:00Z",
            "secretText":"Abc8Q~not-a-real-secret-but-shaped-like-one"}],
          "keyCredentials":[{"keyId":"k-2","type":"AsymmetricX509Cert","usage":"Verify",
            "endDateTime":"2026-06-01T00:00:00Z","key":"MIIC8DCCAdigAwIBAgIQ"}]}]}
        """;
    Run r = run("entra-id/applications.json", app);
    String json = r.accepted().get(0).json();
    assertThat(json).doesNotContain("not-a-real-secret").doesNotContain("MIIC8DCCAdigAwIBAgIQ");
    JsonNode a = r.json(0);
    assertThat(a.at("/passwordCredentials/0/secretText").asText())
        .isEqualTo(SecretRedactor.REDACTED);
    assertThat(a.at("/passwordCredentials/0/hint").asText()).isEqualTo("Abc");
    assertThat(a.at("/passwordCredentials/0/keyId").asText()).isEqualTo("k-1");
    assertThat(a.at("/passwordCredentials/0/endDateTime").asText())
        .isEqualTo("2027-01-01T00:00:00Z");
    assertThat(a.at("/keyCredentials/0/key").asText()).isEqualTo(SecretRedactor.REDACTED);
    assertThat(a.at("/keyCredentials/0/keyId").asText()).isEqualTo("k-2");
  }

  @Test
  void pagesConcatenatedOnePerLineAreAllRead() {
    String pages =
        "{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#users\",\"value\":["
            + "{\"id\":\"u1\",\"userPrincipalName\":\"a@contoso.com\"}],"
            + "\"@odata.nextLink\":\"https://graph.microsoft.com/v1.0/users?$skiptoken=x\"}\n"
            + "{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#users\",\"value\":["
            + "{\"id\":\"u2\",\"userPrincipalName\":\"b@contoso.com\"},"
            + "{\"id\":\"u3\",\"displayName\":\"only a name\"}]}\n";
    Run r = run("entra-id/users.ndjson", pages);
    assertThat(r.quarantined()).isEmpty();
    // u3 has no field only a user has: its page's @odata.context says what it is
    assertThat(r.accepted()).extracting(ExtractedRecord::recordType).containsOnly("entra_user");
    assertThat(r.accepted()).hasSize(3);
  }

  @Test
  void recordsOnePerLineAreToldApartByTheirFields() {
    String ndjson =
        "{\"id\":\"s1\",\"createdDateTime\":\"2026-11-01T10:00:00Z\",\"appId\":\"app\","
            + "\"servicePrincipalId\":\"sp1\",\"isInteractive\":false,\"resourceId\":\"graph\"}\n"
            + "{\"id\":\"g1\",\"clientId\":\"sp1\",\"consentType\":\"AllPrincipals\","
            + "\"resourceId\":\"graph\",\"scope\":\"User.Read Mail.Send\"}\n"
            + "{\"id\":\"x\",\"something\":\"else\"}\n";
    Run r = run("entra-id/siem-export.ndjson", ndjson);
    assertThat(r.accepted())
        .extracting(ExtractedRecord::recordType)
        .containsExactly("entra_sign_in", "entra_oauth2_permission_grant");
    assertThat(r.quarantined())
        .singleElement()
        .satisfies(
            q -> {
              assertThat(q.quarantineReason()).isEqualTo(QuarantineReason.UNKNOWN_RECORD_TYPE);
              assertThat(q.position()).isEqualTo(2);
            });
  }

  @Test
  void diagnosticSettingsRecordsInStorageAndEventHubFormsBecomeGraphShapedRecords() {
    String storage =
        """
        {"records":[
         {"time":"2026-11-01T10:00:00.1234567Z","resourceId":"/tenants/t/providers/Microsoft.aadiam",
          "operationName":"Sign-in activity","category":"ServicePrincipalSignInLogs",
          "properties":{"id":"sp-signin-1","appId":"agent-app","servicePrincipalId":"sp1",
            "servicePrincipalName":"billing-agent","resourceId":"graph-sp",
            "resourceDisplayName":"Microsoft Graph","ipAddress":"10.0.0.1",
            "status":{"errorCode":0}}},
         {"time":"2026-11-01T11:00:00Z","operationName":"Add owner to service principal",
          "category":"AuditLogs","properties":{"id":"audit-1",
            "activityDisplayName":"Add owner to service principal",
            "activityDateTime":"2026-11-01T11:00:00Z","category":"ApplicationManagement"}}]}
        """;
    Run r = run("entra-id/diagnostics/PT1H.json", storage);
    assertThat(r.quarantined()).isEmpty();
    assertThat(r.accepted())
        .extracting(ExtractedRecord::recordType)
        .containsExactly("entra_sign_in", "entra_directory_audit");
    JsonNode signIn = r.json(0);
    assertThat(signIn.get("category").asText()).isEqualTo("ServicePrincipalSignInLogs");
    assertThat(signIn.get("createdDateTime").asText()).isEqualTo("2026-11-01T10:00:00.1234567Z");
    assertThat(signIn.get("servicePrincipalId").asText()).isEqualTo("sp1");
    assertThat(signIn.has("properties")).isFalse();
    // Event Hubs deliver the same wrapper, one message per line
    String eventHub =
        "{\"records\":[{\"time\":\"2026-11-02T09:00:00Z\",\"category\":\"ManagedIdentitySignInLogs\","
            + "\"operationName\":\"Sign-in activity\",\"properties\":{\"id\":\"mi-1\","
            + "\"servicePrincipalId\":\"mi-sp\",\"resourceId\":\"kv\"}}]}\n"
            + "{\"records\":[{\"time\":\"2026-11-02T09:05:00Z\",\"category\":\"SignInLogs\","
            + "\"operationName\":\"Sign-in activity\",\"properties\":{\"id\":\"u-1\","
            + "\"createdDateTime\":\"2026-11-02T09:04:59Z\",\"userId\":\"u1\"}}]}\n";
    Run hub = run("entra-id/eventhub/0.json", eventHub);
    assertThat(hub.quarantined()).isEmpty();
    assertThat(hub.accepted())
        .extracting(ExtractedRecord::dedupeKey)
        .containsExactly("mi-1", "u-1");
    assertThat(hub.json(0).get("createdDateTime").asText()).isEqualTo("2026-11-02T09:00:00Z");
    assertThat(hub.json(1).get("createdDateTime").asText()).isEqualTo("2026-11-02T09:04:59Z");
  }

  @Test
  void ownerListsAreNamedByTheirPathOrQuarantinedWithTheFix() {
    String owners =
        "{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#directoryObjects\","
            + "\"value\":[{\"@odata.type\":\"#microsoft.graph.user\",\"id\":\"u-owner\","
            + "\"userPrincipalName\":\"Owner@Contoso.com\"}]}";
    Run named = run("exports/entra-id/servicePrincipals/" + OWNER_GUID + "/owners.json", owners);
    assertThat(named.quarantined()).isEmpty();
    JsonNode owner = named.json(0);
    assertThat(named.accepted().get(0).recordType()).isEqualTo("entra_related_object");
    assertThat(owner.get("parentId").asText()).isEqualTo(OWNER_GUID);
    assertThat(owner.get("parentCollection").asText()).isEqualTo("servicePrincipals");
    assertThat(owner.get("relation").asText()).isEqualTo("owners");
    assertThat(owner.get("odataType").asText()).isEqualTo("microsoft.graph.user");

    Run unnamed = run("exports/entra-id/owners.json", owners);
    assertThat(unnamed.accepted()).isEmpty();
    assertThat(unnamed.quarantined())
        .singleElement()
        .satisfies(
            q -> {
              assertThat(q.quarantineReason()).isEqualTo(QuarantineReason.MISSING_REQUIRED_FIELD);
              assertThat(q.quarantineDetail()).contains("servicePrincipals/<id>/owners.json");
            });
  }

  @Test
  void everySampleParsesIntoItsBronzeTable(SparkSession spark) {
    Extracted x = new Extracted(spark);
    try (var files = Files.walk(SAMPLES)) {
      files
          .filter(p -> p.toString().endsWith(".json"))
          .sorted()
          .forEach(p -> x.resource(EntraId.NAME, RESOURCES + SAMPLES.relativize(p)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Row signIn = x.bronze("entra_sign_in").select(col("status.errorCode"), col("userId")).first();
    assertThat(signIn.getLong(0)).isEqualTo(50126L);
    assertThat(x.bronze("entra_user").count()).isEqualTo(5);
    assertThat(
            x.bronze("entra_service_principal")
                .filter(col("servicePrincipalType").equalTo("ServiceIdentity"))
                .count())
        .isEqualTo(2);
    assertThat(x.bronze("entra_oauth2_permission_grant").select("scope").first().getString(0))
        .isEqualTo("User.Read Group.ReadWrite.All");
    assertThat(
            x.bronze("entra_application")
                .filter(col("odataType").equalTo("microsoft.graph.agentIdentityBlueprint"))
                .count())
        .isEqualTo(1);
  }
}
