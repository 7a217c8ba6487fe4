package io.agentlake.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/** One table written by a stage: rows out and how long computing and writing it took. */
public record TableWrite(long rows, long millis) {

  /** Puts {@code {table: {rows, ms}}} under {@code tables} of a report stage. */
  public static void report(ObjectNode stage, Map<String, TableWrite> writes) {
    ObjectNode tables = stage.putObject("tables");
    writes.forEach(
        (name, w) -> {
          ObjectNode t = tables.putObject(name);
          t.put("rows", w.rows());
          t.put("ms", w.millis());
        });
  }
}
