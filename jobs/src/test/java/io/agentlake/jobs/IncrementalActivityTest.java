package io.agentlake.jobs;

import static io.agentlake.testing.DatasetAssert.assertSameRows;
import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentlake.jobs.generate.GeneratorOptions;
import io.agentlake.jobs.generate.OrgGenerator;
import io.agentlake.jobs.ingest.IngestJob;
import io.agentlake.jobs.lake.Lake;
import io.agentlake.schemas.TableContract;
import io.agentlake.schemas.Tables;
import io.agentlake.testing.SharedSpark;
import io.agentlake.transforms.sources.cloudtrail.CloudTrail;
import io.agentlake.transforms.sources.iam.AwsIam;
import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two consecutive nightly dates, the second bringing a late file of the first day: the incremental
 * CloudTrail aggregates equal a full rebuild from the same bronze, and so do the identities and
 * edges the graph builds from {@code principal_daily}; a re-run with nothing new commits nothing; a
 * lost watermark (a crash after the merge) recomputes the same rows.
 */
@ExtendWith(SharedSpark.class)
class IncrementalActivityTest {

  private static final List<TableContract> AGGREGATES =
      List.of(
          Tables.ACTIVITY_DAILY,
          Tables.PRINCIPAL_DAILY,
          Tables.OBSERVATION_COVERAGE,
          Tables.UNMAPPED_EVENTS);

  /** Rebuilt whole every night, from the inventory and {@code principal_daily}. */
  private static final List<TableContract> GRAPH =
      List.of(Tables.IDENTITIES, Tables.IDENTITY_EDGES);

  @Test
  void twoNightsIncrementallyEqualAFullRebuild(SparkSession spark) throws Exception {
    Path dir = Files.createTempDirectory("agentlake-incremental");
    Path generated = dir.resolve("generated");
    GeneratorOptions options =
        new GeneratorOptions(
            generated.toUri().toString(), 11, 12, 2, 200, GeneratorOptions.DEFAULT_START_DATE);
    OrgGenerator.generate(options, new Configuration());
    LocalDate day1 = options.startDate();
    LocalDate day2 = day1.plusDays(1);
    List<Path> day1Files = cloudTrailFiles(generated, day1);
    List<Path> day2Files = cloudTrailFiles(generated, day2);
    assertThat(day1Files).hasSizeGreaterThan(1);

    Path exports = dir.resolve("exports");
    Lake lake = new Lake(spark, dir.resolve("lake").toUri().toString());
    // The IAM inventory (the users CloudTrail's facts attach to) is there from the start. Night 1
    // sees all of day 1 but its last file, which arrives late, with day 2.
    copy(generated, exports, iamFiles(generated));
    copy(generated, exports, day1Files.subList(0, day1Files.size() - 1));
    RunReport night1 = night(lake, exports, day1, false);
    assertThat(night1.root().at("/cloudtrail_aggregates/mode").asText()).isEqualTo("FULL");

    copy(generated, exports, List.of(day1Files.get(day1Files.size() - 1)));
    copy(generated, exports, day2Files);
    RunReport night2 = night(lake, exports, day2, false);
    JsonNode agg = night2.root().get("cloudtrail_aggregates");
    assertThat(agg.get("mode").asText()).isEqualTo("INCREMENTAL");
    assertThat(agg.get("new_ingest_runs").asInt()).isEqualTo(1);
    assertThat(agg.get("days_recomputed").toString()).contains(day1.toString(), day2.toString());
    assertThat(night2.root().at("/unmapped_events/events").isNumber()).isTrue();

    List<Dataset<Row>> incremental = snapshot(spark, lake, AGGREGATES);
    assertThat(incremental.get(0).filter(col("day").equalTo(java.sql.Date.valueOf(day1))).count())
        .isPositive();
    List<Dataset<Row>> incrementalGraph = snapshot(spark, lake, GRAPH);
    // The comparison below means something only if CloudTrail contributed to the graph.
    assertThat(
            incrementalGraph
                .get(1)
                .filter(col("source").equalTo("aws-cloudtrail"))
                .select("edge_type")
                .distinct()
                .as(Encoders.STRING())
                .collectAsList())
        .contains("KEY_OF");

    // Nothing new: no commit at all on the aggregates.
    List<Long> versions = versions(spark, lake);
    RunReport again = night(lake, exports, day2, false);
    assertThat(again.root().at("/cloudtrail_aggregates/new_ingest_runs").asInt()).isZero();
    assertThat(versions(spark, lake)).isEqualTo(versions);

    // A crash after the merge, before the watermark: the next run recomputes the same rows.
    DeltaTable.forPath(spark, lake.path(Tables.FOLDED_INGESTS))
        .delete(col("mode").equalTo(CloudTrailAggregates.INCREMENTAL));
    night(lake, exports, day2, false);
    List<Dataset<Row>> afterCrash = snapshot(spark, lake, AGGREGATES);

    // The same bronze, rebuilt whole.
    RunReport full = new RunReport(UUID.randomUUID().toString(), "correlate", day2);
    CorrelateJob.run(lake, full, day2, true);
    assertThat(full.root().at("/cloudtrail_aggregates/mode").asText()).isEqualTo("FULL");
    List<Dataset<Row>> rebuilt = snapshot(spark, lake, AGGREGATES);
    for (int i = 0; i < AGGREGATES.size(); i++) {
      assertSameRows(incremental.get(i), rebuilt.get(i));
      assertSameRows(afterCrash.get(i), rebuilt.get(i));
    }
    List<Dataset<Row>> rebuiltGraph = snapshot(spark, lake, GRAPH);
    for (int i = 0; i < GRAPH.size(); i++) {
      assertSameRows(incrementalGraph.get(i), rebuiltGraph.get(i));
    }
  }

