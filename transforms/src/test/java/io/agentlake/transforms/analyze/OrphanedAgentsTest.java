package io.agentlake.transforms.analyze;

import static io.agentlake.testing.Fixtures.j;
import static io.agentlake.testing.Fixtures.rows;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentlake.schemas.Tables;
import io.agentlake.testing.SharedSpark;
import java.time.LocalDate;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedSpark.class)
class OrphanedAgentsTest {

  static final LocalDate AS_OF = LocalDate.of(2025, 6, 30);
  static final String ROLE = "aws:arn:aws:iam::111122223333:role/r1";

  static String agent(String id, String rest) {
    return j(
        "{'agent_id':'" + id + "','platform':'manifest','native_id':'" + id + "'," + rest + "}");
  }

  static String identity(String id, String kind, String status, String rest) {
    return j(
        "{'identity_id':'"
            + id
            + "','kind':'"
            + kind
            + "','source':'t','status':'"
            + status
            + "'"
            + (rest.isEmpty() ? "" : "," + rest)
            + "}");
  }

  Map<String, Row> run(SparkSession spark) {
    Dataset<Row> agents =
        rows(
            spark,
            Tables.AGENTS,
            agent(
                "a1",
                "'owner_match':'MATCHED','owner_identity_id':'okta:user:gone',"
                    + "'backup_owner_identity_ids':['okta:user:susp','okta:user:bk'],"
                    + "'credential_ids':['"
                    + ROLE
                    + "'],'purpose':'p'"),
            agent("a2", "'owner_match':'UNKNOWN','owner_ref':'ghost@example.com'"),
            agent("a3", "'owner_match':'NONE','end_date':'2025-06-01','project':'pilot'"),
            agent(
                "a4",
                "'owner_match':'MATCHED','owner_identity_id':'okta:user:ok',"
                    + "'created_at':'2025-01-01T00:00:00Z',"
                    + "'credential_ids':['openai:api_key:k1','openai:api_key:k2']"),
            agent(
                "a5",
                "'owner_match':'MATCHED','owner_identity_id':'okta:user:ok',"
                    + "'platform_status':'archived','platform_deleted_at':'2025-06-10T00:00:00Z',"
                    + "'credential_ids':['openai:api_key:k3']"),
            agent("a6", "'owner_match':'MATCHED','owner_identity_id':'okta:user:ok'"),
            agent(
                "a7",
                "'owner_match':'MATCHED','owner_identity_id':'okta:user:ok',"
                    + "'created_at':'2025-06-15T00:00:00Z','credential_ids':['openai:api_key:k2b']"),
            agent(
                "a8",
                "'owner_match':'MATCHED','owner_identity_id':'okta:user:ok',"
                    + "'platform_status':'archived','platform_deleted_at':'2025-07-05T00:00:00Z',"
                    + "'credential_ids':['"
                    + ROLE
                    + "']"),
            agent(
                "a9",
                "'owner_match':'MATCHED','owner_identity_id':'okta:user:ok',"
                    + "'created_at':'2025-01-01T00:00:00Z','credential_ids':['openai:api_key:k4']"));
    Dataset<Row> identities =
        rows(
            spark,
            Tables.IDENTITIES,
            identity(
                "okta:user:gone",
                "human",
                "DEPROVISIONED",
                "'status_changed_at':'2025-05-01T12:00:00Z'"),
            identity(
                "okta:user:susp",
                "human",
                "SUSPENDED",
                "'attributes':{'email':'susp@example.com'}"),
            identity("okta:user:bk", "human", "ACTIVE", "'attributes':{'email':'bk@example.com'}"),
            identity("okta:user:ok", "human", "ACTIVE", ""),
            identity(
                "okta:user:mgr", "human", "ACTIVE", "'attributes':{'login':'mgr@example.com'}"),
            identity(ROLE, "role", "ACTIVE", ""),
            identity(
                "openai:api_key:k1", "api_key", "ACTIVE", "'last_seen_at':'2025-04-01T00:00:00Z'"),
            identity("openai:api_key:k2", "api_key", "INACTIVE", ""),
            identity("openai:api_key:k2b", "api_key", "ACTIVE", ""),
            identity(
                "openai:api_key:k3", "api_key", "ACTIVE", "'last_seen_at':'2025-06-20T00:00:00Z'"),
            identity(
                "openai:api_key:k4", "api_key", "ACTIVE", "'last_seen_at':'2025-07-03T00:00:00Z'"));
    Dataset<Row> edges =
        rows(
            spark,
            Tables.IDENTITY_EDGES,
            j(
                "{'src_id':'okta:user:ok','edge_type':'MANAGED_BY','dst_id':'okta:user:mgr','source':'okta'}"),
            j(
                "{'src_id':'agent:a6','edge_type':'USES','dst_id':'"
                    + ROLE
                    + "','source':'bedrock'}"));
    Dataset<Row> activity =
        rows(
            spark,
            Tables.ACTIVITY_DAILY,
            j(
                "{'principal_id':'"
                    + ROLE
                    + "','platform':'aws','action':'s3:getobject','resource':'*','day':'2025-06-29',"
                    + "'event_category':'Data','success_count':1,'denied_count':0,"
                    + "'first_time':'2025-06-29T10:00:00Z','last_time':'2025-06-29T11:00:00Z','sample_event_id':'e1'}"));

    Dataset<Row> out = OrphanedAgents.compute(agents, identities, edges, activity, AS_OF, 30);
    assertThat(out.schema().simpleString())
        .isEqualTo(Tables.ORPHANED_AGENTS.schema().simpleString());
    return out.collectAsList().stream().collect(Collectors.toMap(r -> r.getAs("agent_id"), r -> r));
  }

