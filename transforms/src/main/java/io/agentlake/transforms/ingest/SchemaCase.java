package io.agentlake.transforms.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Renames a record's keys to the case its schema spells them in ({@code "Type"} to {@code "type"}),
 * at every level the schema describes, for sources whose exports are not consistent about case. A
 * key is renamed only when the schema's spelling is absent, so nothing is overwritten.
 */
public final class SchemaCase {

  private SchemaCase() {}

  public static void apply(ObjectNode record, StructType schema) {
    Map<String, StructField> byLowerName = new java.util.HashMap<>();
    for (StructField f : schema.fields()) {
      byLowerName.put(f.name().toLowerCase(Locale.ROOT), f);
    }
    for (String key : new ArrayList<>(iterable(record))) {
      StructField field = byLowerName.get(key.toLowerCase(Locale.ROOT));
      if (field == null) {
        continue;
      }
      if (!key.equals(field.name()) && !record.has(field.name())) {
        record.set(field.name(), record.remove(key));
      }
      descend(record.get(field.name()), field.dataType());
    }
  }

  private static void descend(JsonNode value, DataType type) {
    if (value == null) {
      return;
    }
    if (type instanceof StructType struct && value instanceof ObjectNode object) {
      apply(object, struct);
    } else if (type instanceof ArrayType array && value.isArray()) {
      for (JsonNode element : value) {
        descend(element, array.elementType());
      }
    }
  }

  private static java.util.List<String> iterable(ObjectNode record) {
    java.util.List<String> names = new ArrayList<>();
    record.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
