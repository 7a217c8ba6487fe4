package io.agentlake.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentlake.jobs.config.AgentlakeConfig;
import io.agentlake.jobs.generate.GeneratorOptions;
import io.agentlake.jobs.generate.OrgGenerator;
import io.agentlake.jobs.lake.Lake;
import io.agentlake.schemas.TableContract;
import io.agentlake.schemas.Tables;
import io.agentlake.schemas.vocabulary.RiskFactCategory;
import io.agentlake.testing.SharedSpark;
import io.agentlake.transforms.sources.Sources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A company that runs only on Microsoft Entra ID: the generated organisation's exports with every
 * folder but {@code entra-id/} removed, one nightly run. Its Entra agents must get exactly the
 * planted orphans (sponsors resolved against Entra users alone), exactly the planted unused and
 * not-observable app roles, and scores with the Graph escalation fact in them; the mixed company
 * ({@link NightlyEndToEndTest}) holds the same Entra findings beside AWS's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EntraOnlyCompanyTest {

  private Lake lake;
  private JsonNode truth;
  private LocalDate end;

  @BeforeAll
  void generateAndRun() throws Exception {
    SparkSession spark = SharedSpark.session();
    Path dir = Files.createTempDirectory("agentlake-entra-only");
    Path exports = dir.resolve("exports");
    GeneratorOptions options =
        new GeneratorOptions(
            exports.toUri().toString(),
            GeneratorOptions.DEFAULT_SEED,
            GeneratorOptions.DEFAULT_AGENTS,
            GeneratorOptions.DEFAULT_DAYS,
            20,
            GeneratorOptions.DEFAULT_START_DATE);
    OrgGenerator.generate(options, new Configuration());
    truth = entraOnly(new ObjectMapper().readTree(exports.resolve("ground_truth.json").toFile()));
    try (Stream<Path> top = Files.list(exports)) {
      for (Path p : top.toList()) {
        if (Files.isDirectory(p) && !p.getFileName().toString().equals("entra-id")) {
          delete(p);
        }
      }
    }
    end = options.endDate();
    lake = new Lake(spark, dir.resolve("lake").toUri().toString());
    NightlyJob.run(
        lake,
        exports.toUri().toString(),
        end,
        AgentlakeConfig.defaults().withWindowDays(28),
        Sources.ALL,
        s -> {});
  }

  @Test
  void theEntraAgentsGetExactlyThePlantedOrphansAndGrantVerdicts() {
    assertThat(truth.get("orphans")).as("the generator plants Entra orphans").isNotEmpty();
    assertThat(truth.get("entra_unused_grants")).isNotEmpty();
    assertThat(truth.get("entra_not_observable_grants")).isNotEmpty();
    assertThat(truth.get("orphans").toString())
        .as("a disabled agent identity with a live secret is planted")
        .contains("DANGLING_CREDENTIAL");
    assertThat(truth.get("entra_unused_grants").toString())
        .as("an unused delegated scope and an unused directory role are planted")
        .contains(" delegated ", "directory role Global Administrator");
    assertThat(truth.get("entra_not_observable_grants").toString())
        .as(
            "a delegated scope on a resource its users call, and a directory role of an agent that"
                + " signs in")
        .contains(" delegated ", "directory role Privileged Role Administrator");
    GroundTruthCheck check = new GroundTruthCheck(lake, truth, end);
    GroundTruthCheck.assertExact(
        List.of(
            check.orphans(),
            check.entraGrants("entra unused grants", "UNUSED", "entra_unused_grants"),
            check.entraGrants(
                "entra not-observable grants", "NOT_OBSERVABLE", "entra_not_observable_grants"),
            check.fullAdmins()));
  }

  @Test
  void everyEntraAgentIsScoredAndTheEscalationFactCounts() {
    Dataset<Row> scores = gold(Tables.RISK_SCORES);
    assertThat(scores.count()).isEqualTo(truth.get("agents").size());
    Dataset<Row> escalation =
        gold(Tables.PRINCIPAL_RISK_FACTS)
            .filter(col("category").equalTo(RiskFactCategory.PRIVILEGE_ESCALATION.value()));
    // Both held by the role-rotation agent: a Graph app role and a tenant-wide directory role.
    assertThat(escalation.select("fact").as(org.apache.spark.sql.Encoders.STRING()).collectAsList())
        .containsExactlyInAnyOrder(
            "microsoft graph RoleManagement.ReadWrite.Directory",
            "entra directory role Privileged Role Administrator");
    assertThat(escalation.select("principal_id").distinct().count()).isOne();
    String holder = escalation.first().getAs("principal_id");
    Row agent =
        lake.read(Tables.AGENTS)
            .filter(org.apache.spark.sql.functions.array_contains(col("credential_ids"), holder))
            .first();
    Row score = scores.filter(col("agent_id").equalTo(agent.<String>getAs("agent_id"))).first();
    Row permissions =
        score.<Row>getList(score.fieldIndex("factors")).stream()
            .filter(f -> f.getAs("factor").equals("permissions_management"))
            .findFirst()
            .orElseThrow();
    assertThat((double) permissions.getAs("contribution")).isPositive();
  }

  /**
   * The helpdesk agent's secret ends 20 days after the run date: expiring, and only that agent's.
   * The retired agent's secret, 200 days old and valid, is long-lived.
   */
  @Test
  void theSecretsEndDatesGiveTheCredentialFactors() {
    Map<String, Double> expiring = new java.util.TreeMap<>();
    Map<String, Double> longLived = new java.util.TreeMap<>();
    for (Row score : gold(Tables.RISK_SCORES).collectAsList()) {
      for (Row f : score.<Row>getList(score.fieldIndex("factors"))) {
        if (f.getAs("factor").equals("expiring_credentials")) {
          expiring.put(score.getAs("name"), f.getAs("raw_value"));
        }
        if (f.getAs("factor").equals("long_lived_credentials")) {
          longLived.put(score.getAs("name"), f.getAs("raw_value"));
        }
      }
    }
    assertThat(expiring).containsEntry("copilot-helpdesk", 1.0);
    assertThat(expiring.entrySet())
        .filteredOn(e -> e.getValue() > 0)
        .extracting(Map.Entry::getKey)
        .containsExactly("copilot-helpdesk");
    assertThat(longLived.entrySet())
        .filteredOn(e -> e.getValue() > 0)
        .extracting(Map.Entry::getKey)
        .containsExactlyInAnyOrder("copilot-helpdesk", "retired-triage");
  }

  private Dataset<Row> gold(TableContract table) {
    return lake.read(table).filter(col(Tables.AS_OF_DATE).equalTo(lit(end)));
  }

  /** The truth of the Entra agents alone: they are all an Entra-only export can show. */
  private static JsonNode entraOnly(JsonNode full) {
    ObjectNode t = full.deepCopy();
    for (String array : List.of("agents", "orphans")) {
      ArrayNode kept = t.arrayNode();
      full.get(array)
          .forEach(
              n -> {
                if (n.get("agent_id").asText().startsWith("entra:")) {
                  kept.add(n);
                }
              });
      t.set(array, kept);
    }
    ArrayNode admins = t.arrayNode();
    full.get("admin_principals")
        .forEach(
            n -> {
              if (n.asText().startsWith("entra:")) {
                admins.add(n);
              }
            });
    t.set("admin_principals", admins);
    return t;
  }

  private static void delete(Path p) throws IOException {
    try (Stream<Path> all = Files.walk(p)) {
      for (Path f : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
  }
}
