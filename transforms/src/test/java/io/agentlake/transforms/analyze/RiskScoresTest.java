package io.agentlake.transforms.analyze;

import static io.agentlake.testing.Fixtures.j;
import static io.agentlake.testing.Fixtures.rows;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentlake.schemas.Tables;
import io.agentlake.testing.DatasetAssert;
import io.agentlake.testing.Frames;
import io.agentlake.testing.SharedSpark;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedSpark.class)
class RiskScoresTest {

  static final LocalDate AS_OF = LocalDate.of(2025, 6, 30);
  static final String APP = "aws:arn:aws:iam::111122223333:role/app";
  static final String ADMIN = "aws:arn:aws:iam::111122223333:role/admin";
  static final String KEY = "openai:api_key:k1";

  static String grant(String principal, String action, String policy, String type) {
    return j(
        ("{'principal_id':'%s','platform':'aws','usage_log':'aws-cloudtrail','principal_arn':'%s','effect':'Allow','action_pattern':'%s',"
                + "'service':'x','resource_pattern':'*','unconstrained':true,'conditional':false,"
                + "'policy_name':'%s','policy_type':'%s','grant_path':'direct','statement_index':0}")
            .formatted(principal, principal.substring(4), action, policy, type));
  }

  static String verdict(String principal, String action, String verdict) {
    return j(
        ("{'as_of_date':'2025-06-30','principal_id':'%s','level':'GRANT','service':'s3',"
                + "'action_pattern':'%s','resource_pattern':'*','policy_name':'p','grant_path':'direct',"
                + "'verdict':'%s','denied_attempts':0,'observation_days':90,'window_days':90,'evidence':'{}'}")
            .formatted(principal, action, verdict));
  }

  static String denied(String principal, String day, long n) {
    return j(
        ("{'principal_id':'%s','platform':'aws','action':'iam:createuser','resource':'*','day':'%s',"
                + "'event_category':'Management','success_count':0,'denied_count':%d,"
                + "'first_time':'%sT01:00:00Z','last_time':'%sT02:00:00Z','sample_event_id':'d'}")
            .formatted(principal, day, n, day, day));
  }

  Dataset<Row> run(SparkSession spark, RiskModel model) {
    Dataset<Row> agents =
        rows(
            spark,
            Tables.AGENTS,
            j(
                "{'agent_id':'bedrock:A','platform':'bedrock','native_id':'A','owner_match':'MATCHED','purpose':'triage'}"),
            j(
                "{'agent_id':'m:B','platform':'manifest','native_id':'B','owner_match':'MATCHED','credential_ids':['"
                    + KEY
                    + "']}"),
            j(
                "{'agent_id':'m:C','platform':'manifest','native_id':'C','owner_match':'NONE','purpose':'  ','credential_ids':['"
                    + KEY
                    + "']}"));
    Dataset<Row> reach =
        rows(
            spark,
            Tables.AGENT_REACH,
            j(
                "{'as_of_date':'2025-06-30','agent_id':'bedrock:A','principal_id':'"
                    + APP
                    + "','hops':1,'path':['agent:bedrock:A','"
                    + APP
                    + "'],'via':'USES'}"),
            j(
                "{'as_of_date':'2025-06-30','agent_id':'bedrock:A','principal_id':'"
                    + ADMIN
                    + "','hops':2,'path':['agent:bedrock:A','"
                    + APP
                    + "','"
                    + ADMIN
                    + "'],'via':'USES>CAN_ASSUME'}"),
            j(
                "{'as_of_date':'2025-06-29','agent_id':'m:B','principal_id':'"
                    + ADMIN
                    + "','hops':1,'path':['agent:m:B','"
                    + ADMIN
                    + "'],'via':'USES'}"));
    Dataset<Row> entitlements =
        rows(
            spark,
            Tables.ENTITLEMENTS,
            grant(ADMIN, "*", "AdministratorAccess", "managed"),
            grant(APP, "*", "boundary-everything", "boundary"),
            grant(APP, "s3:getobject", "read", "inline"),
            grant(APP, "iam:passrole", "pass", "inline"));
    Dataset<Row> unused =
        rows(
            spark,
            Tables.UNUSED_PRIVILEGES,
            verdict(APP, "s3:getobject", "UNUSED"),
            verdict(APP, "s3:putobject", "USED"),
            verdict(APP, "s3:listbucket", "TOO_NEW"));
    Dataset<Row> orphaned =
        rows(
            spark,
            Tables.ORPHANED_AGENTS,
            j(
                "{'as_of_date':'2025-06-30','agent_id':'m:B','platform':'manifest','reasons':['IDLE'],'successor_reason':'x','evidence':[]}"),
            j(
                "{'as_of_date':'2025-06-30','agent_id':'m:C','platform':'manifest','reasons':['NO_OWNER','PROJECT_ENDED'],'successor_reason':'x','evidence':[]}"));
    Dataset<Row> activity =
        rows(
            spark,
            Tables.ACTIVITY_DAILY,
            denied(ADMIN, "2025-06-28", 10),
            denied(ADMIN, "2025-06-01", 50));
    Dataset<Row> identities =
        rows(
            spark,
            Tables.IDENTITIES,
            j(
                "{'identity_id':'"
                    + KEY
                    + "','kind':'api_key','source':'openai','status':'ACTIVE','created_at':'2025-01-01T00:00:00Z'}"));
    Dataset<Row> riskFacts =
        Frames.materialized(
            PrincipalRiskFacts.compute(
                entitlements,
                spark.createDataFrame(List.of(), Tables.IDENTITY_EDGES.schema()),
                RiskFactCatalog.defaults(),
                AS_OF,
                5));
    return RiskScores.compute(
        agents,
        reach,
        riskFacts,
        unused,
        orphaned,
        activity,
        spark.createDataFrame(List.of(), Tables.PRINCIPAL_DAILY.schema()),
        identities,
        model,
        AS_OF);
  }

