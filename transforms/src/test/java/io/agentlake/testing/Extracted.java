package io.agentlake.testing;

import io.agentlake.schemas.SourceRecordType;
import io.agentlake.schemas.TableContract;
import io.agentlake.schemas.Tables;
import io.agentlake.transforms.bronze.Bronze;
import io.agentlake.transforms.bronze.ExtractedRecords;
import io.agentlake.transforms.ingest.RecordExtractor;
import io.agentlake.transforms.sources.SilverInputs;
import io.agentlake.transforms.sources.Sources;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Runs real export files through the extractor and the bronze transform, as ingest does, so
 * correlation tests start from the vendors' own bytes rather than hand-made rows.
 */
public final class Extracted {

  public static final Timestamp INGEST_TIME = Timestamp.valueOf("2026-11-01 00:00:00");

  private final SparkSession spark;
  private final List<Row> rows = new ArrayList<>();
  private final Map<String, Dataset<Row>> bronze = new HashMap<>();

  public Extracted(SparkSession spark) {
    this.spark = spark;
  }

  /** Adds a classpath resource as an export file of the given source type. */
  public Extracted resource(String sourceType, String resource) {
    try (InputStream in = Extracted.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource " + resource);
      }
      return add(sourceType, resource, in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Adds inline text as an export file. */
  public Extracted text(String sourceType, String path, String content) {
    return add(
        sourceType,
        path,
        new java.io.ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)));
  }

  private Extracted add(String sourceType, String path, InputStream in) {
    RecordExtractor.extract(
        Sources.of(sourceType), path, in, r -> rows.add(ExtractedRecords.row(sourceType, path, r)));
    bronze.clear();
    return this;
  }

  public Dataset<Row> rows() {
    return spark.createDataFrame(rows, ExtractedRecords.SCHEMA);
  }

  /**
   * What the sources' silver mappings read, as the correlate job gives it to them: each source's
   * bronze rows (here every record is the latest, as the tests add one export per source) and the
   * silver tables given, keyed by table; a table not given is empty.
   */
  public SilverInputs inputs(Map<TableContract, Dataset<Row>> silver) {
    return new SilverInputs() {
      @Override
      public Dataset<Row> latest(String recordType, String... keys) {
        return bronze(recordType);
      }

      @Override
      public Dataset<Row> all(String recordType) {
        return bronze(recordType);
      }

      @Override
      public Dataset<Row> silver(TableContract table) {
        Dataset<Row> rows = silver.get(table);
        return rows != null ? rows : spark.createDataFrame(List.of(), table.schema());
      }
    };
  }

  /** {@link #inputs(Map)} with no silver table but {@code silver.principal_daily}. */
  public SilverInputs inputs(Dataset<Row> principalDaily) {
    return inputs(Map.of(Tables.PRINCIPAL_DAILY, principalDaily));
  }

  /** {@link #inputs(Map)} with every silver table empty. */
  public SilverInputs inputs() {
    return inputs(Map.of());
  }

  /**
   * The bronze rows of one record type, computed once and held as a plan leaf (see {@link
   * Frames#materialized}), as the correlate job reads bronze from its Delta table.
   */
  public Dataset<Row> bronze(String recordType) {
    return bronze.computeIfAbsent(
        recordType,
        t -> {
          SourceRecordType type = Sources.recordType(t).orElseThrow();
          return Frames.materialized(Bronze.accepted(rows(), type, "test-run", INGEST_TIME));
        });
  }
}
