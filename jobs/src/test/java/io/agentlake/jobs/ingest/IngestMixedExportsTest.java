package io.agentlake.jobs.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentlake.jobs.RunReport;
import io.agentlake.jobs.lake.Lake;
import io.agentlake.schemas.TableContract;
import io.agentlake.schemas.Tables;
import io.agentlake.testing.SharedSpark;
import io.agentlake.transforms.LakeTables;
import io.agentlake.transforms.ingest.EventVariants;
import io.agentlake.transforms.sources.Sources;
import io.agentlake.transforms.sources.cloudtrail.CloudTrail;
import io.agentlake.transforms.sources.oktasystemlog.OktaSystemLog;
import io.agentlake.transforms.sources.reviews.ReviewDecisions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One exports folder mixing what real deliveries mix: good files, a truncated gzip, invalid JSON,
 * the same events delivered twice (a copied file, an event repeated across files, a late file), a
 * custom layout mapped by a glob, a stray file, and secrets planted in every source. Ingest must
 * account for every record, keep each event once and let no secret into any table.
 */
@ExtendWith(SharedSpark.class)
@TestMethodOrder(MethodOrderer.MethodName.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IngestMixedExportsTest {

  private static final LocalDate DATE = LocalDate.of(2026, 11, 1);
  private static final String DAY =
      "aws-cloudtrail/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/01/";
  private static final Map<String, String> GLOBS = Map.of("legacy/*.ndjson", CloudTrail.NAME);

  private static final String AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYPLANTED0001";
  private static final String SESSION_TOKEN = "FwoGZXIvYXdzEPLANTEDSESSIONTOKENxyz";
  private static final String SECRET_STRING = "PLANTED-secret-string-value";
  private static final String SSM_VALUE = "PLANTED-correct-horse-battery";
  private static final String PASSWORD = "PLANTED-hunter2";
  private static final String JWT =
      "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJQTEFOVEVEIn0.c2lnUExBTlRFRGp3dA";
  private static final String OPENAI_KEY = "sk-admin-PLANTEDplantedPLANTED1234567";
  private static final String PRIVATE_KEY_BODY = "MIIEPLANTEDprivateKEYbody";
  private static final String PROJECT_KEY = "sk-proj-PLANTEDprojectKEY0123456789";
  private static final String RECOVERY_ANSWER = "PLANTED-first-pet-name";
  private static final String ENTRA_CLIENT_SECRET = "Xy8Q~PLANTEDentraClientSecretValue0001";
  private static final String ENTRA_CERT_KEY = "MIIDPLANTEDcertificateKeyMaterial";
  private static final List<String> SECRETS =
      List.of(
          AWS_SECRET,
          SESSION_TOKEN,
          SECRET_STRING,
          SSM_VALUE,
          PASSWORD,
          JWT,
          OPENAI_KEY,
          PRIVATE_KEY_BODY,
          PROJECT_KEY,
          RECOVERY_ANSWER,
          ENTRA_CLIENT_SECRET,
          ENTRA_CERT_KEY);

  private Path dir;
  private Lake lake;
  private IngestJob.Result first;
  private RunReport firstReport;

  private static String event(String id, String name, String extra) {
    return "{\"eventVersion\":\"1.08\",\"eventID\":\""
        + id
        + "\",\"eventTime\":\"2026-11-01T10:00:00Z\",\"eventSource\":\"sts.amazonaws.com\","
        + "\"eventName\":\""
        + name
        + "\",\"recipientAccountId\":\"111122223333\",\"userIdentity\":{\"type\":\"IAMUser\","
        + "\"arn\":\"arn:aws:iam::111122223333:user/bot\",\"accessKeyId\":\"AKIAEXAMPLE0000001\"}"
        + (extra.isEmpty() ? "" : "," + extra)
        + "}";
  }

  private static final String E1 =
      event(
          "e1",
          "AssumeRole",
          "\"responseElements\":{\"credentials\":{\"accessKeyId\":\"ASIAEXAMPLE0000001\","
              + "\"secretAccessKey\":\""
              + AWS_SECRET
              + "\",\"sessionToken\":\""
              + SESSION_TOKEN
              + "\",\"expiration\":\"Nov 1, 2026 11:00:00 AM\"}}");
  private static final String E2 =
      event(
          "e2",
          "GetSecretValue",
          "\"responseElements\":{\"secretString\":\"" + SECRET_STRING + "\"}");
  private static final String E3 =
      event(
          "e3",
          "GetParameter",
          "\"requestParameters\":{\"name\":\"/db/pw\",\"withDecryption\":true},"
              + "\"responseElements\":{\"parameter\":{\"name\":\"/db/pw\",\"value\":\""
              + SSM_VALUE
              + "\"}}");
  private static final String E4 =
      event(
          "e4",
          "CreateLoginProfile",
          "\"requestParameters\":{\"userName\":\"bob\",\"password\":\"" + PASSWORD + "\"}");
  private static final String E5 = event("e5", "GetCallerIdentity", "");
  private static final String E6 = event("e6", "GetCallerIdentity", "");
  private static final String E7 = event("e7", "GetCallerIdentity", "");
  private static final String E8 = event("e8", "GetCallerIdentity", "");
  private static final String E9 =
      event("e9", "GetCallerIdentity", "").replace("2026-11-01", "2026-10-30");

  /** As Logstash re-exports an event: the time renamed to {@code @timestamp}, {@code @version}. */
  private static String logstash(String event) {
    return event
        .replace(
            "\"eventTime\":\"2026-11-01T10:00:00Z\"", "\"@timestamp\":\"2026-11-01T10:00:00.000Z\"")
        .replace("{\"eventVersion\"", "{\"@version\":\"1\",\"eventVersion\"");
  }

  /**
   * An Athena query over the trail: zone-less times, and one row whose eventID was not selected.
   */
  private static final String ATHENA_RESULTS =
      "["
          + event("e11", "ListBuckets", "")
              .replace("2026-11-01T10:00:00Z", "2026-11-01 10:05:00.123456789")
          + ","
          + event("e12", "ListBuckets", "")
              .replace("2026-11-01T10:00:00Z", "2026-11-01 10:06:00")
              .replace("\"eventID\":\"e12\",", "")
          + "]";

  private static String records(String... events) {
    return "{\"Records\":[" + String.join(",", events) + "]}";
  }

  private static byte[] gzip(String text) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
      gz.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return bytes.toByteArray();
  }

  private void write(String relative, byte[] content) throws IOException {
    Path p = dir.resolve("exports").resolve(relative);
    Files.createDirectories(p.getParent());
    Files.write(p, content);
  }

  private void write(String relative, String content) throws IOException {
    write(relative, content.getBytes(StandardCharsets.UTF_8));
  }

  private IngestJob.Result ingest(String runId, RunReport report) {
    return IngestJob.run(
        lake,
        dir.resolve("exports").toUri().toString(),
        Sources.ALL,
        GLOBS,
        DATE,
        runId,
        Timestamp.from(Instant.now()),
        report);
  }

  @BeforeAll
  void ingestTheMixedFolder(SparkSession spark) throws Exception {
    dir = Files.createTempDirectory("agentlake-mixed");
    lake = new Lake(spark, dir.resolve("lake").toUri().toString());
    byte[] good = gzip(records(E1, E2, E3, E4, E5));
    write(DAY + "111122223333_CloudTrail_us-east-1_20261101T1000Z_a.json.gz", good);
    write(DAY + "111122223333_CloudTrail_us-east-1_20261101T1000Z_a-copy.json.gz", good);
    write(DAY + "b.json", records(E5, E6));
    byte[] truncated = gzip(records(E6, E7, E8));
    write(DAY + "corrupt.json.gz", Arrays.copyOf(truncated, truncated.length / 2));
    write(
        DAY + "broken.json",
        "{\"Records\":["
            + E7
            + ",{\"eventID\":\"e-bad\",\"sessionToken\":\""
            + SESSION_TOKEN
            + "\" oops");
    write(
        "aws-cloudtrail/AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/01/digest.json.gz",
        gzip("{\"digestPublicKeyFingerprint\":\"x\"}"));
    write("legacy/trail.ndjson", E8 + "\n" + E1 + "\n");
    // SIEM and query-engine exports of the same trail: e10 new, e5 already delivered above
    write(
        "aws-cloudtrail/siem/logstash-export.ndjson",
        logstash(event("e10", "ListBuckets", "")) + "\n" + logstash(E5) + "\n");
    write("aws-cloudtrail/siem/athena-results.json", ATHENA_RESULTS);
    write("stray/notes.txt", "nothing to see");
    write(
        "okta-system-log/log.ndjson",
        "{\"uuid\":\"u1\",\"published\":\"2026-11-01T09:00:00.000Z\",\"eventType\":\"user.session.start\","
            + "\"debugContext\":{\"debugData\":{\"authorization\":\"Bearer "
            + JWT
            + "\",\"note\":\"token was "
            + JWT
            + "\"}}}\n"
            + "{\"uuid\":\"u2\",\"published\":\"2026-11-01T09:00:00.000Z\",\"password\":\""
            + PASSWORD
            + "\", broken\n");
    write(
        "openai-admin/admin_api_keys.json",
        "{\"object\":\"list\",\"data\":[{\"object\":\"organization.admin_api_key\",\"id\":\"key_abc\","
            + "\"name\":\"ci\",\"redacted_value\":\"sk-adm...1234\",\"value\":\""
            + OPENAI_KEY
            + "\",\"created_at\":1761955200}]}");
    write(
        "review-decisions/decisions.csv",
        "item_id,agent_id,decision,expires_on,reviewer,justification,decided_at\n"
            + "rq-1,,ACCEPT_RISK,2027-01-31,carol@example.com,\"key was -----BEGIN RSA PRIVATE KEY-----\n"
            + PRIVATE_KEY_BODY
            + "\n-----END RSA PRIVATE KEY-----\",2026-11-01T08:00:00Z\n"
            + ",bedrock:A1,REVOKE,,dave@example.com,owner left,2026-11-01T08:30:00Z\n"
            + "rq-3,,PERHAPS,,erin@example.com,,2026-11-01T08:45:00Z\n");

    write(
        "aws-iam/111122223333/authorization-details.json",
        "{\"RoleDetailList\":[{\"RoleName\":\"bot\",\"Arn\":\"arn:aws:iam::111122223333:role/bot\","
            + "\"Description\":\"calls the API with Bearer "
            + JWT
            + "\",\"AssumeRolePolicyDocument\":{\"Version\":\"2012-10-17\",\"Statement\":[]}}]}");
    write(
        "bedrock-agents/get-agent.json",
        "{\"agent\":{\"agentId\":\"A1\",\"agentName\":\"helper\",\"agentStatus\":\"PREPARED\","
            + "\"instruction\":\"use key "
            + PROJECT_KEY
            + " for the API\",\"updatedAt\":\"2026-11-01T00:00:00Z\"}}");
    write(
        "okta-users/users.json",
        "[{\"id\":\"00u1\",\"status\":\"ACTIVE\",\"statusChanged\":\"2026-01-01T00:00:00.000Z\","
            + "\"credentials\":{\"password\":{\"value\":\""
            + PASSWORD
            + "\"},\"recovery_question\":{\"question\":\"pet?\",\"answer\":\""
            + RECOVERY_ANSWER
            + "\"}},\"profile\":{\"login\":\"a@example.com\"}}]");
    write(
        "agent-manifest/agents.csv",
        "agent_id,name,platform,owner,backup_owners,purpose,credentials,project,end_date\n"
            + "m1,helper,custom,a@example.com,,tests,"
            + PROJECT_KEY
            + ";key_abc,,\n");

    write(
        "entra-id/applications.json",
        "{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#applications\","
            + "\"value\":[{\"id\":\"app-1\",\"appId\":\"11111111-2222-3333-4444-555555555555\","
            + "\"passwordCredentials\":[{\"keyId\":\"k1\",\"hint\":\"Xy8\",\"secretText\":\""
            + ENTRA_CLIENT_SECRET
            + "\"}],\"keyCredentials\":[{\"keyId\":\"k2\",\"key\":\""
            + ENTRA_CERT_KEY
            + "\"}]}]}");
    write(
        "entra-id/servicePrincipals/59e617e5-e447-4adc-8b88-00af644d7c92/owners.json",
        "{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#directoryObjects\","
            + "\"value\":[{\"@odata.type\":\"#microsoft.graph.user\",\"id\":\"u-1\","
            + "\"userPrincipalName\":\"a@example.com\"}]}");
    write(
        "entra-id/owners-of-something.json",
        "{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#directoryObjects\","
            + "\"value\":[{\"@odata.type\":\"#microsoft.graph.user\",\"id\":\"u-2\"}]}");
    write(
        "entra-id/diagnostics/PT1H.json",
        "{\"records\":[{\"time\":\"2026-11-01T10:00:00Z\",\"category\":\"ServicePrincipalSignInLogs\","
            + "\"operationName\":\"Sign-in activity\",\"properties\":{\"id\":\"si-1\","
            + "\"servicePrincipalId\":\"sp-1\",\"resourceId\":\"graph\"}}]}");

    firstReport = new RunReport("run-1", "ingest", DATE);
    first = ingest("run-1", firstReport);
  }

  private TableContract bronze(String recordType) {
    return Tables.bronzeOf(Sources.recordType(recordType).orElseThrow());
  }

  private List<String> quarantineReasons(String sourceType) {
    return lake.read(Tables.QUARANTINE)
        .filter(col("source_type").equalTo(sourceType))
        .orderBy("source_file", "record_position")
        .select("reason")
        .as(org.apache.spark.sql.Encoders.STRING())
        .collectAsList();
  }

  @Test
  void everyEventIsKeptOnceAndEveryReDeliveryIsAccountedFor() {
    List<String> ids =
        lake.read(bronze("cloudtrail_event"))
            .select("eventID")
            .as(org.apache.spark.sql.Encoders.STRING())
            .collectAsList();
    assertThat(ids)
        .filteredOn(id -> !id.startsWith(EventVariants.DERIVED_ID_PREFIX))
        .containsExactlyInAnyOrder("e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8", "e10", "e11");
    assertThat(ids).filteredOn(id -> id.startsWith(EventVariants.DERIVED_ID_PREFIX)).hasSize(1);
    // 5 in the copied file, e5 again in b.json and in the Logstash export, e1 again in the legacy
    // export
    assertThat(first.bySource().get(CloudTrail.NAME).redelivered()).isEqualTo(8);
    assertThat(quarantineReasons(CloudTrail.NAME))
        .filteredOn("DUPLICATE_DELIVERY"::equals)
        .hasSize(8);
  }

  @Test
  void badFilesAndRecordsLandInQuarantineWithTheirReasons() {
    List<String> reasons = quarantineReasons(CloudTrail.NAME);
    assertThat(reasons).contains("UNREADABLE_FILE", "MALFORMED_JSON");
    assertThat(quarantineReasons(OktaSystemLog.NAME)).containsExactly("MALFORMED_JSON");
    assertThat(quarantineReasons(ReviewDecisions.NAME)).containsExactly("INVALID_VALUE");
    assertThat(lake.read(bronze("review_decision")).count()).isEqualTo(2);
    assertThat(
            lake.read(Tables.INGESTED_FILES)
                .filter(col("source_file").endsWith("digest.json.gz"))
                .select("file_error")
                .first()
                .getString(0))
        .isEqualTo("SKIPPED");
  }

  /** A new source is one package and one registration line: ingest reads it like any other. */
  @Test
  void entraExportsLandInTheirBronzeTablesOrInQuarantineWithTheFix() {
    assertThat(lake.read(bronze("entra_application")).count()).isEqualTo(1);
    assertThat(lake.read(bronze("entra_sign_in")).select("servicePrincipalId").first().getString(0))
        .isEqualTo("sp-1");
    Row owner = lake.read(bronze("entra_related_object")).first();
    assertThat(owner.<String>getAs("parentId")).isEqualTo("59e617e5-e447-4adc-8b88-00af644d7c92");
    assertThat(owner.<String>getAs("relation")).isEqualTo("owners");
    assertThat(quarantineReasons("entra-id")).containsExactly("MISSING_REQUIRED_FIELD");
    assertThat(first.bySource().get("entra-id").recordsRead()).isEqualTo(4);
  }

  /**
   * Logstash's {@code @timestamp}, Athena's zone-less times and a row with no eventID are accepted
   * by the documented rules, and the run report counts each rule per file and per source.
   */
  @Test
  void siemAndQueryEngineExportsAreAcceptedAndEveryRuleIsCounted() {
    Dataset<Row> events = lake.read(bronze("cloudtrail_event"));
    assertThat(
            events
                .filter(col("eventID").isin("e10", "e11"))
                .orderBy("eventID")
                .select(col("_event_time").cast("string"))
                .as(org.apache.spark.sql.Encoders.STRING())
                .collectAsList())
        .containsExactly("2026-11-01 10:00:00", "2026-11-01 10:05:00.123456");
    assertThat(
            events
                .filter(col("eventID").startsWith(EventVariants.DERIVED_ID_PREFIX))
                .select(col("_event_time").cast("string"))
                .as(org.apache.spark.sql.Encoders.STRING())
                .collectAsList())
        .containsExactly("2026-11-01 10:06:00");
    JsonNode cloudTrail = firstReport.root().at("/sources/" + CloudTrail.NAME + "/normalised");
    assertThat(cloudTrail.path(EventVariants.TIME_ALIAS).asLong()).isEqualTo(2);
    assertThat(cloudTrail.path(EventVariants.ZONE_LESS).asLong()).isEqualTo(2);
    assertThat(cloudTrail.path(EventVariants.DERIVED_ID).asLong()).isEqualTo(1);
    JsonNode files = firstReport.root().path("normalised_files");
    assertThat(files.size()).as(files.toString()).isEqualTo(2);
    files
        .fields()
        .forEachRemaining(
            f -> {
              if (f.getKey().endsWith("logstash-export.ndjson")) {
                assertThat(f.getValue().toString()).isEqualTo("{\"@timestamp\":2}");
              } else {
                assertThat(f.getKey()).endsWith("athena-results.json");
                assertThat(f.getValue().path(EventVariants.ZONE_LESS).asLong()).isEqualTo(2);
                assertThat(f.getValue().path(EventVariants.DERIVED_ID).asLong()).isEqualTo(1);
              }
            });
    assertThat(firstReport.root().at("/sources/" + OktaSystemLog.NAME + "/normalised").isEmpty())
        .as("a source with nothing mended reports an empty map")
        .isTrue();
  }

  @Test
  void recordsReadEqualAcceptedPlusQuarantinedPerFileAndPerSource() {
    for (Row f : lake.read(Tables.INGESTED_FILES).collectAsList()) {
      long read = f.getAs("records_read");
      long accepted = f.getAs("records_accepted");
      long quarantined = f.getAs("records_quarantined");
      String file = f.getAs("source_file");
      assertThat(read).as(file).isEqualTo(accepted + quarantined);
      long inBronze = 0;
      for (var type : Sources.recordTypesOf(f.<String>getAs("source_type"))) {
        inBronze +=
            lake.read(Tables.bronzeOf(type)).filter(col("_source_file").equalTo(file)).count();
      }
      assertThat(inBronze).as(file + " in bronze").isEqualTo(accepted);
      assertThat(
              lake.read(Tables.QUARANTINE)
                  .filter(col("source_file").equalTo(file).and(col("record_position").geq(0)))
                  .count())
          .as(file + " in quarantine")
          .isEqualTo(quarantined);
    }
    first
        .bySource()
        .values()
        .forEach(
            c ->
                assertThat(c.recordsRead())
                    .as(c.sourceType())
                    .isEqualTo(c.accepted() + c.quarantined()));
  }

  @Test
  void reDeliveriesDoNotCountAgainstTheQualityGate() {
    IngestJob.SourceCounts ct = first.bySource().get(CloudTrail.NAME);
    assertThat(ct.quarantined()).isGreaterThan(ct.redelivered());
    long bad = first.quarantinedEntries();
    long allQuarantined =
        first.bySource().values().stream().mapToLong(c -> c.quarantined() + c.filesFailed()).sum();
    // the eight re-deliveries of everyEventIsKeptOnceAndEveryReDeliveryIsAccountedFor
    assertThat(bad).isEqualTo(allQuarantined - 8);
  }

  @Test
  void noPlantedSecretReachesAnyTable() {
    for (TableContract t : LakeTables.all()) {
      if (!lake.exists(t)) {
        continue;
      }
      List<String> rows =
          lake.read(t)
              .select(to_json(struct(col("*"))))
              .as(org.apache.spark.sql.Encoders.STRING())
              .collectAsList();
      for (String row : rows) {
        for (String secret : SECRETS) {
          assertThat(row).as(t.name()).doesNotContain(secret);
        }
      }
    }
    // the identifiers survive
    assertThat(
            lake.read(bronze("cloudtrail_event"))
                .filter(col("_raw").contains("ASIAEXAMPLE0000001"))
                .count())
        .isEqualTo(1);
    assertThat(lake.read(bronze("openai_api_key")).first().<String>getAs("redacted_value"))
        .isEqualTo("sk-adm...1234");
  }

  @Test
  void aGlobMapsACustomLayoutAndUnclaimedFilesAreReported() {
    assertThat(
            lake.read(bronze("cloudtrail_event"))
                .filter(col("_source_file").endsWith("legacy/trail.ndjson"))
                .select("eventID")
                .first()
                .getString(0))
        .isEqualTo("e8");
    assertThat(firstReport.root().at("/unassigned_files/count").asInt()).isEqualTo(1);
    assertThat(firstReport.root().at("/unassigned_files/first/0").asText())
        .endsWith("stray/notes.txt");
  }

  @Test
  void zLateFilesArePickedUpAndARerunDuplicatesNothing() throws Exception {
    long bronzeBefore = lake.read(bronze("cloudtrail_event")).count();
    long quarantineBefore = lake.read(Tables.QUARANTINE).count();

    IngestJob.Result again = ingest("run-2", new RunReport("run-2", "ingest", DATE));
    assertThat(again.newFiles()).isZero();
    assertThat(lake.read(bronze("cloudtrail_event")).count()).isEqualTo(bronzeBefore);
    assertThat(lake.read(Tables.QUARANTINE).count()).isEqualTo(quarantineBefore);

    // a file for an earlier day arrives late, carrying one new event and one already kept
    write(
        "aws-cloudtrail/AWSLogs/111122223333/CloudTrail/us-east-1/2026/10/30/late.json",
        records(E9, E2));
    IngestJob.Result late = ingest("run-3", new RunReport("run-3", "ingest", DATE));
    assertThat(late.newFiles()).isEqualTo(1);
    assertThat(late.bySource().get(CloudTrail.NAME).accepted()).isEqualTo(1);
    assertThat(late.bySource().get(CloudTrail.NAME).redelivered()).isEqualTo(1);
    assertThat(lake.read(bronze("cloudtrail_event")).count()).isEqualTo(bronzeBefore + 1);

    // the same query results saved again under another name: the row without an eventID derives
    // the same id, so both rows are re-deliveries, not new events
    write("aws-cloudtrail/siem/athena-results-rerun.json", ATHENA_RESULTS);
    IngestJob.Result rerun = ingest("run-4", new RunReport("run-4", "ingest", DATE));
    assertThat(rerun.bySource().get(CloudTrail.NAME).accepted()).isZero();
    assertThat(rerun.bySource().get(CloudTrail.NAME).redelivered()).isEqualTo(2);
    assertThat(lake.read(bronze("cloudtrail_event")).count()).isEqualTo(bronzeBefore + 1);
  }
}
