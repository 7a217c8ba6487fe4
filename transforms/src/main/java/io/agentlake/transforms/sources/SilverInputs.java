package io.agentlake.transforms.sources;

import io.agentlake.schemas.TableContract;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * What a source's silver mapping reads: the bronze rows of committed ingests, and the silver tables
 * the correlate job has already brought up to date this run ({@code silver.principal_daily}, the
 * current {@code silver.entitlements}).
 */
public interface SilverInputs {

  /** The latest version of each record of {@code recordType}, by {@code keys}. */
  Dataset<Row> latest(String recordType, String... keys);

  /** Every row of {@code recordType} (events, not snapshots). */
  Dataset<Row> all(String recordType);

  /**
   * A silver table written earlier in this run: {@code silver.principal_daily} over all of history,
   * or {@code silver.entitlements}' current grants.
   */
  Dataset<Row> silver(TableContract table);
}
