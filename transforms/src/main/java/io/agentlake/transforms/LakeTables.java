package io.agentlake.transforms;

import io.agentlake.schemas.SourceRecordType;
import io.agentlake.schemas.TableContract;
import io.agentlake.schemas.TableContract.Layer;
import io.agentlake.schemas.Tables;
import io.agentlake.transforms.sources.Sources;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every table in the lake: one bronze table per record type the registered sources declare, then
 * the tables {@link Tables} declares (quarantine, ledger, silver, gold). What creates, maintains
 * and compares the lake asks here, so a new source's bronze tables are part of it with no other
 * change.
 */
public final class LakeTables {

  private static final Map<String, TableContract> ALL = new LinkedHashMap<>();

  static {
    for (SourceRecordType type : Sources.recordTypes()) {
      ALL.putIfAbsent("bronze." + type.bronzeTable(), Tables.bronzeOf(type));
    }
    for (TableContract t : Tables.nonBronze()) {
      if (ALL.put(t.name(), t) != null) {
        throw new IllegalStateException("Table " + t.name() + " is declared twice (a bug)");
      }
    }
  }

  private LakeTables() {}

  public static List<TableContract> all() {
    return List.copyOf(ALL.values());
  }

  public static Optional<TableContract> byName(String name) {
    return Optional.ofNullable(ALL.get(name));
  }

  public static List<TableContract> ofLayer(Layer layer) {
    List<TableContract> tables = new ArrayList<>();
    for (TableContract t : ALL.values()) {
      if (t.layer() == layer) {
        tables.add(t);
      }
    }
    return tables;
  }
}
