package io.agentlake.transforms.sources;

import io.agentlake.schemas.vocabulary.Platform;
import java.time.LocalDate;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A platform's share of the platform-neutral silver model, computed inside its source package: its
 * grants ({@code silver.entitlements}), which of them its logs show used ({@code
 * silver.activity_daily}) and on which days those logs were collected ({@code
 * silver.observation_coverage}), all with its {@code platform}. A source offers it through {@link
 * SourceSilver#permissions()}; the correlate job calls every registered one ({@link
 * Sources#platforms()}), and the findings over these tables are computed once for every platform.
 *
 * <p>AWS is one of these ({@code sources.iam.AwsPermissions}): its grants are IAM's policies
 * evaluated in its package (NotAction, boundaries, Deny), and its activity and coverage are
 * CloudTrail's day aggregates, which the job keeps incrementally by day instead of rebuilding them
 * ({@code CloudTrailAggregates}), so it offers none here.
 */
public interface PlatformSilver {

  Platform platform();

  /** What the platform's logs cannot show about the use of its grants. */
  UsageObservability observability();

  /**
   * The platform's current grants as {@code silver.entitlements} rows, valid from {@code runDate}.
   */
  Dataset<Row> entitlements(SilverInputs in, LocalDate runDate);

  /**
   * Its {@code silver.activity_daily} rows over all of its bronze, rebuilt every run; empty when
   * the job keeps the platform's activity incrementally.
   */
  default Optional<Dataset<Row>> activity(SilverInputs in) {
    return Optional.empty();
  }

  /**
   * Its {@code silver.observation_coverage} rows over all of its bronze, rebuilt every run; empty
   * when the job keeps the platform's coverage incrementally.
   */
  default Optional<Dataset<Row>> coverage(SilverInputs in) {
    return Optional.empty();
  }
}
