package io.agentlake.transforms;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.try_to_timestamp;

import org.apache.spark.sql.Column;

/**
 * Parsing the vendors' time text. Exports mix ISO-8601 with and without fractions and offsets, and
 * put words where a time is absent ("N/A", "no_information" in the credential report). Spark 4 runs
 * in ANSI mode, where a plain cast fails the whole job on such a value; these return null.
 */
public final class Times {

  private Times() {}

  /** ISO-8601 text to a timestamp; anything unparseable (including "N/A") becomes null. */
  public static Column parseIso(Column text) {
    return coalesce(try_to_timestamp(text), try_to_timestamp(text, lit("yyyy-MM-dd'T'HH:mm:ssX")));
  }

  /** A {@code YYYY-MM-DD} date; anything else becomes null. */
  public static Column parseDate(Column text) {
    return to_date(try_to_timestamp(text, lit("yyyy-MM-dd")));
  }
}
