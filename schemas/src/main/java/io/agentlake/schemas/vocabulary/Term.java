package io.agentlake.schemas.vocabulary;

/**
 * One word of the lake's vocabulary: a value a finding column may hold. Dashboards, notebooks and
 * evidence packs filter on these values, so each is declared once, as an enum constant in this
 * package, with its meaning in {@code meanings.properties} beside it. {@code VocabularyGoldenTest}
 * fails when a value is added, renamed or removed until the golden file is regenerated on purpose.
 */
public interface Term {

  /** The enum constant's name, as {@link Enum#name()} gives it. */
  String name();

  /** The value as the lake stores it: the constant's name unless the enum says otherwise. */
  default String value() {
    return name();
  }

  /** What the value means, for the person reading the finding. */
  default String meaning() {
    return Meanings.of(((Enum<?>) this).getDeclaringClass().getSimpleName() + "." + name());
  }
}
