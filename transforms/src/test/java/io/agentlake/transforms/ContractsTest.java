package io.agentlake.transforms;

import static io.agentlake.testing.Fixtures.j;
import static io.agentlake.testing.Fixtures.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentlake.schemas.Tables;
import io.agentlake.testing.SharedSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedSpark.class)
class ContractsTest {

  @Test
  void selectsAndCastsToTheContractOrder(SparkSession spark) {
    Dataset<Row> data =
        rows(
            spark,
            "via STRING, hops BIGINT, path ARRAY<STRING>, principal_id STRING, agent_id STRING,"
                + " as_of_date STRING, extra STRING",
            j(
                "{'via':'USES','hops':1,'path':['a','b'],'principal_id':'b','agent_id':'a','as_of_date':'2025-06-30'}"));

    Dataset<Row> out = Contracts.conform(data, Tables.AGENT_REACH);

    assertThat(out.schema().simpleString()).isEqualTo(Tables.AGENT_REACH.schema().simpleString());
    assertThat(out.first().getInt(out.first().fieldIndex("hops"))).isEqualTo(1);
  }

  @Test
  void aMissingColumnIsAnErrorNotANull(SparkSession spark) {
    Dataset<Row> data = rows(spark, "agent_id STRING", j("{'agent_id':'a'}"));
    assertThatThrownBy(() -> Contracts.conform(data, Tables.AGENT_REACH))
        .hasMessageContaining("gold.agent_reach")
        .hasMessageContaining("principal_id");
  }
}
