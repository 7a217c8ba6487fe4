package io.agentlake.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged jar, run the way a cluster runs it: Spark's own {@code SparkSubmit} main class on
 * Spark's classpath, with the shaded jar as the application. Catches what unit tests cannot: a
 * class missing from the jar, a dependency clash with Spark, Delta not switching itself on. One
 * source is ingested and queried back (each submit is a cold JVM, so a whole nightly here would
 * cost minutes); the whole nightly DAG through real spark-submits is {@code
 * orchestration/tests/test_nightly_e2e.py}.
 */
class SparkSubmitIT {

  private static final Path TARGET = Path.of("target");

  @Test
  void theShadedJarIngestsAndQueriesADeltaLakeUnderSparkSubmit() throws Exception {
    Path dir = Files.createTempDirectory("agentlake-submit");
    Path exports = dir.resolve("exports");
    String lake = dir.resolve("lake").toString();

    Result generate =
        submit(
            "generate",
            "--out",
            exports.toString(),
            "--agents",
            "12",
            "--days",
            "3",
            "--events-per-day",
            "50");
    assertThat(generate.code()).as(generate.output()).isZero();
    int users =
        new ObjectMapper().readTree(exports.resolve("okta-users/users.json").toFile()).size();
    assertThat(users).isPositive();

    Result ingest =
        submit(
            "ingest",
            "--exports",
            exports.toString(),
            "--lake",
            lake,
            "--date",
            "2026-10-03",
            "--source",
            "okta-users");
    assertThat(ingest.code()).as(ingest.output()).isZero();
    assertThat(ingest.output()).contains("\"status\" : \"SUCCEEDED\"");

    Result query =
        submit(
            "sql",
            "--lake",
            lake,
            "--format",
            "csv",
            "SELECT count(*) AS users FROM bronze.okta_users");
    assertThat(query.code()).as(query.output()).isZero();
    assertThat(query.output()).contains("users\n" + users + "\n");
  }

  private record Result(int code, String output) {}

  private static Result submit(String... args) throws IOException, InterruptedException {
    String classpath = Files.readString(TARGET.resolve("launcher/classpath.txt")).strip();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(
        Arrays.asList(
            Files.readString(TARGET.resolve("launcher/jvm-opts.txt")).strip().split("\\s+")));
    command.add(
        "-Dlog4j2.configurationFile="
            + TARGET.resolve("launcher/log4j2.properties").toAbsolutePath());
    command.add("-Dagentlake.spark.log=" + TARGET.resolve("spark-submit-it.log").toAbsolutePath());
    command.addAll(
        List.of(
            "-cp",
            classpath,
            "org.apache.spark.deploy.SparkSubmit",
            "--master",
            "local[2]",
            "--conf",
            "spark.ui.enabled=false",
            "--conf",
            "spark.databricks.delta.snapshotPartitions=1",
            "--class",
            "io.agentlake.jobs.cli.Agentlake",
            TARGET.resolve("agentlake-jobs.jar").toString()));
    command.addAll(List.of(args));
    Path stderr = Files.createTempFile("spark-submit", ".stderr");
    ProcessBuilder pb = new ProcessBuilder(command).redirectError(stderr.toFile());
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("spark-submit did not finish in 10 minutes:\n" + out);
    }
    int code = p.exitValue();
    return new Result(
        code, code == 0 ? out : out + "\n--- stderr ---\n" + Files.readString(stderr));
  }
}
