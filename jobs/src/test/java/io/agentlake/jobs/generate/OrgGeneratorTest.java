package io.agentlake.jobs.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrgGeneratorTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final LocalDate START = LocalDate.of(2026, 10, 1);

  @TempDir static Path tmp;
  static Path out;
  static GenerationSummary summary;
  static JsonNode truth;

  /** Every CloudTrail record, keyed by nothing: small options keep this cheap. */
  static List<JsonNode> events = new ArrayList<>();

  /** Role/user ARN -> its IAM export entry. */
  static Map<String, JsonNode> iam = new HashMap<>();

  /** Managed policy ARN -> its export entry. */
  static Map<String, JsonNode> policies = new HashMap<>();

  static GeneratorOptions options(Path dir, long seed) {
    return new GeneratorOptions(dir.toUri().toString(), seed, 14, 5, 300, START);
  }

  @BeforeAll
  static void generate() throws IOException {
    out = tmp.resolve("a");
    summary = OrgGenerator.generate(options(out, 7), new Configuration());
    truth = JSON.readTree(out.resolve("ground_truth.json").toFile());
    for (Path f : files(out.resolve("aws-cloudtrail"))) {
      if (f.toString().contains("CloudTrail-Digest")) {
        continue;
      }
      JsonNode doc = gunzip(f);
      assertThat(doc.path("Records").isArray()).as(f.toString()).isTrue();
      String date =
          f.getParent().toString().replaceAll(".*/(\\d{4})/(\\d{2})/(\\d{2})$", "$1-$2-$3");
      for (JsonNode e : doc.get("Records")) {
        assertThat(e.get("eventTime").asText()).as("event in its folder's day").startsWith(date);
        events.add(e);
      }
    }
    for (Path f : files(out.resolve("aws-iam"))) {
      if (!f.getFileName().toString().startsWith("authorization-details")) {
        continue;
      }
      JsonNode doc = JSON.readTree(f.toFile());
      for (String list : List.of("UserDetailList", "RoleDetailList")) {
        doc.get(list).forEach(p -> iam.put(p.get("Arn").asText(), p));
      }
      doc.get("Policies").forEach(p -> policies.put(p.get("Arn").asText(), p));
    }
  }

  static List<Path> files(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).sorted().toList();
    }
  }

  static JsonNode gunzip(Path f) throws IOException {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(f))) {
      return JSON.readTree(in);
    }
  }

  static Map<String, byte[]> tree(Path root) throws IOException {
    Map<String, byte[]> m = new TreeMap<>();
    for (Path f : files(root)) {
      m.put(root.relativize(f).toString(), Files.readAllBytes(f));
    }
    return m;
  }

  static String principalOf(JsonNode e) {
    JsonNode id = e.get("userIdentity");
    return id.get("type").asText().equals("AssumedRole")
        ? id.at("/sessionContext/sessionIssuer/arn").asText()
        : id.get("arn").asText();
  }

  static String action(JsonNode e) {
    String source = e.get("eventSource").asText().replace(".amazonaws.com", "");
    String name = e.get("eventName").asText();
    if (source.equals("s3") && name.equals("ListBuckets")) {
      name = "ListAllMyBuckets";
    }
    return source + ":" + name;
  }

  @Test
  void sameSeedGivesByteIdenticalTreesAndAnotherSeedDoesNot() throws IOException {
    Path again = tmp.resolve("b");
    Path other = tmp.resolve("c");
    OrgGenerator.generate(options(again, 7), new Configuration());
    OrgGenerator.generate(options(other, 8), new Configuration());
    Map<String, byte[]> a = tree(out);
    Map<String, byte[]> b = tree(again);
    assertThat(b.keySet()).containsExactlyElementsOf(a.keySet());
    a.forEach((k, v) -> assertThat(b.get(k)).as(k).isEqualTo(v));
    assertThat(tree(other).get("ground_truth.json")).isNotEqualTo(a.get("ground_truth.json"));
    assertThat(summary.files()).isEqualTo(a.size());
    assertThat(summary.bytes()).isEqualTo(a.values().stream().mapToLong(x -> x.length).sum());
    assertThat(summary.cloudTrailEvents()).isEqualTo(events.size());
  }

  @Test
  void everyEventPrincipalExistsInTheIamExport() {
    assertThat(events).hasSizeGreaterThanOrEqualTo(5 * 300);
    for (JsonNode e : events) {
      assertThat(iam).as(e.toString()).containsKey(principalOf(e));
      assertThat(e.get("eventCategory").asText()).isIn("Management", "Data");
    }
    assertThat(events).anyMatch(e -> "AccessDenied".equals(e.path("errorCode").asText()));
    assertThat(events).anyMatch(e -> e.get("eventName").asText().equals("AssumeRole"));
  }

  @Test
  void orphanReasonsAreVisibleInTheRawFiles() throws IOException {
    JsonNode okta = JSON.readTree(out.resolve("okta-users/users.json").toFile());
    Map<String, String> status = new HashMap<>();
    okta.forEach(
        u ->
            status.put(
                u.at("/profile/email").asText().toLowerCase(Locale.ROOT),
                u.get("status").asText()));
    Map<String, Boolean> entraEnabled = new HashMap<>();
    try (var pages = Files.list(out.resolve("entra-id/users"))) {
      for (Path page : pages.sorted().toList()) {
        JSON.readTree(page.toFile())
            .get("value")
            .forEach(
                u ->
                    entraEnabled.put(
                        u.get("userPrincipalName").asText().toLowerCase(Locale.ROOT),
                        u.get("accountEnabled").asBoolean()));
      }
    }
    Map<String, JsonNode> agents = new HashMap<>();
    truth.get("agents").forEach(a -> agents.put(a.get("agent_id").asText(), a));
    Set<String> orphanIds = new HashSet<>();
    truth.get("orphans").forEach(o -> orphanIds.add(o.get("agent_id").asText()));
    // an owner only in Entra, active: resolved there, so the agent is no orphan
    assertThat(agents.values())
        .anyMatch(
            a -> {
              String owner = a.path("owner").asText("").toLowerCase(Locale.ROOT);
              return !owner.isEmpty()
                  && !status.containsKey(owner)
                  && Boolean.TRUE.equals(entraEnabled.get(owner))
                  && !orphanIds.contains(a.get("agent_id").asText());
            });
    Set<String> seen = new HashSet<>();
    for (JsonNode o : truth.get("orphans")) {
      JsonNode agent = agents.get(o.get("agent_id").asText());
      for (JsonNode reason : o.get("reasons")) {
        seen.add(reason.asText());
        switch (reason.asText()) {
          case "OWNER_DEPROVISIONED" -> {
            String owner = agent.get("owner").asText().toLowerCase(Locale.ROOT);
            if (status.containsKey(owner)) {
              assertThat(status.get(owner)).isIn("DEPROVISIONED", "SUSPENDED");
            } else {
              assertThat(entraEnabled.get(owner)).as("only in Entra, disabled").isFalse();
            }
          }
          case "OWNER_STATUS_CONFLICT" -> {
            String owner = agent.get("owner").asText().toLowerCase(Locale.ROOT);
            assertThat(status.get(owner)).isEqualTo("ACTIVE");
            assertThat(entraEnabled.get(owner)).isFalse();
          }
          case "OWNER_UNKNOWN" -> {
            String owner = agent.get("owner").asText().toLowerCase(Locale.ROOT);
            assertThat(status).doesNotContainKey(owner);
            assertThat(entraEnabled).doesNotContainKey(owner);
          }
          case "IDLE" ->
              agent
                  .get("identities")
                  .forEach(
                      id -> assertThat(events).noneMatch(e -> principalOf(e).equals(id.asText())));
          default -> {}
        }
      }
    }
    assertThat(seen)
        .contains(
            "OWNER_DEPROVISIONED",
            "OWNER_STATUS_CONFLICT",
            "OWNER_UNKNOWN",
            "NO_OWNER",
            "IDLE",
            "PROJECT_ENDED",
            "DANGLING_CREDENTIAL");
    assertThat(truth.get("orphans")).anyMatch(o -> !o.get("suggested_successor").isNull());
  }

  @Test
  void unusedGrantsAreInTheirPolicyAndNeverCalled() {
    assertThat(truth.get("unused_grants")).isNotEmpty();
    for (JsonNode g : truth.get("unused_grants")) {
      String principal = g.get("principal_arn").asText();
      String pattern = g.get("action_pattern").asText();
      assertThat(policyText(principal, g.get("policy_name").asText()))
          .contains("\"" + pattern + "\"");
      assertThat(events)
          .filteredOn(e -> principalOf(e).equals(principal))
          .noneMatch(e -> Calls.matches(pattern, action(e)));
    }
    for (JsonNode g : truth.get("used_grants")) {
      String principal = g.get("principal_arn").asText();
      String pattern = g.get("action_pattern").asText();
      for (int d = 0; d < 5; d++) {
        String day = START.plusDays(d).toString();
        assertThat(events)
            .as(principal + " uses " + pattern + " on " + day)
            .anyMatch(
                e ->
                    principalOf(e).equals(principal)
                        && !e.has("errorCode")
                        && e.get("eventTime").asText().startsWith(day)
                        && Calls.matches(pattern, action(e)));
      }
    }
  }

  @Test
  void theS3WildcardRoleOnlyGetsAndPutsObjects() {
    JsonNode partial = truth.get("partially_used_grants").get(0);
    assertThat(partial.get("action_pattern").asText()).isEqualTo("s3:*");
    String principal = partial.get("principal_arn").asText();
    assertThat(events)
        .filteredOn(e -> principalOf(e).equals(principal) && action(e).startsWith("s3:"))
        .isNotEmpty()
        .allMatch(e -> Set.of("s3:GetObject", "s3:PutObject").contains(action(e)))
        .allMatch(e -> e.get("eventCategory").asText().equals("Data"));
  }

  @Test
  void oneAccountIsPaginatedWithAnUrlEncodedDocument() throws IOException {
    String first = truth.at("/accounts/0/account_id").asText();
    JsonNode page2 =
        JSON.readTree(out.resolve("aws-iam/" + first + "/authorization-details-2.json").toFile());
    List<String> encoded = new ArrayList<>();
    page2
        .get("Policies")
        .forEach(
            p ->
                p.get("PolicyVersionList")
                    .forEach(
                        v -> {
                          if (v.get("Document").isTextual()) {
                            encoded.add(
                                URLDecoder.decode(
                                    v.get("Document").asText(), StandardCharsets.UTF_8));
                          }
                        }));
    assertThat(encoded).hasSize(1);
    assertThat(encoded.get(0)).startsWith("{\"Version\":\"2012-10-17\"");
  }

  private String policyText(String principal, String policyName) {
    JsonNode p = iam.get(principal);
    StringBuilder sb = new StringBuilder();
    for (String list : List.of("RolePolicyList", "UserPolicyList")) {
      p.path(list)
          .forEach(
              x -> {
                if (x.get("PolicyName").asText().equals(policyName)) {
                  sb.append(x.get("PolicyDocument"));
                }
              });
    }
    p.get("AttachedManagedPolicies")
        .forEach(
            a -> {
              if (a.get("PolicyName").asText().equals(policyName)) {
                policies
                    .get(a.get("PolicyArn").asText())
                    .get("PolicyVersionList")
                    .forEach(
                        v -> {
                          if (v.get("IsDefaultVersion").asBoolean()) {
                            sb.append(
                                v.get("Document").isTextual()
                                    ? URLDecoder.decode(
                                        v.get("Document").asText(), StandardCharsets.UTF_8)
                                    : v.get("Document").toString());
                          }
                        });
              }
            });
    return sb.toString();
  }

  @Test
  void invalidOptionsSayWhatToDo() {
    assertThatThrownBy(() -> new GeneratorOptions("file:/tmp/x", 1, 5, 30, 10, START))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 12 agents");
    assertThatThrownBy(() -> new GeneratorOptions("file:/tmp/x", 1, 40, 0, 10, START))
        .hasMessageContaining("between 1 and 3650");
    assertThatThrownBy(() -> new GeneratorOptions("file:/tmp/x", 1, 40, 30, -1, START))
        .hasMessageContaining("cannot be negative");
    assertThatThrownBy(() -> new GeneratorOptions(" ", 1, 40, 30, 10, START))
        .hasMessageContaining("output location");
  }
}
