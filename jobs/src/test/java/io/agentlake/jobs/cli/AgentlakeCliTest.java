package io.agentlake.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentlake.testing.SharedSpark;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

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

  /** Runs analyze on an empty lake with this config; the config is read before any table. */
  private static Outcome analyzeWith(Path dir, String config, String... flags) throws Exception {
    Path file = Files.writeString(dir.resolve("agentlake.yaml"), config);
    String[] args = {
      "analyze",
      "--lake",
      dir.resolve("lake").toString(),
      "--date",
      "2026-10-01",
      "--config",
      file.toString()
    };
    String[] all = java.util.Arrays.copyOf(args, args.length + flags.length);
    System.arraycopy(flags, 0, all, args.length, flags.length);
    return run(all);
  }

  @Test
  void anInvalidRiskModelIsBadInputWithProblemCauseAndFix(@TempDir Path dir) throws Exception {
    Path model = dir.resolve("model.yaml");
    String config = "risk-model: " + model + "\n";

    Files.writeString(model, "version: [unclosed\n");
    Outcome yaml = analyzeWith(dir, config);
    assertThat(yaml.code()).as(yaml.err()).isEqualTo(3);
    assertThat(yaml.err())
        .contains("agentlake: the risk model " + model + " cannot be used")
        .contains("cause: it is not valid YAML (")
        .contains("fix:   correct the YAML syntax; or remove risk-model from the config file")
        .doesNotContain("failed unexpectedly")
        .doesNotContain("\tat ");

    Files.writeString(
        model, "version: v2\ntiers: {critical: 70, high: 45, medium: 20}\nfactors: {}\n");
    Outcome incomplete = analyzeWith(dir, config);
    assertThat(incomplete.code()).as(incomplete.err()).isEqualTo(3);
    assertThat(incomplete.err()).contains("cause: factors [admin-reach, ").contains("fix:");

    String defaults;
    try (java.io.InputStream in =
        io.agentlake.transforms.analyze.RiskModel.class.getResourceAsStream(
            io.agentlake.transforms.analyze.RiskModel.DEFAULT_RESOURCE)) {
      defaults = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
    Files.writeString(model, defaults.replace("weight: 50", "weight: 500"));
    Outcome heavy = analyzeWith(dir, config);
    assertThat(heavy.code()).as(heavy.err()).isEqualTo(3);
    assertThat(heavy.err())
        .contains("cause: `factors.admin-reach.weight` is 500.0, outside the score scale 0 to 100");
  }

  @Test
  void aMissingRiskModelIsBadInputNotAStorageError(@TempDir Path dir) throws Exception {
    Path model = dir.resolve("no-such-model.yaml");
    Outcome o = analyzeWith(dir, "risk-model: " + model + "\n");
    assertThat(o.code()).as(o.err()).isEqualTo(3);
    assertThat(o.err())
        .contains("agentlake: the risk model " + model + " does not exist")
        .contains("fix:   correct risk-model in the config file")
        .doesNotContain("could not read");
  }

  @Test
  void aRangeErrorInTheConfigFileIsBadInputNamingTheKeyAndRange(@TempDir Path dir)
      throws Exception {
    Outcome window = analyzeWith(dir, "window-days: 0\n");
    assertThat(window.code()).as(window.err()).isEqualTo(3);
    assertThat(window.err())
        .contains("the config file " + dir.resolve("agentlake.yaml") + " is not valid")
        .contains("cause: window-days must be a whole number from 1 to 365, got 0")
        .contains("fix:   set window-days in the file to a value in that range");

    Outcome threshold = analyzeWith(dir, "quarantine-threshold: 2\n");
    assertThat(threshold.code()).as(threshold.err()).isEqualTo(3);
    assertThat(threshold.err())
        .contains("cause: quarantine-threshold must be a fraction from 0 to 1, got 2.0");
  }

  @Test
  void aRangeErrorInAFlagIsAUsageErrorNamingTheFlag(@TempDir Path dir) throws Exception {
    Outcome o = analyzeWith(dir, "window-days: 60\n", "--window-days", "0");
    assertThat(o.code()).as(o.err()).isEqualTo(2);
    assertThat(o.err())
        .contains("agentlake: invalid value for --window-days")
        .contains("cause: --window-days must be a whole number from 1 to 365, got 0")
        .contains("fix:   pass a value in that range")
        .doesNotContain("is not valid");

    Outcome grace =
        run("analyze", "--lake", dir.toString(), "--date", "2026-10-01", "--grace-days", "-1");
    assertThat(grace.code()).as(grace.err()).isEqualTo(2);
    assertThat(grace.err()).contains("--grace-days must be a whole number from 0 to 365, got -1");
  }

  /** A folder of the user's: demo and bench would once have deleted it before running. */
  private static Path usersFolder(Path dir) throws Exception {
    Files.writeString(dir.resolve("thesis.txt"), "years of work");
    return dir;
  }

  @Test
  void demoRefusesAFolderItDidNotCreateAndDeletesNothing(@TempDir Path dir) throws Exception {
    Path folder = usersFolder(dir);
    Outcome o = run("demo", "--dir", folder.toString());
    assertThat(o.code()).as(o.err()).isEqualTo(2);
    assertThat(o.err())
        .contains("agentlake: refusing to use --dir " + folder + ": agentlake did not create it")
        .contains("is not empty and has no .agentlake-scratch file")
        .contains("fix:   choose another --dir")
        .contains("Nothing was deleted");
    assertThat(folder.resolve("thesis.txt")).hasContent("years of work");
    assertThat(folder.resolve("exports")).doesNotExist();
  }

  @Test
  void benchRefusesAFolderItDidNotCreateAndDeletesNothing(@TempDir Path dir) throws Exception {
    Path folder = usersFolder(dir);
    Outcome o = run("bench", "--dir", folder.toString(), "--ingest");
    assertThat(o.code()).as(o.err()).isEqualTo(2);
    assertThat(o.err()).contains("refusing to use --dir " + folder).contains("bench deletes");
    assertThat(folder.resolve("thesis.txt")).hasContent("years of work");
    assertThat(folder.resolve("exports")).doesNotExist();
  }

  @Test
  void aFileIsNotAScratchFolder(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("notes.txt"), "keep me");
    Outcome o = run("demo", "--dir", file.toString());
    assertThat(o.code()).as(o.err()).isEqualTo(2);
    assertThat(o.err()).contains("is a file, not a folder");
    assertThat(file).hasContent("keep me");
  }

  @Test
  void aScratchFolderIsCreatedMarkedAndReusedAndAnEmptyOneIsClaimed(@TempDir Path dir)
      throws Exception {
    Path created = dir.resolve("new/scratch");
    DemoCommand.claimScratchFolder(created, "demo");
    assertThat(created.resolve(DemoCommand.SCRATCH_MARKER))
        .content()
        .startsWith("agentlake demo created this folder at ");

    Files.createDirectories(created.resolve("lake/gold"));
    Files.writeString(created.resolve("lake/gold/part-0.parquet"), "old run");
    Path outside = Files.writeString(dir.resolve("outside.txt"), "not ours");
    Files.createSymbolicLink(created.resolve("link-out"), dir);
    DemoCommand.claimScratchFolder(created, "bench");
    try (var left = Files.list(created)) {
      assertThat(left).containsExactly(created.resolve(DemoCommand.SCRATCH_MARKER));
    }
    assertThat(created.resolve(DemoCommand.SCRATCH_MARKER)).content().startsWith("agentlake bench");
    assertThat(outside).hasContent("not ours");

    Path empty = Files.createDirectories(dir.resolve("empty"));
    DemoCommand.claimScratchFolder(empty, "bench");
    assertThat(empty.resolve(DemoCommand.SCRATCH_MARKER)).exists();
  }

  @Test
  void benchRefusesTwoModesAtOnceNamingBothBeforeAnyWork(@TempDir Path dir) {
    Path folder = dir.resolve("bench");
    Outcome o = run("bench", "--dir", folder.toString(), "--history", "--analyze");
    assertThat(o.code()).as(o.err()).isEqualTo(2);
    assertThat(o.err())
        .contains("agentlake: --history and --analyze cannot be used together")
        .contains("--ingest, --history, --analyze are alternatives");
    assertThat(folder).doesNotExist();
  }
}
