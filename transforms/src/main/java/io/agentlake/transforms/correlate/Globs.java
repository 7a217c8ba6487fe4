package io.agentlake.transforms.correlate;

import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.regexp_like;
import static org.apache.spark.sql.functions.regexp_replace;

import org.apache.spark.sql.Column;

/**
 * IAM glob matching as Spark columns: {@code *} is any run of characters (across {@code /} and
 * {@code :}), {@code ?} is one character, matching is case-insensitive. Every other regex
 * metacharacter in a pattern is escaped, so a pattern can never turn into an unintended regex.
 */
public final class Globs {

  private Globs() {}

  /** The anchored, case-insensitive regex for an IAM glob pattern column. */
  public static Column toRegex(Column glob) {
    Column escaped = regexp_replace(lower(glob), "([.+^$(){}|\\[\\]\\\\])", "\\\\$1");
    Column star = regexp_replace(escaped, "\\*", ".*");
    Column question = regexp_replace(star, "\\?", ".");
    return concat(lit("^"), question, lit("$"));
  }

  /**
   * The same regex with a {@code (?i)} flag, for values that are not lower-cased first (rlike
   * against a column of patterns).
   */
  public static Column toCaseInsensitiveRegex(Column glob) {
    return concat(lit("(?i)"), toRegex(glob));
  }

  /** True where {@code value} matches the IAM glob {@code glob}. */
  public static Column matches(Column value, Column glob) {
    return regexp_like(lower(value), toRegex(glob));
  }
}
