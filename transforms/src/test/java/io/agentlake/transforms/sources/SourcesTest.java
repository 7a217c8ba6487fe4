package io.agentlake.transforms.sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentlake.schemas.SourceRecordType;
import io.agentlake.schemas.TableContract;
import io.agentlake.schemas.Tables;
import io.agentlake.schemas.vocabulary.Vocabulary;
import io.agentlake.transforms.LakeTables;
import io.agentlake.transforms.ingest.SourcePackage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The registered sources and the bronze tables they declare. Each bronze table's contract is
 * checked into {@code src/test/resources/golden/bronze.<table>.txt}; regenerate on purpose with
 * {@code -Dagentlake.regenerateGolden=true} and review the diff.
 */
class SourcesTest {

  private static final Path GOLDEN = Path.of("src/test/resources/golden");
  private static final boolean REGENERATE = Boolean.getBoolean("agentlake.regenerateGolden");

  @TestFactory
  Stream<DynamicTest> everyBronzeTableMatchesItsGoldenFile() {
    return LakeTables.ofLayer(TableContract.Layer.BRONZE).stream()
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
  void noBronzeGoldenFileIsLeftForATableNoSourceDeclares() throws IOException {
    Set<String> expected = new HashSet<>();
    LakeTables.ofLayer(TableContract.Layer.BRONZE).forEach(t -> expected.add(t.name() + ".txt"));
    try (Stream<Path> files = Files.list(GOLDEN)) {
      List<String> names = files.map(p -> p.getFileName().toString()).toList();
      assertThat(names).containsExactlyInAnyOrderElementsOf(expected);
    }
  }

  @Test
  void everyRecordTypeHasABronzeTableCarryingLineageAndItsOwnFields() {
    for (SourceRecordType type : Sources.recordTypes()) {
      TableContract bronze = LakeTables.byName("bronze." + type.bronzeTable()).orElseThrow();
      assertThat(bronze).isEqualTo(Tables.bronzeOf(type));
      assertThat(bronze.schema().fieldNames())
          .contains(Tables.BRONZE_LINEAGE.fieldNames())
          .contains(type.schema().fieldNames());
      assertThat(type.schema().fieldNames()).contains(type.requiredFields().toArray(new String[0]));
      assertThat(type.schema().fieldNames()).contains(type.keyFields().toArray(new String[0]));
    }
  }

  /**
   * One source = one package: each source's class is alone in {@code sources.<package>}, and
   * everything the lake and the run know of sources comes from the one registration list.
   */
  @Test
  void eachSourceIsOnePackageRegisteredOnce() {
    Set<String> packages = new HashSet<>();
    for (SourcePackage source : Sources.packages()) {
      String pkg = source.getClass().getPackageName();
      assertThat(pkg).startsWith(Sources.class.getPackageName() + ".");
      assertThat(packages.add(pkg)).as("two sources in " + pkg).isTrue();
      assertThat(source.recordTypes()).isNotEmpty();
      assertThat(source.recordTypes()).allMatch(t -> t.sourceType().equals(source.name()));
      assertThat(source.accepts()).isNotBlank();
    }
    assertThat(Sources.ALL)
        .containsExactlyElementsOf(Sources.packages().stream().map(SourcePackage::name).toList());
    assertThat(LakeTables.ofLayer(TableContract.Layer.BRONZE))
        .hasSize(Sources.recordTypes().size());
  }

  /**
   * The vocabulary's bronze columns (e.g. review decisions) are string fields a source declares.
   */
  @Test
  void everyVocabularyColumnInBronzeIsAStringFieldOfASourceRecord() {
    int checked = 0;
    for (Vocabulary.Entry e : Vocabulary.all()) {
      for (String column : e.columns()) {
        if (!column.startsWith("bronze.")) {
          continue;
        }
        String[] parts = column.split("\\.", 3);
        TableContract table = LakeTables.byName(parts[0] + "." + parts[1]).orElseThrow();
        assertThat(table.schema().apply(parts[2]).dataType())
            .as(column)
            .isEqualTo(DataTypes.StringType);
        checked++;
      }
    }
    assertThat(checked).isPositive();
  }

  /**
   * The Airflow DAG has one ingest task per source and cannot ask the jar at import time, so it
   * keeps its own list: this fails when a registered source is missing from it.
   */
  @Test
  void theNightlyDagIngestsEveryRegisteredSourceInOrder() throws IOException {
    String dag = Files.readString(Path.of("../orchestration/dags/agentlake_nightly.py"));
    String list =
        dag.substring(dag.indexOf("SOURCES = ("), dag.indexOf(")", dag.indexOf("SOURCES = (")));
    List<String> names =
        java.util.regex.Pattern.compile("\"([a-z0-9-]+)\"")
            .matcher(list)
            .results()
            .map(m -> m.group(1))
            .toList();
    assertThat(names).containsExactlyElementsOf(Sources.ALL);
  }

  @Test
  void anUnknownSourceNameIsRefusedWithTheKnownOnes() {
    assertThat(Sources.isKnownSource("entra-id-typo")).isFalse();
    assertThatThrownBy(() -> Sources.of("entra-id-typo"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("entra-id-typo")
        .hasMessageContaining("aws-cloudtrail")
        .hasMessageContaining("Fix the exports folder name");
  }
}
