package io.agentlake.transforms;

import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.apache.spark.sql.Column;

/**
 * UTC day arithmetic that does not depend on {@code spark.sql.session.timeZone}. The lake's days
 * are UTC days; Spark's {@code to_date(timestamp)} uses the session time zone, so a cluster
 * configured for another zone would shift every window by hours. Use these instead.
 */
public final class Utc {

  private static final long SECONDS_PER_DAY = 86_400L;

  private Utc() {}

  /** The first instant of {@code day} (UTC). */
  public static Instant startOf(LocalDate day) {
    return day.atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  /** The first instant after {@code day} (UTC): "at or before the end of day" is {@code < this}. */
  public static Instant endOf(LocalDate day) {
    return startOf(day.plusDays(1));
  }

  /** The UTC calendar day of a timestamp column. */
  public static Column day(Column timestamp) {
    return date_add(
        lit(LocalDate.EPOCH), floor(timestamp.cast("long").divide(SECONDS_PER_DAY)).cast("int"));
  }

  /** True when the timestamp is at or before the end of {@code day} (UTC). */
  public static Column atOrBefore(Column timestamp, LocalDate day) {
    return timestamp.lt(lit(endOf(day)));
  }
}
