package io.agentlake.transforms.ingest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentlake.transforms.sources.Sources;
import io.agentlake.transforms.sources.bedrock.BedrockAgents;
import io.agentlake.transforms.sources.cloudtrail.CloudTrail;
import io.agentlake.transforms.sources.iam.AwsIam;
import io.agentlake.transforms.sources.manifest.AgentManifest;
import io.agentlake.transforms.sources.oktasystemlog.OktaSystemLog;
import io.agentlake.transforms.sources.oktausers.OktaUsers;
import io.agentlake.transforms.sources.openai.OpenAiAdmin;
import io.agentlake.transforms.sources.reviews.ReviewDecisions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

class RecordExtractorTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path SAMPLES = Path.of("src/test/resources/samples");

  /** One extraction, with the reconciliation invariant checked on every run. */
  record Run(FileOutcome outcome, List<ExtractedRecord> records) {
    Run {
      long accepted = records.stream().filter(r -> !r.quarantined()).count();
      long quarantined = records.stream().filter(ExtractedRecord::quarantined).count();
      assertThat(outcome.recordsRead())
          .as("recordsRead == accepted + quarantined")
          .isEqualTo(accepted + quarantined)
          .isEqualTo(records.size());
    }

    List<ExtractedRecord> accepted() {
      return records.stream().filter(r -> !r.quarantined()).toList();
    }

    List<ExtractedRecord> quarantined() {
      return records.stream().filter(ExtractedRecord::quarantined).toList();
    }

    List<JsonNode> acceptedJson() {
      return accepted().stream().map(r -> tree(r.json())).toList();
    }

    Map<String, Long> typeCounts() {
      return accepted().stream()
          .collect(Collectors.groupingBy(ExtractedRecord::recordType, Collectors.counting()));
    }
  }

  private static Run run(String source, String path, InputStream in) {
    List<ExtractedRecord> records = new ArrayList<>();
    FileOutcome outcome = RecordExtractor.extract(Sources.of(source), path, in, records::add);
    return new Run(outcome, records);
  }

  private static Run run(String source, String path, String content) {
    return run(source, path, new ByteArrayInputStream(content.getBytes(UTF_8)));
  }

  private static Run runSample(String source, String exportPath, String sample) {
    return run(source, exportPath, new ByteArrayInputStream(sample(sample)));
  }

  private static byte[] sample(String name) {
    try {
      return Files.readAllBytes(SAMPLES.resolve(name));
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

  private static String event(String id, String time) {
    return "{\"eventID\":\""
        + id
        + "\",\"eventTime\":\""
        + time
        + "\",\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"GetObject\"}";
  }

  // ---------------------------------------------------------------- CloudTrail

  @Test
  void stratusRedTeamArraysYieldEveryEvent() throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(SAMPLES.resolve("aws-cloudtrail/stratus-red-team"))) {
      files = list.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    assertThat(files).hasSize(35);
    long events = 0;
    for (Path file : files) {
      Run r =
          run(CloudTrail.NAME, file.toString(), new ByteArrayInputStream(Files.readAllBytes(file)));
      assertThat(r.outcome().failed()).as(file.toString()).isFalse();
      assertThat(r.quarantined()).as(file.toString()).isEmpty();
      assertThat(r.accepted())
          .allSatisfy(a -> assertThat(a.recordType()).isEqualTo("cloudtrail_event"));
      assertThat(r.accepted().stream().map(ExtractedRecord::position).toList())
          .isEqualTo(java.util.stream.LongStream.range(0, r.records().size()).boxed().toList());
      events += r.records().size();
    }
    assertThat(events).isEqualTo(310);
  }

  @Test
  void federationTokenSampleLosesTheSessionTokenAndKeepsTheAsiaKeyId() {
    Run r =
        runSample(
            CloudTrail.NAME,
            "exports/aws-cloudtrail/x.json",
            "aws-cloudtrail/stratus-red-team/aws.persistence.sts-federation-token.json");
    JsonNode creds = r.acceptedJson().get(0).at("/responseElements/credentials");
    assertThat(creds.get("accessKeyId").asText()).isEqualTo("ASIASTJKC5GCM7ZE6LUP");
    assertThat(creds.get("sessionToken").asText()).isEqualTo(SecretRedactor.REDACTED);
    assertThat(r.records()).allSatisfy(x -> assertThat(x.json()).doesNotContain("IQoJb3JpZ2lu"));
  }

  @Test
  void deliveredRecordsFilePlainAndGzippedGiveTheSameEvents() throws IOException {
    String dir = "aws-cloudtrail/aws-cloudtrail-processing-library/";
    Run plain = runSample(CloudTrail.NAME, "a.json", dir + "SerializerTestFile.json");
    byte[] gz = sample(dir + "SerializerTestFileCompact.json.gz");
    Run gzipped =
        run(CloudTrail.NAME, "a.json.gz", new GZIPInputStream(new ByteArrayInputStream(gz)));
    // The library's placeholder records carry no eventID but are otherwise complete: all six are
    // read and kept under a derived id (EventVariants), the same from both encodings.
    assertThat(plain.records()).hasSize(6);
    assertThat(plain.records())
        .allSatisfy(
            r -> {
              assertThat(r.quarantined()).isFalse();
              assertThat(tree(r.json()).get("eventID").asText())
                  .startsWith(EventVariants.DERIVED_ID_PREFIX);
            });
    assertThat(plain.outcome().normalised()).isEqualTo(Map.of(EventVariants.DERIVED_ID, 6L));
    assertThat(gzipped.records())
        .extracting(ExtractedRecord::json)
        .isEqualTo(plain.records().stream().map(ExtractedRecord::json).toList());
    assertThat(tree(plain.records().get(0).json()).get("eventName").asText())
        .isEqualTo("eventName1");
  }

  @Test
  void truncatedGzipKeepsTheRecordsBeforeTheBreakAndReportsUnreadableFile() throws IOException {
    StringBuilder many = new StringBuilder("{\"Records\":[");
    for (int i = 0; i < 5000; i++) {
      many.append(i == 0 ? "" : ",").append(event("e" + i, "2024-01-01T00:00:00Z"));
    }
    many.append("]}");
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(bytes)) {
      gz.write(many.toString().getBytes(UTF_8));
    }
    byte[] whole = bytes.toByteArray();
    byte[] cut = Arrays.copyOf(whole, whole.length / 2);
    Run r = run(CloudTrail.NAME, "t.json.gz", new GZIPInputStream(new ByteArrayInputStream(cut)));
    assertThat(r.outcome().fileError()).isEqualTo(QuarantineReason.UNREADABLE_FILE);
    assertThat(r.outcome().fileErrorDetail()).contains("records before the failure were kept");
    assertThat(r.accepted().size()).isBetween(1, 4999);
  }

  @Test
  void streamFailingMidwayKeepsEarlierRecords() {
    byte[] content =
        ("[" + event("a", "2024-01-01T00:00:00Z") + "," + event("b", "2024-01-01T00:00:00Z") + ",")
            .getBytes(UTF_8);
    InputStream failing =
        new java.io.SequenceInputStream(
            new ByteArrayInputStream(content),
            new InputStream() {
              @Override
              public int read() throws IOException {
                throw new IOException("connection reset");
              }
            });
    Run r = run(CloudTrail.NAME, "x.json", failing);
    assertThat(r.accepted()).extracting(ExtractedRecord::position).containsExactly(0L, 1L);
    assertThat(r.outcome().fileError()).isEqualTo(QuarantineReason.UNREADABLE_FILE);
    assertThat(r.outcome().fileErrorDetail()).contains("connection reset");
  }

  @Test
  void ndjsonQuarantinesOnlyTheBadLine() {
    String ndjson =
        event("a", "2024-01-01T00:00:00Z")
            + "\n"
            + "{\"eventID\":\"b\", \"sessionToken\":\"IQoJsecret\", broken}\n"
            + "\n"
            + event("c", "2024-01-01T00:00:01.123+02:00")
            + "\r\n";
    Run r = run(CloudTrail.NAME, "x.ndjson", ndjson);
    assertThat(r.accepted()).extracting(ExtractedRecord::position).containsExactly(0L, 3L);
    assertThat(r.quarantined()).hasSize(1);
    ExtractedRecord bad = r.quarantined().get(0);
    assertThat(bad.position()).isEqualTo(1);
    assertThat(bad.quarantineReason()).isEqualTo(QuarantineReason.MALFORMED_JSON);
    assertThat(bad.quarantineDetail()).contains("line 2");
    assertThat(bad.json()).contains("\"eventID\":\"b\"").doesNotContain("IQoJsecret");
    assertThat(r.outcome().failed()).isFalse();
  }

  @Test
  void lookupEventsStringsAreParsed() {
    String lookup =
        "{\"Events\":[{\"EventId\":\"a\",\"CloudTrailEvent\":"
            + JSON.valueToTree(event("a", "2024-01-01T00:00:00Z")).toString()
            + "},{\"EventId\":\"b\",\"CloudTrailEvent\":\"{not json\"}],\"NextToken\":\"tok\"}";
    Run r = run(CloudTrail.NAME, "lookup.json", lookup);
    assertThat(r.acceptedJson())
        .singleElement()
        .satisfies(e -> assertThat(e.get("eventID").asText()).isEqualTo("a"));
    assertThat(r.quarantined())
        .singleElement()
        .satisfies(
            q -> {
              assertThat(q.quarantineReason()).isEqualTo(QuarantineReason.MALFORMED_JSON);
              assertThat(q.position()).isEqualTo(1);
            });
  }

  @Test
  void wholeFileJsonBreakingMidwayKeepsTheRecordsBefore() {
    String broken =
        "["
            + event("a", "2024-01-01T00:00:00Z")
            + ",\n"
            + event("b", "2024-01-01T00:00:00Z")
            + ",\n{\"eventID\": oops}]";
    Run r = run(CloudTrail.NAME, "x.json", broken);
    assertThat(r.accepted()).hasSize(2);
    assertThat(r.quarantined())
        .singleElement()
        .satisfies(
            q -> {
              assertThat(q.quarantineReason()).isEqualTo(QuarantineReason.MALFORMED_JSON);
              assertThat(q.position()).isEqualTo(2);
              assertThat(q.quarantineDetail()).contains("line 3");
            });
  }

  @Test
  void recordChecksQuarantineWithTheFieldNamed() {
    String events =
        "["
            + "{\"eventID\":\"1\",\"eventSource\":\"s\",\"eventName\":\"n\"},"
            + event("2", "yesterday")
            + ","
            + event("3", "2024-01-01T00:00:00").replace("}", ",\"readOnly\":\"true\"}")
            + ","
            + event("4", "2024-01-01T00:00:00Z").replace("}", ",\"readOnly\":\"yes\"}")
            + ","
            + event("5", "2024-01-01T00:00:00Z").replace("}", ",\"userIdentity\":\"root\"}")
            + ",\"just a string\","
            + event("7", "2024-01-01T00:00:00Z")
                .replace("}", ",\"readOnly\":true,\"extra\":{\"a\":[1]}}")
            + "]";
    Run r = run(CloudTrail.NAME, "x.json", events);
    assertThat(r.records())
        .extracting(ExtractedRecord::quarantineReason)
        .containsExactly(
            QuarantineReason.MISSING_REQUIRED_FIELD,
            QuarantineReason.INVALID_TIMESTAMP,
            // a zone-less time is read as UTC (EventVariants): the string readOnly is what is left
            QuarantineReason.WRONG_TYPE,
            QuarantineReason.WRONG_TYPE,
            QuarantineReason.WRONG_TYPE,
            QuarantineReason.MALFORMED_RECORD,
            null);
    assertThat(r.records().get(0).quarantineDetail()).contains("'eventTime'");
    assertThat(r.records().get(1).quarantineDetail()).contains("'eventTime'").contains("yesterday");
    assertThat(r.records().get(2).quarantineDetail()).contains("'readOnly'");
    assertThat(r.records().get(3).quarantineDetail()).contains("'readOnly'");
    assertThat(r.records().get(4).quarantineDetail()).contains("'userIdentity'");
    assertThat(r.records().get(0).json()).contains("\"eventID\":\"1\"");
  }

  @Test
  void oversizedRecordIsQuarantinedAndCutToSize() {
    String big =
        event("big", "2024-01-01T00:00:00Z")
            .replace(
                "}", ",\"errorMessage\":\"" + "x".repeat(RecordExtractor.MAX_RECORD_CHARS) + "\"}");
    Run r =
        run(CloudTrail.NAME, "x.json", "[" + big + "," + event("ok", "2024-01-01T00:00:00Z") + "]");
    assertThat(r.records().get(0).quarantineReason()).isEqualTo(QuarantineReason.OVERSIZED_RECORD);
    assertThat(r.records().get(0).json()).hasSize(ExtractedRecord.QUARANTINE_JSON_CHARS);
    assertThat(r.records().get(1).quarantined()).isFalse();

    Run lines =
        run(
            CloudTrail.NAME,
            "x.ndjson",
            event("ok", "2024-01-01T00:00:00Z")
                + "\n"
                + big
                + "\n"
                + event("ok2", "2024-01-01T00:00:00Z")
                + "\n");
    assertThat(lines.records())
        .extracting(ExtractedRecord::quarantineReason)
        .containsExactly(null, QuarantineReason.OVERSIZED_RECORD, null);
    assertThat(lines.records().get(1).json().length())
        .isLessThanOrEqualTo(ExtractedRecord.QUARANTINE_JSON_CHARS);
  }

  @Test
  void secretsAreRedactedButAccessKeyIdsKept() {
    String e =
        event("s", "2024-01-01T00:00:00Z")
            .replace(
                "}",
                ",\"userIdentity\":{\"type\":\"IAMUser\",\"accessKeyId\":\"AKIAIOSFODNN7EXAMPLE\"},"
                    + "\"requestParameters\":{\"userName\":\"u\",\"note\":\"sk-proj-AbCdEfGhIjKlMnOpQrStUv\"},"
                    + "\"responseElements\":{\"accessKey\":{\"accessKeyId\":\"AKIAJ2EXAMPLE0000000\","
                    + "\"secretAccessKey\":\"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\"}}}");
    Run r = run(CloudTrail.NAME, "x.json", e);
    String json = r.accepted().get(0).json();
    assertThat(json)
        .contains(
            "AKIAIOSFODNN7EXAMPLE",
            "AKIAJ2EXAMPLE0000000",
            "[REDACTED:openai_key]",
            "\"secretAccessKey\":\"[REDACTED]\"")
        .doesNotContain("wJalrXUtnFEMI", "AbCdEfGhIjKl");
  }

  @Test
  void fileLevelProblemsAreReportedNotThrown() {
    assertThat(run(CloudTrail.NAME, "e.json", "").outcome().fileError())
        .isEqualTo(QuarantineReason.EMPTY_FILE);
    assertThat(run(OktaUsers.NAME, "e.json", " \n\t\n").outcome().fileError())
        .isEqualTo(QuarantineReason.EMPTY_FILE);
    byte[] junk = new byte[512];
    new java.util.Random(7).nextBytes(junk);
    Run binary = run(CloudTrail.NAME, "junk.json", new ByteArrayInputStream(junk));
    assertThat(binary.outcome().fileError()).isEqualTo(QuarantineReason.UNRECOGNIZED_FORMAT);
    assertThat(binary.records()).isEmpty();
    Run text = run(OktaSystemLog.NAME, "x.json", "hello, this is not json\n");
    assertThat(text.outcome().fileError()).isEqualTo(QuarantineReason.UNRECOGNIZED_FORMAT);
    byte[] stillGzipped =
        sample(
            "aws-cloudtrail/aws-cloudtrail-processing-library/SerializerTestFileCompact.json.gz");
    Run gz = run(CloudTrail.NAME, "x.json.gz", new ByteArrayInputStream(stillGzipped));
    assertThat(gz.outcome().fileError()).isEqualTo(QuarantineReason.UNRECOGNIZED_FORMAT);
    assertThat(gz.outcome().fileErrorDetail()).contains("gzip");
    Run unrelated = run(AwsIam.NAME, "aws-iam/sts.json", "{\"UserId\":\"AIDA\",\"Account\":\"1\"}");
    assertThat(unrelated.outcome().fileError()).isEqualTo(QuarantineReason.UNRECOGNIZED_FORMAT);
    assertThatThrownBy(() -> run("gcp-iam", "x.json", "{}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gcp-iam");
  }

  @Test
  void digestFilesAreSkippedAndPathsGiveContext() {
    String digest =
        "AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2024/01/02/123456789012_CloudTrail-Digest_us-east-1_t_20240102T000000Z.json";
    Run skipped = run(CloudTrail.NAME, "s3a://b/" + digest, "{\"digestStartTime\":\"x\"}");
    assertThat(skipped.outcome().skipped()).isTrue();
    assertThat(skipped.records()).isEmpty();

    Run delivered =
        run(
            CloudTrail.NAME,
            "s3a://b/exports/aws-cloudtrail/AWSLogs/o-abc123/210987654321/CloudTrail/eu-west-1/2024/03/09/f.json",
            "{\"Records\":[" + event("a", "2024-03-09T10:00:00Z") + "]}");
    assertThat(delivered.outcome().skipped()).isFalse();
    assertThat(delivered.records().get(0).context())
        .isEqualTo(Map.of("account", "210987654321", "region", "eu-west-1", "day", "2024-03-09"));

    Run iam =
        runSample(
            AwsIam.NAME,
            "/x/aws-iam/123456789012/auth.json",
            "aws-iam/cloudmapper/iam-get-account-authorization-details.json");
    assertThat(iam.records())
        .allSatisfy(x -> assertThat(x.context()).isEqualTo(Map.of("account", "123456789012")));
    Run iamNoAccount =
        runSample(
            AwsIam.NAME,
            "/x/aws-iam/prod/auth.json",
            "aws-iam/cloudmapper/iam-get-account-authorization-details.json");
    assertThat(iamNoAccount.records().get(0).context()).isEmpty();

    Run openai =
        runSample(
            OpenAiAdmin.NAME,
            "/x/openai-admin/projects/proj_abc/api_keys.json",
            "openai/list-project-api-keys.response.json");
    assertThat(openai.records().get(0).context()).isEqualTo(Map.of("project_id", "proj_abc"));
  }

  // ---------------------------------------------------------------- IAM

  @Test
  void authorizationDetailsGiveTypedRecordsWithCompactPolicyStrings() {
    Run r =
        runSample(
            AwsIam.NAME,
            "aws-iam/123456789012/iam-get-account-authorization-details.json",
            "aws-iam/cloudmapper/iam-get-account-authorization-details.json");
    assertThat(r.quarantined()).isEmpty();
    assertThat(r.typeCounts())
        .isEqualTo(Map.of("iam_user", 2L, "iam_group", 1L, "iam_role", 4L, "iam_policy", 2L));
    JsonNode exfiller =
        r.acceptedJson().stream()
            .filter(n -> n.path("RoleName").asText().equals("exfiller"))
            .findFirst()
            .orElseThrow();
    assertThat(exfiller.get("AssumeRolePolicyDocument").isTextual()).isTrue();
    assertThat(
            tree(exfiller.get("AssumeRolePolicyDocument").asText())
                .at("/Statement/0/Principal/Service")
                .asText())
        .isEqualTo("ec2.amazonaws.com");
    assertThat(exfiller.at("/RolePolicyList/0/PolicyDocument").asText())
        .startsWith("{\"Statement\":[");
    JsonNode policy =
        r.acceptedJson().stream().filter(n -> n.has("PolicyVersionList")).findFirst().orElseThrow();
    assertThat(policy.at("/PolicyVersionList/0/Document").isTextual()).isTrue();
  }

  @Test
  void urlEncodedPolicyDocumentsAreDecoded() {
    String encoded =
        java.net.URLEncoder.encode(
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"bedrock.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}",
                UTF_8)
            .replace("+", "%20");
    String doc =
        "{\"RoleDetailList\":[{\"RoleName\":\"agent\",\"Arn\":\"arn:aws:iam::1:role/agent\","
            + "\"AssumeRolePolicyDocument\":\""
            + encoded
            + "\",\"RolePolicyList\":[{\"PolicyName\":\"p\",\"PolicyDocument\":\"%7B%22Version%22%3A%20%222012-10-17%22%7D\"}]}],"
            + "\"IsTruncated\":false}";
    Run r = run(AwsIam.NAME, "a.json", doc);
    JsonNode role = r.acceptedJson().get(0);
    assertThat(role.get("AssumeRolePolicyDocument").asText())
        .isEqualTo(
            "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"bedrock.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}");
    assertThat(role.at("/RolePolicyList/0/PolicyDocument").asText())
        .isEqualTo("{\"Version\":\"2012-10-17\"}");
  }

  @Test
  void credentialReportAsJsonPlainContentBase64ContentOrCsv() throws IOException {
    Run sampleRun =
        runSample(AwsIam.NAME, "r.json", "aws-iam/cloudmapper/iam-get-credential-report.json");
    String csv =
        JSON.readTree(sample("aws-iam/cloudmapper/iam-get-credential-report.json"))
            .get("Content")
            .asText();
    long dataRows = csv.strip().lines().count() - 1;
    assertThat(dataRows).isPositive();
    assertThat(sampleRun.accepted()).hasSize((int) dataRows);
    assertThat(sampleRun.typeCounts()).containsOnlyKeys("credential_report_row");
    JsonNode root = sampleRun.acceptedJson().get(0);
    assertThat(root.get("user").asText()).isEqualTo("<root_account>");
    assertThat(root.get("arn").asText()).isEqualTo("arn:aws:iam::123456789012:root");
    assertThat(root.get("password_enabled").isTextual()).isTrue();

    String base64 =
        "{\"Content\":\""
            + Base64.getEncoder().encodeToString(csv.getBytes(UTF_8))
            + "\",\"ReportFormat\":\"text/csv\"}";
    Run b64 = run(AwsIam.NAME, "r.json", base64);
    assertThat(b64.acceptedJson()).isEqualTo(sampleRun.acceptedJson());

    Run plainCsv = run(AwsIam.NAME, "r.csv", csv);
    assertThat(plainCsv.acceptedJson()).isEqualTo(sampleRun.acceptedJson());
    assertThat(plainCsv.accepted()).extracting(ExtractedRecord::position).startsWith(0L, 1L);
  }

  // ---------------------------------------------------------------- Okta

  @Test
  void oktaUsersAndSystemLogIncludingTheSingleObjectExample() {
    Run users = runSample(OktaUsers.NAME, "u.json", "okta/ListUsersResponse.json");
    assertThat(users.accepted()).isNotEmpty();
    assertThat(users.quarantined()).isEmpty();
    assertThat(users.typeCounts()).containsOnlyKeys("okta_user");
    Run filtered = runSample(OktaUsers.NAME, "u.json", "okta/ListUsersFilterResponse.json");
    assertThat(filtered.acceptedJson())
        .extracting(n -> n.get("status").asText())
        .contains("LOCKED_OUT");

    Run logs = runSample(OktaSystemLog.NAME, "l.json", "okta/ListLogs.json");
    assertThat(logs.accepted()).isNotEmpty();
    assertThat(logs.quarantined()).isEmpty();
    Run single =
        runSample(OktaSystemLog.NAME, "l.json", "okta/ListLogsWithAdditionalSecurityContext.json");
    assertThat(single.accepted())
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.position()).isZero();
              assertThat(x.recordType()).isEqualTo("okta_event");
            });
  }

  @Test
  void oktaNdjsonAndSingleObject() {
    String user =
        "{\"id\":\"00u1\",\"status\":\"DEPROVISIONED\",\"statusChanged\":\"2024-01-01T00:00:00.000Z\"}";
    Run nd = run(OktaUsers.NAME, "u.ndjson", user + "\n" + user.replace("00u1", "00u2") + "\n");
    assertThat(nd.accepted()).hasSize(2);
    Run one = run(OktaUsers.NAME, "u.json", user);
    assertThat(one.accepted()).hasSize(1);
  }

  // ---------------------------------------------------------------- Bedrock

  @Test
  void bedrockListGetAndArray() {
    String agent =
        "{\"agentId\":\"A1\",\"agentName\":\"support\",\"agentStatus\":\"PREPARED\",\"updatedAt\":\"2024-01-02T03:04:05.123456+00:00\"}";
    assertThat(
            run(
                    BedrockAgents.NAME,
                    "l.json",
                    "{\"agentSummaries\":["
                        + agent
                        + ","
                        + agent.replace("A1", "A2")
                        + "],\"nextToken\":\"t\"}")
                .accepted())
        .hasSize(2);
    assertThat(run(BedrockAgents.NAME, "g.json", "{\"agent\":" + agent + "}").acceptedJson())
        .singleElement()
        .satisfies(n -> assertThat(n.get("agentId").asText()).isEqualTo("A1"));
    assertThat(run(BedrockAgents.NAME, "a.json", "[" + agent + "]").accepted()).hasSize(1);
  }

  // ---------------------------------------------------------------- OpenAI

  @Test
  void openAiListsAreTypedByTheirObjectField() {
    Map<String, String> expected =
        Map.of(
            "openai/admin-api-keys-list.response.json", "openai_api_key",
            "openai/list-projects.response.json", "openai_project",
            "openai/list-project-api-keys.response.json", "openai_api_key",
            "openai/list-project-service-accounts.response.json", "openai_service_account",
            "openai/list-users.response.json", "openai_user",
            "openai/retrieve-project-api-key.response.json", "openai_api_key");
    expected.forEach(
        (file, type) -> {
          Run r = runSample(OpenAiAdmin.NAME, file, file);
          assertThat(r.quarantined()).as(file).isEmpty();
          assertThat(r.typeCounts()).as(file).isEqualTo(Map.of(type, 1L));
        });
    Run keys = runSample(OpenAiAdmin.NAME, "k.json", "openai/list-project-api-keys.response.json");
    assertThat(keys.acceptedJson().get(0).get("redacted_value").asText()).isEqualTo("sk-abc...def");
  }

  @Test
  void openAiUnknownObjectsAreQuarantinedAndTheRestKept() {
    Run r = runSample(OpenAiAdmin.NAME, "u.json", "openai/list-project-users.response.json");
    assertThat(r.quarantined())
        .isNotEmpty()
        .allSatisfy(
            q -> {
              assertThat(q.quarantineReason()).isEqualTo(QuarantineReason.UNKNOWN_RECORD_TYPE);
              assertThat(q.quarantineDetail()).contains("organization.project.user");
            });
    String mixed =
        "{\"object\":\"list\",\"data\":[{\"object\":\"organization.foo\",\"id\":\"x\"},"
            + "{\"id\":\"audit_1\",\"type\":\"api_key.created\",\"effective_at\":1720804190},"
            + "{\"id\":\"audit_2\",\"type\":\"api_key.created\",\"effective_at\":\"1720804190\"}]}";
    Run m = run(OpenAiAdmin.NAME, "m.json", mixed);
    assertThat(m.records())
        .extracting(ExtractedRecord::quarantineReason)
        .containsExactly(
            QuarantineReason.UNKNOWN_RECORD_TYPE, null, QuarantineReason.INVALID_TIMESTAMP);
    assertThat(m.records().get(1).recordType()).isEqualTo("openai_audit_log");
  }

  @Test
  void invalidJsonAuditLogSampleIsQuarantinedNotACrash() {
    Run r =
        runSample(
            OpenAiAdmin.NAME,
            "a.json",
            "openai/list-audit-logs.response.invalid-json-trailing-commas.json");
    assertThat(r.outcome().failed()).isFalse();
    assertThat(r.accepted()).isEmpty();
    assertThat(r.quarantined())
        .singleElement()
        .satisfies(
            q -> {
              assertThat(q.quarantineReason()).isEqualTo(QuarantineReason.MALFORMED_JSON);
              assertThat(q.position()).isZero();
              assertThat(q.quarantineDetail()).contains("line");
            });
  }

  // ---------------------------------------------------------------- manifest

  @Test
  void manifestCsvSplitsListCells() {
    String csv =
        "agent_id,name,platform,owner,backup_owners,purpose,credentials,project,end_date\n"
            + "a1,Triage bot,mcp,alice@example.com, bob@example.com ; carol@example.com ,triage,"
            + "\"arn:aws:iam::123456789012:role/triage;key_abc\",support,\n"
            + "a2,Empty,openai,dave@example.com,,x,,p,2025-12-31\n"
            + ",NoId,mcp,e@example.com,,,,,\n";
    Run r = run(AgentManifest.NAME, "m.csv", csv);
    assertThat(r.accepted()).hasSize(2);
    JsonNode a1 = r.acceptedJson().get(0);
    assertThat(a1.get("backup_owners"))
        .isEqualTo(tree("[\"bob@example.com\",\"carol@example.com\"]"));
    assertThat(a1.get("credentials"))
        .isEqualTo(tree("[\"arn:aws:iam::123456789012:role/triage\",\"key_abc\"]"));
    assertThat(a1.get("end_date").isNull()).isTrue();
    assertThat(r.acceptedJson().get(1).get("backup_owners")).isEqualTo(tree("[]"));
    assertThat(r.quarantined())
        .singleElement()
        .satisfies(
            q -> {
              assertThat(q.quarantineReason()).isEqualTo(QuarantineReason.MISSING_REQUIRED_FIELD);
              assertThat(q.quarantineDetail()).contains("agent_id");
              assertThat(q.position()).isEqualTo(2);
            });
  }

  @Test
  void manifestYamlAndJsonListsAcceptListsOrSemicolonStrings() {
    String yaml =
        """
        # agents we run ourselves
        - agent_id: a1
          platform: mcp
          owner: alice@example.com
          backup_owners: [bob@example.com]
          credentials: "arn:aws:iam::123456789012:role/x; key_abc"
        - agent_id: a2
          platform: bedrock
          credentials:
            - sk-proj-AbCdEfGhIjKlMnOpQrStUvWx
            - key_def
        """;
    Run r = run(AgentManifest.NAME, "m.yaml", yaml);
    assertThat(r.quarantined()).isEmpty();
    assertThat(r.acceptedJson().get(0).get("credentials"))
        .isEqualTo(tree("[\"arn:aws:iam::123456789012:role/x\",\"key_abc\"]"));
    assertThat(r.acceptedJson().get(1).get("credentials"))
        .isEqualTo(tree("[\"[REDACTED:openai_key]\",\"key_def\"]"));
    Run json =
        run(
            AgentManifest.NAME,
            "m.json",
            "[{\"agent_id\":\"a1\",\"platform\":\"mcp\",\"backup_owners\":\"x;y\"}]");
    assertThat(json.acceptedJson().get(0).get("backup_owners")).isEqualTo(tree("[\"x\",\"y\"]"));
  }

  // ---------------------------------------------------------------- review decisions

  @Test
  void reviewDecisionsCsvIsTrimmedWithEmptyCellsAsNullAndDecisionsUpperCased() {
    String csv =
        """
        item_id,agent_id,decision,expires_on,reviewer,justification,decided_at
        rq-1a2b,, accept_risk ,2027-01-31,carol@example.com,"vendor fix due, tracked in SEC-12",2026-11-20T09:00:00Z
        ,bedrock:AGENT1,REVOKE,,dave@example.com,owner left,2026-11-21T10:30:00Z
        """;
    Run r = run(ReviewDecisions.NAME, "decisions/2026-11.csv", csv);
    assertThat(r.quarantined()).isEmpty();
    assertThat(r.typeCounts()).isEqualTo(Map.of("review_decision", 2L));
    JsonNode first = r.acceptedJson().get(0);
    assertThat(first.get("decision").asText()).isEqualTo("ACCEPT_RISK");
    assertThat(first.get("agent_id").isNull()).isTrue();
    assertThat(first.get("justification").asText()).isEqualTo("vendor fix due, tracked in SEC-12");
    assertThat(r.accepted().get(0).dedupeKey())
        .isEqualTo("rq-1a2b||carol@example.com|2026-11-20T09:00:00Z");
    assertThat(r.accepted().get(1).eventTime()).hasToString("2026-11-21T10:30:00Z");
  }

  @Test
  void reviewDecisionsJsonArrayWrapperAndNdjsonAreAccepted() {
    String one =
        "{\"item_id\":\"rq-1\",\"decision\":\"APPROVE\",\"reviewer\":\"r@x.io\","
            + "\"decided_at\":\"2026-11-20T09:00:00Z\"}";
    String two =
        "{\"agent_id\":\"openai:svc_1\",\"decision\":\"REVOKE\",\"reviewer\":\"r@x.io\","
            + "\"decided_at\":\"2026-11-20T10:00:00Z\"}";
    assertThat(run(ReviewDecisions.NAME, "d.json", "[" + one + "," + two + "]").accepted())
        .hasSize(2);
    assertThat(
            run(ReviewDecisions.NAME, "d.json", "{\"decisions\":[" + one + "," + two + "]}")
                .accepted())
        .hasSize(2);
    assertThat(run(ReviewDecisions.NAME, "d.ndjson", one + "\n" + two + "\n").accepted())
        .hasSize(2);
  }

  @Test
  void reviewDecisionsThatCannotBeActedOnAreQuarantinedWithTheirReason() {
    String csv =
        """
        item_id,agent_id,decision,expires_on,reviewer,justification,decided_at
        rq-1,,MAYBE,,r@x.io,,2026-11-20T09:00:00Z
        rq-2,,ACCEPT_RISK,,r@x.io,no expiry given,2026-11-20T09:00:00Z
        rq-3,,ACCEPT_RISK,31/01/2027,r@x.io,,2026-11-20T09:00:00Z
        ,,APPROVE,,r@x.io,on what?,2026-11-20T09:00:00Z
        rq-5,,APPROVE,,,,2026-11-20T09:00:00Z
        rq-6,,APPROVE,,r@x.io,,yesterday
        """;
    Run r = run(ReviewDecisions.NAME, "d.csv", csv);
    assertThat(r.accepted()).isEmpty();
    assertThat(r.quarantined())
        .extracting(ExtractedRecord::quarantineReason)
        .containsExactly(
            QuarantineReason.INVALID_VALUE,
            QuarantineReason.MISSING_REQUIRED_FIELD,
            QuarantineReason.INVALID_TIMESTAMP,
            QuarantineReason.MISSING_REQUIRED_FIELD,
            QuarantineReason.MISSING_REQUIRED_FIELD,
            QuarantineReason.INVALID_TIMESTAMP);
    assertThat(r.quarantined().get(1).quarantineDetail()).contains("expires_on");
    assertThat(r.quarantined().get(3).quarantineDetail()).contains("item_id");
  }

  @Test
  void eventRecordsCarryTheirKeyAndTimeAndSnapshotRecordsDoNot() {
    Run events =
        run(
            CloudTrail.NAME,
            "t.json",
            "{\"Records\":[" + event("e-1", "2024-07-30T21:53:13Z") + "]}");
    assertThat(events.accepted().get(0).dedupeKey()).isEqualTo("|e-1");
    assertThat(events.accepted().get(0).eventTime()).hasToString("2024-07-30T21:53:13Z");
    Run users = run(OktaUsers.NAME, "u.json", "[{\"id\":\"00u1\",\"status\":\"ACTIVE\"}]");
    assertThat(users.accepted().get(0).dedupeKey()).isNull();
  }
}
