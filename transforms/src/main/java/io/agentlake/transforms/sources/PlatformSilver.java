package io.agentlake.transforms.sources;

import io.agentlake.schemas.vocabulary.Platform;
import java.time.LocalDate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A platform's share of the platform-neutral silver model, computed inside its source package: its
 * grants ({@code silver.entitlements}), which of them its logs show used ({@code
 * silver.activity_daily}) and on which days those logs were collected ({@code
 * silver.observation_coverage}), all with its {@code platform}. The correlate job calls every
 * registered one ({@link Sources#platforms()}), so a new platform is its package plus one line
 * there; the findings over these tables are computed once for every platform.
 *
 * <p>AWS is not one of these yet: its entitlements (policy evaluation with NotAction, boundaries
 * and Deny) and its incremental CloudTrail aggregates are written by the correlate job itself.
 */
public interface PlatformSilver {

  /** The bronze rows a mapping reads: of committed ingests only. */
  interface Bronze {
    /** The latest version of each record of {@code recordType}, by {@code keys}. */
    Dataset<Row> latest(String recordType, String... keys);

    /** Every row of {@code recordType} (events, not snapshots). */
    Dataset<Row> all(String recordType);
  }

  Platform platform();

  /** What the platform's logs cannot show about the use of its grants. */
  UsageObservability observability();

  /**
   * The platform's current grants as {@code silver.entitlements} rows, valid from {@code runDate}.
   */
  Dataset<Row> entitlements(Bronze bronze, LocalDate runDate);

  /** Its {@code silver.activity_daily} rows, over all of its bronze. */
  Dataset<Row> activity(Bronze bronze);

  /** Its {@code silver.observation_coverage} rows, over all of its bronze. */
  Dataset<Row> coverage(Bronze bronze);
}