  /** Scores of agents whose only inputs are their credentials, under the default model. */
  static Dataset<Row> scoresOfCredentials(
      SparkSession spark, Dataset<Row> agents, Dataset<Row> identities) {
    return scoresOfCredentials(
        spark,
        agents,
        identities,
        spark.createDataFrame(List.of(), Tables.PRINCIPAL_DAILY.schema()));
  }

  /** The same, with where the agents' access keys were used from (silver.principal_daily). */
  static Dataset<Row> scoresOfCredentials(
      SparkSession spark,
      Dataset<Row> agents,
      Dataset<Row> identities,
      Dataset<Row> principalDaily) {
    return RiskScores.compute(
        agents,
        spark.createDataFrame(List.of(), Tables.AGENT_REACH.schema()),
        spark.createDataFrame(List.of(), Tables.PRINCIPAL_RISK_FACTS.schema()),
        spark.createDataFrame(List.of(), Tables.UNUSED_PRIVILEGES.schema()),
        spark.createDataFrame(List.of(), Tables.ORPHANED_AGENTS.schema()),
        spark.createDataFrame(List.of(), Tables.ACTIVITY_DAILY.schema()),
        principalDaily,
        identities,
        RiskModel.defaults(),
        AS_OF);
  }

  static Map<String, Row> byAgent(Dataset<Row> out) {
    return out.collectAsList().stream().collect(Collectors.toMap(r -> r.getAs("agent_id"), r -> r));
  }

