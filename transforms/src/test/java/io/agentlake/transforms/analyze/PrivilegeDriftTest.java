package io.agentlake.transforms.analyze;

import static io.agentlake.testing.Fixtures.j;
import static io.agentlake.testing.Fixtures.rows;
import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentlake.schemas.Tables;
import io.agentlake.schemas.vocabulary.DriftChange;
import io.agentlake.testing.SharedSpark;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedSpark.class)
class PrivilegeDriftTest {

  static final LocalDate PREV = LocalDate.of(2025, 6, 28);
  static final LocalDate AS_OF = LocalDate.of(2025, 6, 30);
  static final String APP = "aws:arn:aws:iam::111122223333:role/app";
  static final String DATA = "aws:arn:aws:iam::111122223333:role/data";

  static String grant(LocalDate d, String action, String verdict) {
    return j(
        ("{'as_of_date':'%s','principal_id':'%s','agent_ids':['bedrock:A'],'level':'GRANT',"
                + "'service':'s3','action_pattern':'%s','resource_pattern':'*','policy_name':'p',"
                + "'grant_path':'direct','verdict':'%s','denied_attempts':0,'observation_days':90,"
                + "'window_days':90,'evidence':'{}'}")
            .formatted(d, APP, action, verdict));
  }

  static String edge(LocalDate d, String agent, String principal) {
    return j(
        ("{'as_of_date':'%s','agent_id':'%s','principal_id':'%s','hops':1,"
                + "'path':['agent:%s','%s'],'via':'USES'}")
            .formatted(d, agent, principal, agent, principal));
  }

  static String score(LocalDate d, String agent, double score, double admin) {
    return j(
        ("{'as_of_date':'%s','agent_id':'%s','platform':'bedrock','score':%s,'tier':'LOW',"
                + "'model_version':'v1','factors':[{'factor':'admin_reach','raw_value':%s,"
                + "'weight':50.0,'contribution':%s,'owasp':'NHI5','evidence':'{}'},"
                + "{'factor':'no_purpose','raw_value':1.0,'weight':5.0,'contribution':5.0,"
                + "'owasp':'NHI1','evidence':'{}'}]}")
            .formatted(d, agent, score, admin / 50.0, admin));
  }

  static String used(String principal, String action, String day, long ok) {
    return j(
        ("{'principal_id':'%s','platform':'aws','action':'%s','resource':'*','day':'%s',"
                + "'event_category':'Management','success_count':%d,'denied_count':0,"
                + "'first_time':'%sT01:00:00Z','last_time':'%sT02:00:00Z','sample_event_id':'e-%s'}")
            .formatted(principal, action, day, ok, day, day, day));
  }

  Dataset<Row> drift(SparkSession spark, LocalDate previous, double threshold) {
    Dataset<Row> unused =
        rows(
            spark,
            Tables.UNUSED_PRIVILEGES,
            grant(PREV, "s3:getobject", "USED"),
            grant(PREV, "s3:deleteobject", "UNUSED"),
            grant(AS_OF, "s3:getobject", "USED"),
            grant(AS_OF, "s3:putobject", "TOO_NEW"));
    Dataset<Row> reach =
        rows(
            spark,
            Tables.AGENT_REACH,
            edge(PREV, "bedrock:A", APP),
            edge(PREV, "bedrock:B", DATA),
            edge(AS_OF, "bedrock:A", APP),
            edge(AS_OF, "bedrock:A", DATA));
    Dataset<Row> scores =
        rows(
            spark,
            Tables.RISK_SCORES,
            score(PREV, "bedrock:A", 5.0, 0.0),
            score(AS_OF, "bedrock:A", 55.0, 50.0),
            score(PREV, "bedrock:C", 20.0, 0.0),
            score(AS_OF, "bedrock:C", 25.0, 0.0));
    Dataset<Row> activity =
        rows(
            spark,
            Tables.ACTIVITY_DAILY,
            used(APP, "s3:getobject", "2025-06-01", 3),
            used(APP, "s3:getobject", "2025-06-30", 3),
            used(APP, "s3:putobject", "2025-06-28", 1),
            used(APP, "s3:putobject", "2025-06-29", 1),
            used(APP, "s3:listbucket", "2025-06-29", 0),
            used(APP, "s3:listbucket", "2025-06-30", 2),
            used(APP, "sts:getcalleridentity", "2025-07-01", 1));
    return PrivilegeDrift.compute(unused, reach, scores, activity, AS_OF, previous, threshold);
  }

