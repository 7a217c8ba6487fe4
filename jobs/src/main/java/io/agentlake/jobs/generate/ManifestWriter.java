package io.agentlake.jobs.generate;

import io.agentlake.jobs.generate.Org.Agent;
import java.io.IOException;
import java.io.Writer;
import java.util.List;

/** Writes {@code agent-manifest/agents.csv}: one row per agent its owners registered (RFC 4180). */
final class ManifestWriter {
  static final String HEADER =
      "agent_id,name,platform,owner,backup_owners,purpose,credentials,project,end_date";

  private final Org org;
  private final ExportSink sink;

  ManifestWriter(Org org, ExportSink sink) {
    this.org = org;
    this.sink = sink;
  }

  void write() throws IOException {
    try (Writer w = sink.text("agent-manifest/agents.csv")) {
      w.write(HEADER + "\n");
      for (Agent a : org.agents) {
        if (!a.inManifest) {
          continue;
        }
        List<String> cells =
            List.of(
                a.localId,
                a.name,
                a.platform.code,
                a.ownerCell,
                String.join(";", a.backupOwners),
                a.purpose,
                String.join(";", a.credentialCells()),
                a.project,
                a.endDate == null ? "" : a.endDate.toString());
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
          line.append(i == 0 ? "" : ",").append(quote(cells.get(i)));
        }
        w.write(line.append('\n').toString());
      }
    }
  }

  static String quote(String cell) {
    boolean needs =
        cell.contains(",")
            || cell.contains("\"")
            || cell.contains("\n")
            || cell.contains("\r")
            || (!cell.isEmpty()
                && (cell.charAt(0) == ' ' || cell.charAt(cell.length() - 1) == ' '));
    return needs ? "\"" + cell.replace("\"", "\"\"") + "\"" : cell;
  }
}
