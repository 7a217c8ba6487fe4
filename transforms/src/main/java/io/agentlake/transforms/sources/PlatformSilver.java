package io.agentlake.transforms.sources;

import io.agentlake.schemas.vocabulary.Platform;
import java.time.LocalDate;
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
 * <p>AWS is not one of these yet: its entitlements (policy evaluation with NotAction, boundaries
 * and Deny) and its incremental CloudTrail aggregates are written by the correlate job itself.
 */
public interface PlatformSilver {

  Platform platform();

  /** What the platform's logs cannot show about the use of its grants. */
  UsageObservability observability();

  /**
   * The platform's current grants as {@code silver.entitlements} rows, valid from {@code runDate}.
   */
  Dataset<Row> entitlements(SilverInputs in, LocalDate runDate);

  /** Its {@code silver.activity_daily} rows, over all of its bronze. */
  Dataset<Row> activity(SilverInputs in);

  /** Its {@code silver.observation_coverage} rows, over all of its bronze. */
  Dataset<Row> coverage(SilverInputs in);
}
