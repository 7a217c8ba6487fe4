package io.agentlake.transforms.analyze;

import static org.apache.spark.sql.functions.array_join;
import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.split;

import io.agentlake.schemas.vocabulary.EdgeType;
import io.agentlake.schemas.vocabulary.RiskFactCategory;
import io.agentlake.transforms.Utc;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;

/**
 * The escalation methods that run code on compute already acting as a role (issue 14): whether such
 * compute can run as a role more privileged than the caller. Part of {@link PrincipalRiskFacts}.
 */
final class ComputeEscalation {

  /** An instance profile's id: its CAN_ASSUME edges lead to the role it holds. */
  static final String INSTANCE_PROFILE = "^aws:arn:aws[a-z-]*:iam::[0-9]{12}:instance-profile/.+";

  private ComputeEscalation() {}

  /**
   * Methods that run code on compute which already acts as a role ({@code target} in {@code
   * compute-escalation-methods.json}) give something only if such compute runs as a more privileged
   * role:
   *
   * <ul>
   *   <li>{@link RiskFactCatalog#TARGET_EC2_ROLE} (ssm:SendCommand, ssm:StartSession): the method
   *       counts only when a role of the principal's account that an instance can run as (an
   *       instance profile holds it, {@code InstanceProfileList}, and its trust policy names
   *       ec2.amazonaws.com) holds a fact the principal does not hold itself; the evidence names
   *       those roles and profiles. Always conditional: which instances run, and with which
   *       profile, is not in the IAM export.
   *   <li>{@link RiskFactCatalog#TARGET_CLOUDFORMATION_STACK} (UpdateStack, change sets): always
   *       conditional, stacks and their service roles not being in the IAM export.
   * </ul>
   */
  static Dataset<Row> targeted(
      Dataset<Row> direct, Dataset<Row> edges, RiskFactCatalog catalog, LocalDate asOf) {
    List<Row> targetRows = new ArrayList<>();
    for (RiskFactCatalog.Fact f : catalog.facts()) {
      if (f.target() != null && f.category() == RiskFactCategory.PRIVILEGE_ESCALATION) {
        targetRows.add(RowFactory.create(f.name(), f.target()));
      }
    }
    Dataset<Row> targets =
        direct
            .sparkSession()
            .createDataFrame(targetRows, StructType.fromDDL("fact STRING, target STRING"));
    Column escalation = col("category").equalTo(RiskFactCategory.PRIVILEGE_ESCALATION.value());
    Dataset<Row> withTarget =
        direct.join(broadcast(targets), new String[] {"fact"}, "left").localCheckpoint();
    Dataset<Row> untargeted = withTarget.filter(not(escalation).or(col("target").isNull()));

    Dataset<Row> canAssume =
        edges
            .filter(col("edge_type").equalTo(EdgeType.CAN_ASSUME.value()))
            .filter(col("first_seen").isNull().or(Utc.atOrBefore(col("first_seen"), asOf)));
    // A role an instance can run as: EC2 may assume it, and an instance profile holds it.
    Dataset<Row> ec2Roles =
        canAssume
            .filter(lower(col("src_id")).equalTo("aws:service:ec2.amazonaws.com"))
            .select(col("dst_id").as("role_id"))
            .join(
                canAssume
                    .filter(col("src_id").rlike(INSTANCE_PROFILE))
                    .select(col("dst_id").as("role_id"), col("src_id").as("profile_id")),
                "role_id")
            .groupBy("role_id")
            .agg(array_join(array_sort(collect_set(col("profile_id"))), ", ").as("profiles"));
    Dataset<Row> roleFacts =
        direct.select(
            col("principal_id").as("role_id"), col("category").as("rc"), col("fact").as("rf"));
    Dataset<Row> ownFacts =
        direct.select(
            col("principal_id").as("own_id"), col("category").as("oc"), col("fact").as("of"));
    Dataset<Row> ec2Methods =
        withTarget.filter(escalation.and(col("target").equalTo(RiskFactCatalog.TARGET_EC2_ROLE)));
    Column accountOfPrincipal = split(col("principal_id"), ":").getItem(5);
    Dataset<Row> candidates =
        ec2Methods
            .select(col("principal_id"), col("fact"), accountOfPrincipal.as("acct"))
            .join(ec2Roles, split(col("role_id"), ":").getItem(5).equalTo(col("acct")))
            .filter(col("role_id").notEqual(col("principal_id")));
    Dataset<Row> morePrivileged =
        candidates
            .join(roleFacts, "role_id")
            .join(
                ownFacts,
                col("own_id")
                    .equalTo(col("principal_id"))
                    .and(col("oc").equalTo(col("rc")))
                    .and(col("of").equalTo(col("rf"))),
                "left_anti")
            .groupBy("principal_id", "fact")
            .agg(
                array_sort(
                        collect_set(
                            concat(col("role_id"), lit(" (in "), col("profiles"), lit(")"))))
                    .as("roles"));
    Dataset<Row> ec2 =
        upperBound(
                ec2Methods.join(morePrivileged, new String[] {"principal_id", "fact"}),
                lit("it runs code on EC2 instances, which may run as "),
                array_join(col("roles"), ", "),
                lit(
                    " (roles in an instance profile, that EC2 may assume and that hold"
                        + " facts this principal lacks); which instances run, and with which"
                        + " profile, is not in the IAM export"))
            .drop("roles");
    Dataset<Row> stacks =
        upperBound(
            withTarget.filter(
                escalation.and(col("target").equalTo(RiskFactCatalog.TARGET_CLOUDFORMATION_STACK))),
            lit(
                "it runs with the service role of an existing CloudFormation stack, and stacks are"
                    + " not in the IAM export"));
    Column[] columns =
        java.util.Arrays.stream(direct.columns()).map(c -> col(c)).toArray(Column[]::new);
    return untargeted
        .select(columns)
        .unionByName(ec2.select(columns))
        .unionByName(stacks.select(columns));
  }

  /** {@code facts} marked conditional, their evidence saying why they are an upper bound. */
  private static Dataset<Row> upperBound(Dataset<Row> facts, Column... why) {
    Column[] parts = new Column[why.length + 2];
    parts[0] = col("evidence");
    parts[1] = lit("; an upper bound all the same: ");
    System.arraycopy(why, 0, parts, 2, why.length);
    return facts.withColumn("conditional", lit(true)).withColumn("evidence", concat(parts));
  }
}
