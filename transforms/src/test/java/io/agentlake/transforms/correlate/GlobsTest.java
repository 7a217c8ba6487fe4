package io.agentlake.transforms.correlate;

import static io.agentlake.testing.Fixtures.j;
import static io.agentlake.testing.Fixtures.rows;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.rlike;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentlake.testing.SharedSpark;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The one IAM glob: both of its forms agree, and neither lets a pattern act as a regex. */
@ExtendWith(SharedSpark.class)
class GlobsTest {

  private static Dataset<Row> pairs(SparkSession spark) {
    return rows(
        spark,
        "id STRING, value STRING, glob STRING",
        j("{'id':'star','value':'s3:GetObject','glob':'s3:Get*'}"),
        j("{'id':'case','value':'S3:GETOBJECT','glob':'s3:getobject'}"),
        j("{'id':'question','value':'s3:GetObjectAcl','glob':'s3:GetObject???'}"),
        j("{'id':'question-short','value':'s3:GetObjectA','glob':'s3:GetObject???'}"),
        j("{'id':'anchored','value':'xs3:GetObject','glob':'s3:Get*'}"),
        j("{'id':'dot-is-literal','value':'arn:aws:s3:::aXb','glob':'arn:aws:s3:::a.b'}"),
        j("{'id':'plus-is-literal','value':'iam:aa','glob':'iam:a+'}"),
        j("{'id':'across-slash','value':'arn:aws:s3:::b/k/x','glob':'arn:aws:s3:::b/*'}"));
  }

  private static List<String> matching(Dataset<Row> rows) {
    return rows.select("id").as(Encoders.STRING()).collectAsList().stream().sorted().toList();
  }

  @Test
  void bothFormsMatchTheSamePairs(SparkSession spark) {
    Dataset<Row> pairs = pairs(spark);
    List<String> lowered = matching(pairs.filter(Globs.matches(col("value"), col("glob"))));
    List<String> flagged =
        matching(pairs.filter(rlike(col("value"), Globs.toCaseInsensitiveRegex(col("glob")))));

    assertThat(lowered).containsExactly("across-slash", "case", "question", "star");
    assertThat(flagged).isEqualTo(lowered);
  }
}
