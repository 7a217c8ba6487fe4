package io.agentlake.schemas.vocabulary;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentlake.schemas.TableContract;
import io.agentlake.schemas.Tables;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * The lake's vocabulary is checked into {@code src/test/resources/vocabulary.golden.txt}: renaming,
 * adding or removing a value a dashboard may filter on fails here until the file is regenerated on
 * purpose ({@code mvn -pl schemas test -Dagentlake.regenerateGolden=true}) and the diff reviewed.
 */
class VocabularyGoldenTest {

  private static final Path GOLDEN = Path.of("src/test/resources/vocabulary.golden.txt");
  private static final boolean REGENERATE = Boolean.getBoolean("agentlake.regenerateGolden");

  static String render() {
    StringBuilder out = new StringBuilder();
    for (Vocabulary.Entry e : Vocabulary.all()) {
      out.append(e.name()).append(" in ").append(String.join(", ", e.columns())).append('\n');
      for (Term t : e.terms()) {
        out.append("  ").append(t.value()).append("  -- ").append(t.meaning()).append('\n');
      }
    }
    return out.toString();
  }

  @Test
  void theVocabularyMatchesItsGoldenFile() throws IOException {
    if (REGENERATE) {
      Files.writeString(GOLDEN, render(), StandardCharsets.UTF_8);
    }
    assertThat(render()).isEqualTo(Files.readString(GOLDEN, StandardCharsets.UTF_8));
  }

  @Test
  void valuesAreUniqueWithinEachVocabularyAndEveryTermIsExplained() {
    for (Vocabulary.Entry e : Vocabulary.all()) {
      assertThat(new HashSet<>(e.values())).as(e.name()).hasSameSizeAs(e.values());
      for (Term t : e.terms()) {
        assertThat(t.meaning()).as(e.name() + " " + t.value()).isNotBlank();
      }
    }
  }

  @Test
  void everyMeaningNamesATermOfTheVocabulary() {
    Set<String> terms = new HashSet<>();
    for (Vocabulary.Entry e : Vocabulary.all()) {
      for (Term t : e.terms()) {
        terms.add(e.name() + "." + t.name());
      }
    }
    assertThat(Meanings.keys()).containsExactlyInAnyOrderElementsOf(terms);
  }

  @Test
  void noIdPrefixIsAnotherPlatformsPrefix() {
    // aws: may prefix aws:access_key: (one platform), but okta: must never prefix openai: etc.
    for (IdPrefix a : IdPrefix.values()) {
      for (IdPrefix b : IdPrefix.values()) {
        if (a != b && b.value().startsWith(a.value())) {
          assertThat(platform(b)).as(b + " starts with " + a).isEqualTo(platform(a));
        }
      }
    }
  }

  private static String platform(IdPrefix p) {
    return p.value().substring(0, p.value().indexOf(':'));
  }

  @Test
  void everyColumnNamedIsAStringColumnOfALakeTable() {
    Set<String> seen = new HashSet<>();
    for (Vocabulary.Entry e : Vocabulary.all()) {
      assertThat(seen.add(e.name())).as("duplicate " + e.name()).isTrue();
      assertThat(e.columns()).as(e.name()).isNotEmpty();
      for (String column : e.columns()) {
        if (column.startsWith("bronze.")) {
          continue; // bronze tables are the sources' own: SourcesTest checks these columns
        }
        assertThat(typeOf(column)).as(column).isEqualTo(DataTypes.StringType);
      }
    }
  }

  /** The type at {@code layer.table.field[].field…}; {@code []} steps into an array's elements. */
  static DataType typeOf(String column) {
    String[] parts = column.split("\\.", 3);
    TableContract table =
        Tables.nonBronze().stream()
            .filter(t -> t.name().equals(parts[0] + "." + parts[1]))
            .findFirst()
            .orElseThrow();
    DataType type = table.schema();
    for (String step : parts[2].split("\\.")) {
      boolean array = step.endsWith("[]");
      String field = array ? step.substring(0, step.length() - 2) : step;
      type = ((StructType) type).apply(field).dataType();
      if (array) {
        type = ((ArrayType) type).elementType();
      }
    }
    return type;
  }
}