  static Map<String, Row> bySubject(Dataset<Row> d) {
    Map<String, Row> out = new TreeMap<>();
    for (Row r : d.collectAsList()) {
      out.put(r.getAs("change_type") + " " + r.getAs("subject"), r);
    }
    return out;
  }

  @Test
  void everyKindOfChangeSinceThePreviousDate(SparkSession spark) {
    Dataset<Row> d = drift(spark, PREV, 10.0);
    assertThat(d.columns()).containsExactly(Tables.PRIVILEGE_DRIFT.schema().fieldNames());
    Map<String, Row> changes = bySubject(d);
    String grantSubject = APP + " s3:%s on * by p direct";
    assertThat(changes.keySet())
        .containsExactlyInAnyOrder(
            "GRANT_ADDED " + grantSubject.formatted("putobject"),
            "GRANT_REMOVED " + grantSubject.formatted("deleteobject"),
            "REACH_ADDED bedrock:A -> " + DATA,
            "REACH_REMOVED bedrock:B -> " + DATA,
            "FIRST_USE " + APP + " s3:listbucket",
            "SCORE_CHANGED bedrock:A");

    Row added = changes.get("GRANT_ADDED " + grantSubject.formatted("putobject"));
    assertThat(added.<String>getAs("before")).isNull();
    assertThat(added.<String>getAs("after")).isEqualTo("TOO_NEW");
    assertThat(added.<String>getAs("principal_id")).isEqualTo(APP);
    assertThat(added.getList(added.fieldIndex("agent_ids"))).containsExactly("bedrock:A");
    Row removed = changes.get("GRANT_REMOVED " + grantSubject.formatted("deleteobject"));
    assertThat(removed.<String>getAs("before")).isEqualTo("UNUSED");
    assertThat(removed.<String>getAs("after")).isNull();

    Row reachGone = changes.get("REACH_REMOVED bedrock:B -> " + DATA);
    assertThat(reachGone.getList(reachGone.fieldIndex("agent_ids"))).containsExactly("bedrock:B");
    assertThat(reachGone.<String>getAs("before")).isEqualTo("1");

    // s3:putobject was first used on the previous date itself, which that run reported; the
    // listbucket denial of 06-29 is not use; the call of 07-01 is after the run date.
    Row first = changes.get("FIRST_USE " + APP + " s3:listbucket");
    assertThat(first.<String>getAs("after")).isEqualTo("2025-06-30");
    assertThat(first.<String>getAs("evidence")).contains("e-2025-06-30");
    assertThat(first.getList(first.fieldIndex("agent_ids"))).containsExactly("bedrock:A");

    Row score = changes.get("SCORE_CHANGED bedrock:A");
    assertThat(score.<String>getAs("before")).isEqualTo("5.0");
    assertThat(score.<String>getAs("after")).isEqualTo("55.0");
    assertThat(score.<String>getAs("evidence"))
        .contains("\"delta\":50.0")
        .contains("admin_reach")
        .doesNotContain("no_purpose");
    assertThat(d.filter(col("previous_date").isNull()).count()).isZero();
  }

  @Test
  void aScoreChangeBelowTheThresholdIsNotDrift(SparkSession spark) {
    // bedrock:C moved 5 points: drift only when the threshold is at most 5.
    assertThat(bySubject(drift(spark, PREV, 10.0))).doesNotContainKey("SCORE_CHANGED bedrock:C");
    assertThat(bySubject(drift(spark, PREV, 5.0))).containsKey("SCORE_CHANGED bedrock:C");
    assertThat(bySubject(drift(spark, PREV, 60.0))).doesNotContainKey("SCORE_CHANGED bedrock:A");
  }

  @Test
  void withoutAnEarlierDateTheDateIsABaseline(SparkSession spark) {
    List<Row> rows = drift(spark, null, 10.0).collectAsList();
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).<String>getAs("change_type")).isEqualTo(DriftChange.BASELINE.value());
    assertThat(rows.get(0).<Object>getAs("previous_date")).isNull();
    assertThat(rows.get(0).<String>getAs("evidence")).contains("nothing to compare");
  }

  @Test
  void thePreviousDateMustBeEarlier(SparkSession spark) {
    assertThatThrownBy(() -> drift(spark, AS_OF, 10.0))
        .hasMessageContaining("previous run date must be earlier");
  }
}
