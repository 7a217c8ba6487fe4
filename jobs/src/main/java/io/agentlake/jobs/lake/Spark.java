package io.agentlake.jobs.lake;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * The one place a SparkSession is made. Under spark-submit the master and resources come from the
 * cluster; run directly (the launcher, tests) it is {@code local[*]}. Delta is switched on here so
 * the same jar needs no extra {@code --conf} on a cluster.
 */
public final class Spark {

  private Spark() {}

  public static SparkSession session(String appName) {
    SparkConf conf = new SparkConf();
    SparkSession.Builder builder = SparkSession.builder().appName(appName);
    if (!conf.contains("spark.master")) {
      builder
          .master("local[*]")
          .config("spark.ui.enabled", "false")
          .config("spark.sql.shuffle.partitions", "8")
          // Delta rebuilds table state with 50 tasks by default: on one machine that is pure
          // scheduling overhead, paid on every read of every table.
          .config("spark.databricks.delta.snapshotPartitions", "2")
          // VACUUM lists a table's files with this many tasks (default 10000): on one machine
          // that made `maintain` several times slower than the listing itself.
          .config("spark.sql.sources.parallelPartitionDiscovery.parallelism", "8")
          .config("spark.driver.host", "127.0.0.1")
          .config(
              "spark.sql.warehouse.dir",
              java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "agentlake-warehouse")
                  .toUri()
                  .toString());
    }
    return builder
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config(
            "spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .config("spark.sql.session.timeZone", "UTC")
        // Concurrent runs on a local lake need an exclusive commit; Delta's file: store has none.
        .config(ExclusiveLocalLogStore.SPARK_CONF, ExclusiveLocalLogStore.class.getName())
        // Gold must stay readable by delta-rs and other non-Spark readers (reader protocol 1).
        .config("spark.databricks.delta.properties.defaults.enableDeletionVectors", "false")
        // Delta lists every file of a small table in each commit's checksum, and to start that
        // list a table's first commit runs a Spark job over its empty state. A nightly creates
        // and rewrites dozens of small tables, so this cost a quarter of a cold nightly (180 s
        // against 138 s, 12 agents); readers rebuild state from the log as before.
        .config("spark.databricks.delta.allFilesInCrc.enabled", "false")
        .getOrCreate();
  }

  /**
   * Forgets every cached table state and persisted dataset of this JVM's runs. A process that runs
   * many nightlies on lakes it then discards (the soak, one nightly per trial on a fresh lake)
   * calls it between them: Delta keeps each table's log and state cached per path for an hour, so
   * without it every trial's tables stayed on the heap and the fifteenth re-run ran out of a 4 GB
   * heap.
   */
  public static void releaseCaches(SparkSession spark) {
    spark.catalog().clearCache();
    for (org.apache.spark.rdd.RDD<?> rdd :
        scala.jdk.javaapi.CollectionConverters.asJava(
            spark.sparkContext().getPersistentRDDs().values())) {
      rdd.unpersist(true);
    }
    org.apache.spark.sql.delta.DeltaLog.clearCache();
  }
}
