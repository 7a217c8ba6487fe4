package io.agentlake.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentlake.testing.SharedSpark;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What a person sees when they get the command line wrong: one line, a non-zero exit, no trace. */
@ExtendWith(SharedSpark.class)
class AgentlakeCliTest {

  private record Outcome(int code, String err) {}

  private static Outcome run(String... args) {
    StringWriter err = new StringWriter();
    int code = Agentlake.execute(new PrintWriter(err, true), args);
    return new Outcome(code, err.toString());
  }

  @Test
  void anUnknownCommandIsOneLineAndExitTwo() {
    Outcome o = run("frobnicate");
    assertThat(o.code()).isEqualTo(2);
    assertThat(o.err().strip().lines()).hasSize(1);
    assertThat(o.err()).contains("unknown command 'frobnicate'").contains("nightly");
  }

  /** The entitlement benchmark runs end to end on a tiny synthetic export (it once drifted). */
  @Test
  void benchEntitlementsRunsOnATinyExport() {
    Outcome o = run("bench-entitlements", "--roles", "3", "--policies", "4", "--runs", "0");
    assertThat(o.code()).as(o.err()).isZero();
  }

  @Test
  void noCommandAsksForOne() {
    Outcome o = run();
    assertThat(o.code()).isEqualTo(2);
    assertThat(o.err()).contains("a command is needed");
  }

  @Test
  void missingRequiredOptionsAreNamed() {
    Outcome o = run("nightly", "--lake", "/tmp/x");
    assertThat(o.code()).isEqualTo(2);
    assertThat(o.err().strip().lines()).hasSize(1);
    assertThat(o.err()).contains("--exports").contains("--date");
  }

  @Test
  void aMalformedDateSaysWhatIsWrongAndHowToFixIt() {
    Outcome o = run("analyze", "--lake", "/tmp/x", "--date", "2026-13-01");
    assertThat(o.code()).isEqualTo(2);
    assertThat(o.err()).contains("--date").contains("2026-13-01").contains("fix:");
    assertThat(o.err()).doesNotContain("\tat ");
  }

  @Test
  void tooFewAgentsForTheGeneratorIsAUsageError() {
    Outcome o = run("generate", "--out", "/tmp/never-written", "--agents", "3");
    assertThat(o.code()).isEqualTo(2);
    assertThat(o.err()).contains("12");
    assertThat(Path.of("/tmp/never-written")).doesNotExist();
  }

  @Test
  void queryingALakeWithNoTablesIsBadInput() throws Exception {
    Path empty = Files.createTempDirectory("agentlake-empty-lake");
    Outcome o = run("sql", "--lake", empty.toString(), "SELECT 1");
    assertThat(o.code()).isEqualTo(3);
    assertThat(o.err()).contains("no agentlake tables found");
  }

  @Test
  void missingExportsAreBadInputWithAFix() throws Exception {
    Path lake = Files.createTempDirectory("agentlake-lake");
    Outcome o =
        run(
            "ingest",
            "--exports",
            "/nonexistent/exports",
            "--lake",
            lake.toString(),
            "--date",
            "2026-10-01");
    assertThat(o.code()).isEqualTo(3);
    assertThat(o.err()).contains("does not exist").contains("fix:");
  }

  @Test
  void anUnknownSourceIsAUsageError() throws Exception {
    Outcome o =
        run(
            "ingest",
            "--exports",
            "/tmp",
            "--lake",
            "/tmp/l",
            "--date",
            "2026-10-01",
            "--source",
            "gitlab");
    assertThat(o.code()).isEqualTo(2);
    assertThat(o.err()).contains("unknown source type 'gitlab'").contains("aws-cloudtrail");
  }
}
