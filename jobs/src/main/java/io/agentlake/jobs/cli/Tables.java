package io.agentlake.jobs.cli;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;

/** Plain-text tables for the terminal: column widths from the data, long cells cut. */
final class Tables {

  static final int MAX_CELL = 60;

  private Tables() {}

  static List<String> cells(Row r) {
    List<String> cells = new ArrayList<>();
    for (int i = 0; i < r.length(); i++) {
      Object v = r.get(i);
      cells.add(
          v == null
              ? null
              : v instanceof scala.collection.Iterable<?> it
                  ? it.mkString("[", ", ", "]")
                  : v.toString());
    }
    return cells;
  }

  static String render(String[] columns, List<Row> rows) {
    List<List<String>> body = new ArrayList<>();
    int[] width = new int[columns.length];
    for (int i = 0; i < columns.length; i++) {
      width[i] = columns[i].length();
    }
    for (Row r : rows) {
      List<String> cells = new ArrayList<>();
      List<String> raw = cells(r);
      for (int i = 0; i < columns.length; i++) {
        String c = raw.get(i) == null ? "NULL" : raw.get(i).replace('\n', ' ');
        if (c.length() > MAX_CELL) {
          c = c.substring(0, MAX_CELL - 3) + "...";
        }
        width[i] = Math.max(width[i], c.length());
        cells.add(c);
      }
      body.add(cells);
    }
    StringBuilder sb = new StringBuilder();
    line(sb, List.of(columns), width);
    StringBuilder rule = new StringBuilder();
    for (int i = 0; i < width.length; i++) {
      rule.append(i == 0 ? "" : "-+-").append("-".repeat(width[i]));
    }
    sb.append(rule).append('\n');
    for (List<String> cells : body) {
      line(sb, cells, width);
    }
    sb.append("(").append(rows.size()).append(rows.size() == 1 ? " row)\n" : " rows)\n");
    return sb.toString();
  }

  private static void line(StringBuilder sb, List<String> cells, int[] width) {
    for (int i = 0; i < cells.size(); i++) {
      sb.append(i == 0 ? "" : " | ").append(String.format("%-" + width[i] + "s", cells.get(i)));
    }
    sb.append('\n');
  }
}
