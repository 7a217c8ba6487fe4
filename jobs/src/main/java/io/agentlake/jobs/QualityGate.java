package io.agentlake.jobs;

import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentlake.jobs.ingest.ExportFile;
import io.agentlake.jobs.ingest.ExportListing;
import io.agentlake.jobs.lake.Lake;
import io.agentlake.jobs.lake.RunLedger;
import io.agentlake.schemas.Tables;
import io.agentlake.transforms.sources.Sources;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.sql.Row;

/**
 * The quality gate, one rule wherever it runs ({@code nightly}, {@code gate}, the DAG's {@code
 * quality_gate} task): it judges every file ingested by committed runs of the date, in the version
 * the exports hold now, and fails when quarantined records (re-deliveries aside) and unreadable
 * files exceed {@code quarantine-threshold} of what those files held.
 *
 * <p>Because it reads the ledger rather than what the current run ingested, the verdict is sticky:
 * re-running a failed date judges the same files and fails again. It changes only when the files
 * change: a rewritten file (new size or modification time) is ingested again and judged in its new
 * version, a removed file is no longer judged. {@code --accept-quarantine} passes the gate anyway
 * and records the override in the report.
 */
final class QualityGate {

  private QualityGate() {}

  static void judge(RunContext run, ObjectNode section) {
    Lake lake = run.lake();
    double threshold = run.config().quarantineThreshold();
    Set<String> current = new HashSet<>();
    for (ExportFile f :
        ExportListing.list(
                run.exportsUri(),
                Sources.ALL,
                run.config().sourcePaths(),
                lake.spark().sparkContext().hadoopConfiguration())
            .files()) {
      current.add(key(f.uri(), f.size(), f.modificationTime()));
    }
    List<String> runs = new RunLedger(lake).ingestRuns().committedOn(run.date());
    List<Row> files =
        runs.isEmpty()
            ? List.of()
            : lake.read(Tables.INGESTED_FILES)
                .filter(col("ingest_run_id").isin(runs.toArray()))
                .select(
                    "source_type",
                    "source_file",
                    "size",
                    "modification_time",
                    "records_read",
                    "records_quarantined",
                    "records_redelivered",
                    "file_error")
                .collectAsList();
    Map<String, long[]> bySource = new TreeMap<>();
    List<Row> judged = new ArrayList<>();
    long superseded = 0;
    for (Row f : files) {
      if (!current.contains(key(f.getString(1), f.getLong(2), f.getTimestamp(3).getTime()))) {
        superseded++;
        continue;
      }
      judged.add(f);
      long[] s = bySource.computeIfAbsent(f.getString(0), k -> new long[3]);
      s[0] += f.getLong(4);
      s[1] += bad(f);
      s[2] += failed(f);
    }
    long read = 0;
    long bad = 0;
    ObjectNode sources = section.putObject("by_source");
    List<String> offending = new ArrayList<>();
    for (Map.Entry<String, long[]> e : bySource.entrySet()) {
      long[] s = e.getValue();
      read += s[0] + s[2];
      bad += s[1];
      sources
          .putObject(e.getKey())
          .put("records_read", s[0])
          .put("quarantined", s[1] - s[2])
          .put("files_unreadable", s[2]);
      if (s[1] > 0) {
        offending.add(e.getKey());
      }
    }
    double share = read == 0 ? 0.0 : (double) bad / read;
    judged.sort(
        Comparator.<Row>comparingLong(QualityGate::bad)
            .reversed()
            .thenComparing(r -> r.getString(1)));
    List<String> worst = new ArrayList<>();
    for (Row r : judged) {
      if (bad(r) == 0 || worst.size() == 5) {
        break;
      }
      worst.add(r.getString(1));
    }
    boolean over = share > threshold;
    section
        .put("verdict", !over ? "PASSED" : run.acceptQuarantine() ? "ACCEPTED" : "FAILED")
        .put("quarantined_share", share)
        .put("threshold", threshold)
        .put("ingest_runs_judged", runs.size())
        .put("files_judged", judged.size())
        .put("files_superseded", superseded);
    section.putPOJO("worst_files", worst);
    run.report().root().put("quarantined_share", share);
    if (over && run.acceptQuarantine()) {
      section.put(
          "override", "--accept-quarantine: published although the share is above the threshold");
    } else if (over) {
      throw Errors.qualityGate(run.date().toString(), share, threshold, offending, worst);
    }
  }

  private static String key(String uri, long size, long modificationTime) {
    return uri + "\u0000" + size + "\u0000" + modificationTime;
  }

  /** Quarantined records that count against the gate, plus the file itself when unreadable. */
  private static long bad(Row f) {
    return f.getLong(5) - f.getLong(6) + failed(f);
  }

  private static long failed(Row f) {
    String error = f.getString(7);
    return error != null && !error.equals("SKIPPED") ? 1 : 0;
  }
}
