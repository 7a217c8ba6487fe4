package io.agentlake.jobs.cli;

import java.util.List;
import java.util.stream.Collectors;

/**
 * CSV meant for people's spreadsheets. A cell starting with {@code = + - @}, a tab or a carriage
 * return is prefixed with a single quote so a spreadsheet shows it as text instead of running it as
 * a formula (OWASP CSV injection); cells are quoted per RFC 4180.
 */
public final class CsvCells {

  private CsvCells() {}

  public static String row(List<String> cells) {
    return cells.stream().map(CsvCells::cell).collect(Collectors.joining(","));
  }

  public static String cell(String value) {
    if (value == null) {
      return "";
    }
    String v = value;
    if (!v.isEmpty() && "=+-@\t\r".indexOf(v.charAt(0)) >= 0) {
      v = "'" + v;
    }
    if (v.contains(",") || v.contains("\"") || v.contains("\n") || v.contains("\r")) {
      v = "\"" + v.replace("\"", "\"\"") + "\"";
    }
    return v;
  }
}
