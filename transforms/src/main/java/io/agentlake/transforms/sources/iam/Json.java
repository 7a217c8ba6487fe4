package io.agentlake.transforms.sources.iam;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;

/**
 * Column helpers for JSON whose shape varies by document, as IAM policies do: a field may hold a
 * string or a list, an object or a list of objects. Parsing such a field as STRING keeps either
 * form as text; {@link #asArray} then turns both into an array.
 */
final class Json {

  static final ArrayType STRINGS = DataTypes.createArrayType(DataTypes.StringType);

  private Json() {}

  /**
   * A JSON text that is a list becomes its elements (as text); a scalar becomes a one-element list.
   */
  static Column asArray(Column jsonOrScalar) {
    return when(jsonOrScalar.isNull(), lit(null).cast(STRINGS))
        .when(
            trim(jsonOrScalar).startsWith("["),
            from_json(jsonOrScalar, STRINGS, Map.<String, String>of()))
        .otherwise(array(jsonOrScalar));
  }
}
