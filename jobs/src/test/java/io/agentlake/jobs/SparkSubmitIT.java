package io.agentlake.jobs;

import static org.assertj.core.api.Assertions.assertThat;

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
 * class missing from the jar, a dependency clash with Spark, Delta not switching itself on.
 */
class SparkSubmitIT {

  private static final Path TARGET = Path.of("target");

  @Test
  void theShadedJarRunsNightlyUnderSparkSubmit() throws Exception {
    Path dir = Files.createTempDirectory("agentlake-submit");
    String exports = dir.resolve("exports").toString();
    String lake = dir.resolve("lake").toString();

    Result generate =
        submit(
            "generate",
            "--out",
            exports,
            "--agents",
            "12",
            "--days",
            "3",
            "--events-per-day",
            "50");
    assertThat(generate.code()).as(generate.output()).isZero();

    Result nightly =
        submit(
            "nightly",
            "--exports",
            exports,
            "--lake",
            lake,
            "--date",
            "2026-10-03",
            "--window-days",
            "3");
    assertThat(nightly.code()).as(nightly.output()).isZero();
    assertThat(nightly.output()).contains("\"status\" : \"SUCCEEDED\"");

    Result query =
        submit(
            "sql",
            "--lake",
            lake,
            "--format",
            "csv",
            "SELECT count(*) AS agents FROM gold.risk_scores WHERE as_of_date = '2026-10-03'");
    assertThat(query.code()).as(query.output()).isZero();
    assertThat(query.output()).contains("agents\n12\n");
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
