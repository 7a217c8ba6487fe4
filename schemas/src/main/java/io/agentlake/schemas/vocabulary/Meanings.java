package io.agentlake.schemas.vocabulary;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.Set;

/** {@code meanings.properties}, read once: {@code <Enum>.<CONSTANT> = what it means}. */
final class Meanings {

  static final String RESOURCE = "meanings.properties";

  private static final Properties TEXTS = load();

  private Meanings() {}

  static String of(String key) {
    String text = TEXTS.getProperty(key);
    if (text == null) {
      throw new IllegalStateException(
          "the vocabulary term "
              + key
              + " has no meaning in "
              + RESOURCE
              + ": add a line '"
              + key
              + " = …' there");
    }
    return text;
  }

  static Set<String> keys() {
    return TEXTS.stringPropertyNames();
  }

  private static Properties load() {
    Properties p = new Properties();
    try (InputStream in = Meanings.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the schemas jar");
      }
      p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
    return p;
  }
}