  static Object reasons(Row r) {
    return r.getList(r.fieldIndex("reasons"));
  }

  static String detail(Row r, String reason) {
    return r.<Row>getList(r.fieldIndex("evidence")).stream()
        .filter(e -> e.getString(0).equals(reason))
        .map(e -> e.getString(1))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void flagsEachReasonAndNothingForHealthyAgents(SparkSession spark) {
    Map<String, Row> out = run(spark);

    assertThat(out).containsOnlyKeys("a1", "a2", "a3", "a4", "a5", "a9");
    assertThat(reasons(out.get("a1"))).asList().containsExactly("OWNER_DEPROVISIONED");
    assertThat(reasons(out.get("a2"))).asList().containsExactly("OWNER_UNKNOWN");
    assertThat(reasons(out.get("a3"))).asList().containsExactly("NO_OWNER", "PROJECT_ENDED");
    assertThat(reasons(out.get("a4"))).asList().containsExactly("IDLE");
    assertThat(reasons(out.get("a5"))).asList().containsExactly("DANGLING_CREDENTIAL");
    assertThat(reasons(out.get("a9"))).asList().containsExactly("IDLE");
  }

  @Test
  void evidenceNamesTheFacts(SparkSession spark) {
    Map<String, Row> out = run(spark);

    assertThat(detail(out.get("a1"), "OWNER_DEPROVISIONED"))
        .contains("\"status\":\"DEPROVISIONED\"")
        .contains("\"since\":\"2025-05-01T12:00:00Z\"");
    assertThat((String) out.get("a1").getAs("owner_status")).isEqualTo("DEPROVISIONED");
    assertThat(detail(out.get("a4"), "IDLE"))
        .contains(
            "{\"identity_id\":\"openai:api_key:k1\",\"status\":\"ACTIVE\",\"last_activity\":\"2025-04-01T00:00:00Z\"}")
        .contains(
            "{\"identity_id\":\"openai:api_key:k2\",\"status\":\"INACTIVE\",\"last_activity\":\"never\"}");
    assertThat(detail(out.get("a5"), "DANGLING_CREDENTIAL"))
        .contains("openai:api_key:k3")
        .contains("\"used_after_deletion\":\"2025-06-20T00:00:00Z\"");
    assertThat(
            out.get("a1").getTimestamp(out.get("a1").fieldIndex("last_activity_time")).toInstant())
        .isEqualTo(java.time.Instant.parse("2025-06-29T11:00:00Z"));
    assertThat((Object) out.get("a9").getAs("last_activity_time")).isNull();
  }

  @Test
  void suggestsTheFirstActiveBackupElseTheOwnersManager(SparkSession spark) {
    Map<String, Row> out = run(spark);

    Row a1 = out.get("a1");
    assertThat((String) a1.getAs("suggested_successor")).isEqualTo("bk@example.com");
    assertThat((String) a1.getAs("successor_reason"))
        .contains("first active backup owner")
        .contains("position 2");
    Row a4 = out.get("a4");
    assertThat((String) a4.getAs("suggested_successor")).isEqualTo("mgr@example.com");
    assertThat((String) a4.getAs("successor_reason")).contains("manager");
    Row a2 = out.get("a2");
    assertThat((Object) a2.getAs("suggested_successor")).isNull();
    assertThat((String) a2.getAs("successor_reason")).startsWith("none:");
  }
}