  static Row factor(Row agent, String name) {
    return agent.<Row>getList(agent.fieldIndex("factors")).stream()
        .filter(f -> f.getAs("factor").equals(name))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void anAgentThatCanAssumeAnAdminRoleGetsTheAdminContribution(SparkSession spark) {
    Dataset<Row> out = run(spark, RiskModel.defaults());
    assertThat(out.schema().simpleString()).isEqualTo(Tables.RISK_SCORES.schema().simpleString());
    Map<String, Row> rows = byAgent(out);

    Row admin = factor(rows.get("bedrock:A"), "admin_reach");
    assertThat((double) admin.getAs("contribution")).isEqualTo(50.0);
    assertThat((String) admin.getAs("owasp")).contains("NHI5").contains("ASI03");
    assertThat((String) admin.getAs("evidence"))
        .contains("\"principal_id\":\"" + ADMIN + "\"")
        .contains("USES>CAN_ASSUME")
        .contains("AdministratorAccess")
        .doesNotContain("\"principal_id\":\"" + APP + "\"");
    assertThat((double) factor(rows.get("bedrock:A"), "permissions_management").getAs("raw_value"))
        .isEqualTo(1.0);
    assertThat((double) factor(rows.get("m:B"), "admin_reach").getAs("raw_value"))
        .as("reach of another run date does not count")
        .isEqualTo(0.0);
  }

  @Test
  void scoresAndTiersFollowTheFactors(SparkSession spark) {
    Map<String, Row> rows = byAgent(run(spark, RiskModel.defaults()));

    // A: admin 50 + permissions management 25 + unused 1/2 x 15 + denied 10/20 x 10
    assertThat((double) rows.get("bedrock:A").getAs("score")).isEqualTo(87.5);
    assertThat((String) rows.get("bedrock:A").getAs("tier")).isEqualTo("CRITICAL");
    // B: one orphan reason 1/2 x 30 + long-lived key 10 + shared key 10 + no purpose 5
    assertThat((double) rows.get("m:B").getAs("score")).isEqualTo(40.0);
    assertThat((String) rows.get("m:B").getAs("tier")).isEqualTo("MEDIUM");
    // C: two orphan reasons 30 + long-lived 10 + shared 10 + blank purpose 5
    assertThat((double) rows.get("m:C").getAs("score")).isEqualTo(55.0);
    assertThat((String) rows.get("m:C").getAs("tier")).isEqualTo("HIGH");
    assertThat((String) factor(rows.get("m:B"), "shared_credentials").getAs("evidence"))
        .contains("m:C");
    assertThat((String) factor(rows.get("bedrock:A"), "denied_attempts").getAs("evidence"))
        .contains("\"denied_attempts\":10");
    assertThat((String) rows.get("m:B").getAs("model_version")).isEqualTo("risk-model-v3");
  }

  @Test
  void everyRowListsEveryFactorZeroOnesIncluded(SparkSession spark) {
    for (Row agent : run(spark, RiskModel.defaults()).collectAsList()) {
      List<Row> factors = agent.getList(agent.fieldIndex("factors"));
      assertThat(factors.stream().map(f -> (String) f.getAs("factor")).toList())
          .containsExactlyElementsOf(RiskModel.FACTOR_NAMES);
      assertThat(factors).allSatisfy(f -> assertThat((String) f.getAs("evidence")).startsWith("{"));
    }
  }

  @Test
  void sameInputsAndModelGiveTheSameOutput(SparkSession spark) {
    DatasetAssert.assertSameRows(
        run(spark, RiskModel.defaults()), run(spark, RiskModel.defaults()));
  }

  @Test
  void weightsComeFromTheYamlModel(SparkSession spark) throws IOException {
    String yaml;
    try (InputStream in = RiskModel.class.getResourceAsStream(RiskModel.DEFAULT_RESOURCE)) {
      yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    String lighter =
        yaml.replace("version: risk-model-v3", "version: test-light")
            .replace("admin-reach:\n    weight: 50", "admin-reach:\n    weight: 10");
    RiskModel model =
        RiskModel.load(new ByteArrayInputStream(lighter.getBytes(StandardCharsets.UTF_8)));

    Row a = byAgent(run(spark, model)).get("bedrock:A");
    assertThat((double) a.getAs("score")).isEqualTo(47.5);
    assertThat((String) a.getAs("tier")).isEqualTo("HIGH");
    assertThat((String) a.getAs("model_version")).isEqualTo("test-light");
  }

  /**
   * Each threshold is the model's: B's key (180 days old) is not long-lived at 200 days; one orphan
   * reason counts in full at saturation 1; A's 60 denials in 30 days saturate at 10.
   */
  @Test
  void thresholdsComeFromTheYamlModel(SparkSession spark) throws IOException {
    String yaml = RiskModelTest.defaultYaml();
    String changed =
        yaml.replace("older-than-days: 90", "older-than-days: 200")
            .replace("    saturation: 2\n", "    saturation: 1\n")
            .replace("    days: 7\n    saturation: 20\n", "    days: 30\n    saturation: 10\n");
    assertThat(changed).doesNotContain("saturation: 2\n").doesNotContain("saturation: 20\n");
    Map<String, Row> rows =
        byAgent(
            run(
                spark,
                RiskModel.load(
                    new ByteArrayInputStream(changed.getBytes(StandardCharsets.UTF_8)))));

    // A: admin 50 + permissions management 25 + unused 1/2 x 15 + denied min(1, 60/10) x 10
    assertThat((double) rows.get("bedrock:A").getAs("score")).isEqualTo(92.5);
    assertThat((String) factor(rows.get("bedrock:A"), "denied_attempts").getAs("evidence"))
        .contains("\"denied_attempts\":60")
        .contains("\"days\":30")
        .contains("\"saturation\":10");
    // B: one orphan reason 1/1 x 30 + shared key 10 + no purpose 5; no long-lived key
    assertThat((double) rows.get("m:B").getAs("score")).isEqualTo(45.0);
    Row longLived = factor(rows.get("m:B"), "long_lived_credentials");
    assertThat((double) longLived.getAs("raw_value")).isEqualTo(0.0);
    assertThat((String) longLived.getAs("evidence"))
        .isEqualTo("{\"long_lived_keys\":[],\"older_than_days\":200}");
    assertThat((String) factor(rows.get("m:B"), "orphan_reasons").getAs("evidence"))
        .isEqualTo("{\"reasons\":[\"IDLE\"],\"saturation\":1}");
  }

  @Test
  void anEntraSecretOrCertificateStillValidAfterNinetyDaysIsLongLived(SparkSession spark) {
    String live = "entra:credential:live";
    String expired = "entra:credential:expired";
    String young = "entra:credential:young";
    Dataset<Row> agents =
        rows(
            spark,
            Tables.AGENTS,
            j(
                "{'agent_id':'entra:E','platform':'entra','native_id':'E','owner_match':'MATCHED',"
                    + "'purpose':'x','credential_ids':['%s','%s','%s']}"
                        .formatted(live, expired, young)));
    Dataset<Row> identities =
        rows(
            spark,
            Tables.IDENTITIES,
            credential(live, "client_secret", "2025-01-01", "2026-12-31"),
            credential(expired, "certificate", "2024-01-01", "2025-06-01"),
            credential(young, "client_secret", "2025-06-01", "2027-06-01"));
    Row e = byAgent(scoresOfCredentials(spark, agents, identities)).get("entra:E");
    Row longLived = factor(e, "long_lived_credentials");
    assertThat((double) longLived.getAs("raw_value")).isEqualTo(1.0);
    assertThat((String) longLived.getAs("evidence"))
        .contains(live)
        .contains("\"expires_at\":\"2026-12-31T00:00:00Z\"")
        .doesNotContain(expired)
        .doesNotContain(young);
  }

  /**
   * A credential still valid at the end of the run date whose end date is at most 30 days later is
   * expiring; one that lapsed on the run date, or ends later, is not. AS_OF is 2025-06-30.
   */
  @Test
  void aCredentialEndingWithinThirtyDaysIsExpiring(SparkSession spark) {
    String soon = "entra:credential:soon";
    String lapsed = "entra:credential:lapsed";
    String later = "entra:credential:later";
    Dataset<Row> agents =
        rows(
            spark,
            Tables.AGENTS,
            j(
                "{'agent_id':'entra:E','platform':'entra','native_id':'E','owner_match':'MATCHED',"
                    + "'purpose':'x','credential_ids':['%s','%s','%s']}"
                        .formatted(soon, lapsed, later)),
            j(
                "{'agent_id':'entra:F','platform':'entra','native_id':'F','owner_match':'MATCHED',"
                    + "'purpose':'x','credential_ids':['%s']}".formatted(later)));
    Dataset<Row> identities =
        rows(
            spark,
            Tables.IDENTITIES,
            credential(soon, "client_secret", "2025-06-01", "2025-07-30"),
            credential(lapsed, "certificate", "2025-06-01", "2025-06-30"),
            credential(later, "client_secret", "2025-06-01", "2025-07-31"));
    Map<String, Row> scores = byAgent(scoresOfCredentials(spark, agents, identities));
    Row e = factor(scores.get("entra:E"), "expiring_credentials");
    assertThat((double) e.getAs("raw_value")).isEqualTo(1.0);
    assertThat((double) e.getAs("contribution")).isEqualTo(5.0);
    assertThat((String) e.getAs("evidence"))
        .contains(soon)
        .contains("\"days_left\":30")
        .contains("\"within_days\":30")
        .doesNotContain(lapsed)
        .doesNotContain(later);
    Row f = factor(scores.get("entra:F"), "expiring_credentials");
    assertThat((double) f.getAs("raw_value")).isEqualTo(0.0);
    assertThat((String) f.getAs("evidence"))
        .isEqualTo("{\"expiring_credentials\":[],\"within_days\":30}");
  }

  /** One principal_daily row of an IAM user's access key, with its clients "CLASS ip event". */
  private static String keyDay(String key, String day, String... clients) {
    StringBuilder list = new StringBuilder();
    for (String c : clients) {
      String[] f = c.split(" ");
      list.append(list.length() == 0 ? "" : ",")
          .append(
              ("{'source_ip':'%s','user_agent_class':'%s','user_agent':'%s','event_count':3,"
                      + "'first_time':'%sT09:00:00Z','sample_event_id':'%s'}")
                  .formatted(
                      f[1], f[0], f[0].toLowerCase(java.util.Locale.ROOT) + "/1", day, f[2]));
    }
    return j(
        ("{'principal_id':'aws:arn:aws:iam::111122223333:user/svc','identity_type':'IAMUser',"
                + "'access_key_id':'%s','day':'%s','event_count':9,'success_count':9,"
                + "'first_time':'%sT09:00:00Z','last_time':'%sT10:00:00Z','sample_event_id':'x',"
                + "'clients':[%s],'client_count':%d}")
            .formatted(key, day, day, day, list, clients.length));
  }

  private static String keyAgent(String id, String key) {
    return j(
        ("{'agent_id':'%s','platform':'manifest','native_id':'%s','owner_match':'MATCHED',"
                + "'purpose':'x','credential_ids':['aws:access_key:%s']}")
            .formatted(id, id, key));
  }

  /**
   * OWASP NHI10: a person using the agent's access key. H's key is used once with the AWS CLI from
   * an address its SDK calls never come from; W's from a browser. N's own automation from its usual
   * address, and the CLI from that same address, are the agent; O's human-looking use is older than
   * the model's 30 days; F's CLI address cannot be judged because a day had more clients than
   * principal_daily keeps.
   */
  @Test
  void aPersonUsingTheAgentsAccessKeyIsHumanUse(SparkSession spark) {
    Dataset<Row> agents =
        rows(
            spark,
            Tables.AGENTS,
            keyAgent("m:H", "AKIAHUMAN"),
            keyAgent("m:W", "AKIAWEB"),
            keyAgent("m:N", "AKIANORMAL"),
            keyAgent("m:O", "AKIAOLD"),
            keyAgent("m:F", "AKIAFULL"));
    Dataset<Row> principalDaily =
        rows(
            spark,
            Tables.PRINCIPAL_DAILY,
            keyDay("AKIAHUMAN", "2025-06-28", "SDK 10.0.0.1 h1", "CLI 203.0.113.9 h-human"),
            keyDay("AKIAHUMAN", "2025-06-29", "SDK 10.0.0.1 h2"),
            keyDay("AKIAWEB", "2025-06-20", "SDK 10.0.0.3 w1", "BROWSER 10.0.0.3 w-browser"),
            keyDay("AKIANORMAL", "2025-06-28", "SDK 10.0.0.2 n1", "CLI 10.0.0.2 n2"),
            keyDay("AKIANORMAL", "2025-06-29", "SDK 10.0.0.2 n3"),
            keyDay("AKIAOLD", "2025-05-31", "SDK 10.0.0.4 o1", "CLI 203.0.113.9 o-human"),
            keyDay("AKIAOLD", "2025-06-29", "SDK 10.0.0.4 o2"),
            keyDay("AKIAFULL", "2025-06-29", "SDK 10.0.0.5 f1", "CLI 203.0.113.9 f2")
                .replace("\"client_count\":2", "\"client_count\":" + (Tables.MAX_CLIENTS + 1)));
    Map<String, Row> scores =
        byAgent(
            scoresOfCredentials(
                spark,
                agents,
                spark.createDataFrame(List.of(), Tables.IDENTITIES.schema()),
                principalDaily));

    Row h = factor(scores.get("m:H"), "human_use_of_credentials");
    assertThat((double) h.getAs("raw_value")).isEqualTo(1.0);
    assertThat((double) h.getAs("contribution")).isEqualTo(15.0);
    assertThat((String) h.getAs("owasp")).isEqualTo("NHI10");
    assertThat((String) h.getAs("evidence"))
        .contains("\"credential_id\":\"aws:access_key:AKIAHUMAN\"")
        .contains("\"days\":[\"2025-06-28\"]")
        .contains("\"signals\":[\"cli_from_ip_automation_never_uses\"]")
        .contains("\"source_ips\":[\"203.0.113.9\"]")
        .contains("\"sample_event_id\":\"h-human\"")
        .contains("\"days\":30")
        .doesNotContain("10.0.0.1");
    assertThat((String) factor(scores.get("m:W"), "human_use_of_credentials").getAs("evidence"))
        .contains("\"signals\":[\"browser_user_agent\"]")
        .contains("\"sample_event_id\":\"w-browser\"");
    for (String quiet : List.of("m:N", "m:O", "m:F")) {
      Row f = factor(scores.get(quiet), "human_use_of_credentials");
      assertThat((double) f.getAs("raw_value")).as(quiet).isEqualTo(0.0);
      assertThat((String) f.getAs("evidence"))
          .as(quiet)
          .isEqualTo("{\"human_use\":[],\"days\":30}");
    }
  }

  private static String credential(String id, String kind, String start, String end) {
    return j(
        ("{'identity_id':'%s','kind':'%s','source':'entra-id','status':'ACTIVE',"
                + "'created_at':'%sT00:00:00Z','attributes':{'expires_at':'%sT00:00:00Z'}}")
            .formatted(id, kind, start, end));
  }
}
