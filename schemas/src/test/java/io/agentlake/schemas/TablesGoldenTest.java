package io.agentlake.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every table's contract is checked into {@code src/test/resources/golden/<table>.txt} (bronze
 * tables, declared by the sources, are checked the same way in the transforms module). A change to
 * a schema, grain or key fails here until the golden file is regenerated on purpose: {@code mvn -pl
 * schemas test -Dagentlake.regenerateGolden=true}, and the diff reviewed.
 */
class TablesGoldenTest {

  private static final Path GOLDEN = Path.of("src/test/resources/golden");
  private static final boolean REGENERATE = Boolean.getBoolean("agentlake.regenerateGolden");

  @TestFactory
  Stream<DynamicTest> everyContractMatchesItsGoldenFile() {
    return Tables.nonBronze().stream()
        .map(
            t ->
                DynamicTest.dynamicTest(
                    t.name(),
                    () -> {
                      Path file = GOLDEN.resolve(t.name() + ".txt");
                      if (REGENERATE) {
                        Files.createDirectories(GOLDEN);
                        Files.writeString(file, t.describe(), StandardCharsets.UTF_8);
                      }
                      assertThat(file).as("golden file for " + t.name()).exists();
                      assertThat(t.describe())
                          .isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
                    }));
  }

  @Test
  void noGoldenFileIsLeftForATableThatNoLongerExists() throws IOException {
    Set<String> expected = new HashSet<>();
    Tables.nonBronze().forEach(t -> expected.add(t.name() + ".txt"));
    try (Stream<Path> files = Files.list(GOLDEN)) {
      List<String> names = files.map(p -> p.getFileName().toString()).toList();
      assertThat(names).containsExactlyInAnyOrderElementsOf(expected);
    }
  }

  @Test
  void tableNamesAreUniqueAndLayered() {
    Set<String> names = new HashSet<>();
    for (TableContract t : Tables.nonBronze()) {
      assertThat(names.add(t.name())).as("duplicate " + t.name()).isTrue();
      assertThat(t.name()).startsWith(t.layer().folder() + ".");
      assertThat(t.schema().fieldNames()).contains(t.keys().toArray(new String[0]));
    }
  }

  @Test
  void goldTablesArePartitionedByRunDate() {
    for (TableContract t : Tables.nonBronze()) {
      if (t.layer() != TableContract.Layer.GOLD) {
        continue;
      }
      assertThat(t.partitionColumns()).containsExactly(Tables.AS_OF_DATE);
      assertThat(t.schema().fieldNames()[0]).isEqualTo(Tables.AS_OF_DATE);
    }
  }
}
