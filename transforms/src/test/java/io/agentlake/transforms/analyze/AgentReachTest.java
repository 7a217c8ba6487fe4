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
class AgentReachTest {

  static final LocalDate AS_OF = LocalDate.of(2025, 6, 30);
  static final String A = "aws:arn:aws:iam::111122223333:role/a";
  static final String B = "aws:arn:aws:iam::111122223333:role/b";
  static final String C = "aws:arn:aws:iam::111122223333:role/c";
  static final String D = "aws:arn:aws:iam::111122223333:role/d";

  static Dataset<Row> agents(SparkSession spark) {
    return rows(
        spark,
        Tables.AGENTS,
        j("{'agent_id':'bedrock:X1','platform':'bedrock','native_id':'X1','owner_match':'NONE'}"));
  }

  static Dataset<Row> edge(SparkSession spark, String... json) {
    return rows(spark, Tables.IDENTITY_EDGES, json);
  }

  static String e(String src, String type, String dst) {
    return j(
        "{'src_id':'" + src + "','edge_type':'" + type + "','dst_id':'" + dst + "','source':'t'}");
  }

  static Map<String, Row> byPrincipal(Dataset<Row> out) {
    return out.collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getAs("principal_id"), r -> r));
  }

  @Test
  void followsATwoHopAssumeChainAndSurvivesACycle(SparkSession spark) {
    Dataset<Row> edges =
        edge(
            spark,
            e("agent:bedrock:X1", "USES", A),
            e(A, "CAN_ASSUME", B),
            e(B, "ASSUMED", C),
            e(C, "CAN_ASSUME", A),
            e(C, "CAN_ASSUME", B));

    Dataset<Row> out = AgentReach.compute(agents(spark), edges, AS_OF, 5);

    assertThat(out.schema().simpleString()).isEqualTo(Tables.AGENT_REACH.schema().simpleString());
    Map<String, Row> rows = byPrincipal(out);
    assertThat(rows).containsOnlyKeys(A, B, C);
    Row c = rows.get(C);
    assertThat((int) c.getAs("hops")).isEqualTo(3);
    assertThat(c.getList(c.fieldIndex("path"))).containsExactly("agent:bedrock:X1", A, B, C);
    assertThat((String) c.getAs("via")).isEqualTo("USES>CAN_ASSUME>ASSUMED");
    assertThat((int) rows.get(A).getAs("hops")).isEqualTo(1);
    assertThat(rows.get(C).getDate(rows.get(C).fieldIndex("as_of_date")).toLocalDate())
        .isEqualTo(AS_OF);
  }

  @Test
  void keepsTheFewestHopsAndTheSmallestPathAndStopsAtMaxHops(SparkSession spark) {
    Dataset<Row> edges =
        edge(
            spark,
            e("agent:bedrock:X1", "USES", B),
            e("agent:bedrock:X1", "USES", A),
            e(B, "CAN_ASSUME", C),
            e(A, "CAN_ASSUME", C),
            e(C, "CAN_ASSUME", D));

    Map<String, Row> two = byPrincipal(AgentReach.compute(agents(spark), edges, AS_OF, 2));
    assertThat(two).containsOnlyKeys(A, B, C);
    Row c = two.get(C);
    assertThat((int) c.getAs("hops")).isEqualTo(2);
    assertThat(c.getList(c.fieldIndex("path"))).containsExactly("agent:bedrock:X1", A, C);

    assertThat(byPrincipal(AgentReach.compute(agents(spark), edges, AS_OF, 3))).containsKey(D);
  }

  @Test
  void usesDeclaredCredentialsKeysAndIgnoresEdgesSeenAfterTheRunDate(SparkSession spark) {
    Dataset<Row> agents =
        rows(
            spark,
            Tables.AGENTS,
            j(
                "{'agent_id':'m:bot','platform':'manifest','native_id':'bot','owner_match':'NONE',"
                    + " 'credential_ids':['aws:access_key:AKIA1']}"));
    String user = "aws:arn:aws:iam::111122223333:user/bot";
    Dataset<Row> edges =
        edge(
            spark,
            e("aws:access_key:AKIA1", "KEY_OF", user),
            j(
                "{'src_id':'"
                    + user
                    + "','edge_type':'ASSUMED','dst_id':'"
                    + A
                    + "','source':'t','first_seen':'2025-07-02T00:00:00Z'}"));

    Map<String, Row> rows = byPrincipal(AgentReach.compute(agents, edges, AS_OF, 4));
    assertThat(rows).containsOnlyKeys("aws:access_key:AKIA1", user);
    assertThat((String) rows.get(user).getAs("via")).isEqualTo("USES>KEY_OF");
  }
}
