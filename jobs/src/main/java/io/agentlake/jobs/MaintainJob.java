package io.agentlake.jobs;

import io.agentlake.jobs.lake.Lake;
import io.agentlake.schemas.TableContract;
import io.agentlake.transforms.LakeTables;
import io.delta.tables.DeltaTable;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.Row;

/**
 * Weekly housekeeping: compacts each table's small files (Delta OPTIMIZE) and removes data files no
 * longer referenced by versions older than the retention (VACUUM). The retention bounds how far
 * back time travel works, which compliance relies on, so it is never allowed below Delta's own
 * safety default of 7 days.
 */
public final class MaintainJob {

  /** Delta's default {@code deletedFileRetentionDuration}; VACUUM below it can corrupt readers. */
  public static final int MIN_RETENTION_DAYS = 7;

  /** Files and bytes of one table before and after. */
  public record TableMaintenance(long filesBefore, long filesAfter, long bytesAfter) {}

  private MaintainJob() {}

  /** The retention used when none is given. */
  public static final int DEFAULT_RETENTION_DAYS = 30;

  /**
   * Returns {@code retentionDays}, or throws a usage error (exit 2) when it is below {@link
   * #MIN_RETENTION_DAYS}; checked before a run starts, so a refused retention touches no table.
   */
  public static int checkRetention(int retentionDays) {
    if (retentionDays < MIN_RETENTION_DAYS) {
      throw Errors.badOption(
          "vacuum retention",
          retentionDays
              + " days is below Delta's safety minimum of "
              + MIN_RETENTION_DAYS
              + " days (files still read by running queries or time travel would be deleted)");
    }
    return retentionDays;
  }

  /**
   * Compacts and vacuums every existing table. Run it as the {@link Stage#MAINTAIN} stage, which
   * holds every lease first; called alone it takes none.
   */
  public static Map<String, TableMaintenance> run(Lake lake, int retentionDays) {
    checkRetention(retentionDays);
    Map<String, TableMaintenance> result = new LinkedHashMap<>();
    for (TableContract t : LakeTables.all()) {
      if (!lake.exists(t)) {
        continue;
      }
      long before = detail(lake, t).getAs("numFiles");
      DeltaTable table = DeltaTable.forPath(lake.spark(), lake.path(t));
      table.optimize().executeCompaction();
      table.vacuum(retentionDays * 24.0);
      Row after = detail(lake, t);
      result.put(
          t.name(),
          new TableMaintenance(
              before, after.<Long>getAs("numFiles"), after.<Long>getAs("sizeInBytes")));
    }
    return result;
  }

  private static Row detail(Lake lake, TableContract t) {
    return lake.spark().sql("DESCRIBE DETAIL delta.`" + lake.path(t) + "`").first();
  }
}