  /** Ingest then correlate, as the nightly run does before analysing. */
  private static RunReport night(Lake lake, Path exports, LocalDate date, boolean full) {
    String runId = UUID.randomUUID().toString();
    RunReport report = new RunReport(runId, "nightly", date);
    IngestJob.run(
        lake,
        exports.toUri().toString(),
        List.of(CloudTrail.NAME, AwsIam.NAME),
        Map.of(),
        date,
        runId,
        Timestamp.from(Instant.now()),
        report);
    CorrelateJob.run(lake, report, date, full);
    return report;
  }

  private static List<Dataset<Row>> snapshot(
      SparkSession spark, Lake lake, List<TableContract> tables) {
    List<Dataset<Row>> out = new ArrayList<>();
    for (TableContract t : tables) {
      Dataset<Row> rows = lake.read(t);
      out.add(spark.createDataFrame(rows.collectAsList(), rows.schema()));
    }
    return out;
  }

  private static List<Long> versions(SparkSession spark, Lake lake) {
    List<Long> out = new ArrayList<>();
    for (TableContract t : AGGREGATES) {
      out.add(
          DeltaTable.forPath(spark, lake.path(t)).history(1).select("version").first().getLong(0));
    }
    return out;
  }

  private static List<Path> cloudTrailFiles(Path root, LocalDate day) throws IOException {
    String folder = "/" + day.toString().replace('-', '/') + "/";
    try (Stream<Path> files = Files.walk(root.resolve("aws-cloudtrail"))) {
      return files
          .filter(Files::isRegularFile)
          .filter(p -> p.toString().contains(folder))
          .filter(p -> !p.toString().contains("CloudTrail-Digest"))
          .sorted()
          .toList();
    }
  }

  private static List<Path> iamFiles(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root.resolve("aws-iam"))) {
      return files.filter(Files::isRegularFile).sorted().toList();
    }
  }

  private static void copy(Path from, Path to, List<Path> files) throws IOException {
    for (Path f : files) {
      Path target = to.resolve(from.relativize(f));
      Files.createDirectories(target.getParent());
      Files.copy(f, target);
    }
  }
}
