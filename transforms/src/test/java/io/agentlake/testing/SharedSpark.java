package io.agentlake.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One local SparkSession for the whole test JVM, with Delta enabled, the UI off and few shuffle
 * partitions. Use with {@code @ExtendWith(SharedSpark.class)} and take a {@link SparkSession}
 * parameter. Never stop it in a test: the next test class gets the same session.
 *
 * <p>After each test class the session's cached datasets are released, as the analyze job does
 * after a run: transforms cache what they reuse, and without this every class's caches stayed in
 * the one JVM until storage memory was full and each new broadcast waited for old blocks to be
 * serialised to disk (the transforms suite went from 3 to over 25 minutes).
 */
public final class SharedSpark implements ParameterResolver, AfterAllCallback {

  private static SparkSession session;

  public static synchronized SparkSession session() {
    if (session == null) {
      Path warehouse;
      try {
        warehouse = Files.createTempDirectory("agentlake-test-warehouse");
      } catch (java.io.IOException e) {
        throw new IllegalStateException("cannot create a temporary warehouse folder", e);
      }
      session =
          SparkSession.builder()
              .master("local[2]")
              .appName("agentlake-tests")
              .config("spark.ui.enabled", "false")
              .config("spark.sql.shuffle.partitions", "2")
              .config("spark.default.parallelism", "2")
              .config("spark.databricks.delta.snapshotPartitions", "1")
              .config("spark.sql.session.timeZone", "UTC")
              .config("spark.sql.warehouse.dir", warehouse.toUri().toString())
              .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
              .config(
                  "spark.sql.catalog.spark_catalog",
                  "org.apache.spark.sql.delta.catalog.DeltaCatalog")
              .config("spark.driver.host", "127.0.0.1")
              // As the jobs' session does (io.agentlake.jobs.lake.Spark).
              .config("spark.databricks.delta.allFilesInCrc.enabled", "false")
              // The tests' data is tiny: compiling generated code for each of hundreds of plans
              // costs more than running them interpreted (a whole nightly 25% faster). Production
              // sessions keep Spark's code generation.
              .config("spark.sql.codegen.wholeStage", "false")
              .config("spark.sql.codegen.factoryMode", "NO_CODEGEN")
              .getOrCreate();
      session.sparkContext().setLogLevel("WARN");
    }
    return session;
  }

  @Override
  public void afterAll(ExtensionContext context) {
    SparkSession s;
    synchronized (SharedSpark.class) {
      s = session;
    }
    if (s != null) {
      s.catalog().clearCache();
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == SparkSession.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return session();
  }
}
