package io.agentlake.jobs.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentlake.jobs.AgentlakeException;
import io.agentlake.jobs.cli.Agentlake;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The soak deletes what is in its folder, so it must only ever take a folder that is its own. */
class SoakDirTest {

  @Test
  void aNonEmptyFolderTheSoakDidNotCreateIsRefusedAndLeftAsItWas() throws Exception {
    Path dir = Files.createTempDirectory("agentlake-soak-theirs");
    Path theirs = Files.writeString(dir.resolve("notes.txt"), "keep me");

    StringWriter err = new StringWriter();
    int code = Agentlake.execute(new PrintWriter(err, true), "soak", "--dir", dir.toString());

    assertThat(code).isEqualTo(AgentlakeException.USAGE);
    assertThat(err.toString()).contains("will not use", "cause:", "fix:");
    assertThat(theirs).hasContent("keep me");
    assertThat(dir.resolve(SoakDir.MARKER)).doesNotExist();
  }

  @Test
  void aFileIsRefused() throws Exception {
    Path file = Files.createTempFile("agentlake-soak", ".txt");
    assertThatThrownBy(() -> SoakDir.claim(file)).hasMessageContaining("is a file");
  }

  @Test
  void aNewFolderIsCreatedAndMarked() throws Exception {
    Path dir = Files.createTempDirectory("agentlake-soak-new").resolve("soak");
    SoakDir.claim(dir);
    assertThat(dir.resolve(SoakDir.MARKER)).exists();
  }

  @Test
  void anEarlierSoaksFolderIsEmptiedButKept() throws Exception {
    Path dir = Files.createTempDirectory("agentlake-soak-ours").resolve("soak");
    SoakDir first = SoakDir.claim(dir);
    Files.createDirectories(first.resolve("trials/001/lake"));
    Files.writeString(first.resolve("trials/001/lake/x"), "x");

    SoakDir.claim(dir);

    assertThat(dir).isDirectory();
    assertThat(dir.resolve(SoakDir.MARKER)).exists();
    assertThat(dir.resolve("trials")).doesNotExist();
  }

  @Test
  void itDeletesNothingOutsideItsFolder() throws Exception {
    Path parent = Files.createTempDirectory("agentlake-soak-outside");
    SoakDir soak = SoakDir.claim(parent.resolve("soak"));
    Path sibling = Files.writeString(parent.resolve("sibling.txt"), "keep me");

    assertThatThrownBy(() -> soak.clear(sibling)).hasMessageContaining("not inside");
    assertThatThrownBy(() -> soak.clear(soak.resolve(".."))).hasMessageContaining("not inside");
    assertThatThrownBy(() -> soak.clear(soak.root())).hasMessageContaining("not inside");
    assertThat(sibling).exists();
  }
}
