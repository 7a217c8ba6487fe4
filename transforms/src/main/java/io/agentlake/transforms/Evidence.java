package io.agentlake.transforms;

import static org.apache.spark.sql.functions.get_json_object;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;

import java.util.Map;
import org.apache.spark.sql.Column;

/**
 * Evidence columns: compact JSON built from a struct of the facts behind a finding. Timestamps are
 * written in UTC whatever the session time zone, so the same inputs give byte-identical evidence on
 * any cluster. Timestamps are written to the second, the precision of CloudTrail and the IdP
 * exports. Null facts are left out of the JSON.
 */
public final class Evidence {

  private static final Map<String, String> OPTIONS =
      Map.of("timeZone", "UTC", "timestampFormat", "yyyy-MM-dd'T'HH:mm:ss'Z'");

  private Evidence() {}

  public static Column json(Column struct) {
    return to_json(struct, OPTIONS);
  }

  /** A timestamp as the same UTC text {@link #json} writes, or null. */
  public static Column utcText(Column timestamp) {
    return get_json_object(json(struct(timestamp.as("t"))), "$.t");
  }
}
