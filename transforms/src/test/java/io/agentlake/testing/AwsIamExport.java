package io.agentlake.testing;

import io.agentlake.transforms.sources.iam.AwsIamSilver;
import io.agentlake.transforms.sources.iam.IamPolicies;
import java.time.LocalDate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The silver tables of an extracted IAM authorization-details export, computed now as the correlate
 * job writes them and the analyze job reads them back ({@link Frames#materialized}).
 */
public final class AwsIamExport {

  private AwsIamExport() {}

  /**
   * {@code silver.entitlements} of the export's users, groups, roles and policies on {@code day}.
   */
  public static Dataset<Row> entitlements(Extracted x, LocalDate day) {
    return Frames.materialized(
        IamPolicies.entitlements(
            IamPolicies.attachments(
                x.bronze("iam_user"),
                x.bronze("iam_group"),
                x.bronze("iam_role"),
                x.bronze("iam_policy")),
            day));
  }

  /**
   * The export's CAN_ASSUME edges: from its trust policies, judged against {@code entitlements},
   * and from its instance profiles to their roles.
   */
  public static Dataset<Row> canAssume(Extracted x, Dataset<Row> entitlements) {
    return Frames.materialized(
        AwsIamSilver.canAssume(
                IamPolicies.trustGrants(x.bronze("iam_role")),
                entitlements,
                AwsIamSilver.principalArns(x.bronze("iam_user"), x.bronze("iam_role")))
            .unionByName(AwsIamSilver.instanceProfiles(x.bronze("iam_role"))));
  }
}
