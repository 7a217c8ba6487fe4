package io.agentlake.transforms.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes credential material from records before they reach the lake (SPEC 3.7) while keeping the
 * identifiers the lake joins on: access key ids (AKIA/ASIA), key ids ({@code key_...}), redacted
 * key hints ({@code sk-abc...def}), ARNs.
 *
 * <p>Two rules. By key: the value of a field whose name says it holds a secret (password, secret,
 * token, private key, authorization, cookie, recovery answer; an api key only when the value looks
 * like a key) becomes {@value #REDACTED}. By value: any string anywhere that matches a known secret
 * shape (OpenAI key, JWT, PEM private key, Slack or GitHub token, {@code
 * aws_secret_access_key=...}) has the match replaced by {@code [REDACTED:<kind>]}. Objects such as
 * STS {@code credentials} are walked rather than replaced, so their {@code accessKeyId} survives
 * and their {@code sessionToken} does not.
 *
 * <p>Dangerous: a rule that is too narrow leaks a secret into an append-only lake; one that is too
 * wide erases the identifiers that identity resolution needs. Change it only with a test for both.
 */
public final class SecretRedactor {

  public static final String REDACTED = "[REDACTED]";

  /**
   * A secret shape: {@code literal} is a substring every match contains, checked before the regular
   * expression runs (most values contain none, and this runs on every string ingested).
   */
  private record ValuePattern(String kind, String literal, Pattern pattern) {}

  private static final List<ValuePattern> VALUE_PATTERNS =
      List.of(
          new ValuePattern(
              "private_key",
              "PRIVATE KEY-----",
              Pattern.compile(
                  "-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----[\\s\\S]*?"
                      + "(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----|$)")),
          new ValuePattern("jwt", "eyJ", Pattern.compile("eyJ[\\w-]+\\.[\\w-]+\\.[\\w-]+")),
          new ValuePattern("openai_key", "sk-", Pattern.compile("sk-[A-Za-z0-9_-]{20,}")),
          new ValuePattern("slack_token", "xox", Pattern.compile("xox[baprs]-[A-Za-z0-9-]{10,}")),
          new ValuePattern("github_token", "gh", Pattern.compile("gh[pousr]_[A-Za-z0-9]{20,}")),
          new ValuePattern(
              "github_token", "github_pat_", Pattern.compile("github_pat_[A-Za-z0-9_]{20,}")));

  /** {@code aws_secret_access_key = <40 chars>} in config-file or env-var form; keeps the name. */
  private static final Pattern AWS_SECRET_ASSIGNMENT =
      Pattern.compile("(?i)(aws_secret_access_key\\s*[=:]\\s*[\"']?)[A-Za-z0-9/+=]{40}");

  /** A {@code "key": "value"} pair in JSON text; the value may be cut off by truncation. */
  private static final Pattern JSON_STRING_PAIR =
      Pattern.compile("\"([^\"\\\\]{1,100})\"(\\s*:\\s*)\"((?:[^\"\\\\]++|\\\\.)*+)(\"|$)");

  private SecretRedactor() {}

  /** Redacts {@code node} in place (objects and arrays) and returns it, or a replacement scalar. */
  public static JsonNode redact(JsonNode node) {
    if (node instanceof ObjectNode object) {
      List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
      fields.addAll(object.properties());
      for (Map.Entry<String, JsonNode> field : fields) {
        object.set(field.getKey(), redactField(field.getKey(), field.getValue()));
      }
      return object;
    }
    if (node instanceof ArrayNode array) {
      for (int i = 0; i < array.size(); i++) {
        array.set(i, redact(array.get(i)));
      }
      return array;
    }
    if (node != null && node.isTextual()) {
      String redacted = redactText(node.textValue());
      return redacted.equals(node.textValue()) ? node : TextNode.valueOf(redacted);
    }
    return node;
  }

  /**
   * Redacts the value of every field called {@code field} (any case) below {@code node}, in place:
   * for a source whose event says a field is a secret where its name alone does not.
   */
  public static void redactFieldsNamed(JsonNode node, String field) {
    if (node instanceof ObjectNode object) {
      for (Map.Entry<String, JsonNode> f : new ArrayList<>(object.properties())) {
        if (f.getKey().equalsIgnoreCase(field) && !f.getValue().isNull()) {
          object.put(f.getKey(), REDACTED);
        } else {
          redactFieldsNamed(f.getValue(), field);
        }
      }
    } else if (node instanceof ArrayNode array) {
      array.forEach(element -> redactFieldsNamed(element, field));
    }
  }

  private static JsonNode redactField(String key, JsonNode value) {
    if (value == null || value.isNull() || (value.isTextual() && value.textValue().isEmpty())) {
      return value;
    }
    switch (keyRule(key)) {
      case SECRET:
        return TextNode.valueOf(REDACTED);
      case API_KEY:
        if (value.isTextual() && looksLikeKey(value.textValue())) {
          return TextNode.valueOf(REDACTED);
        }
        return redact(value);
      default:
        return redact(value);
    }
  }

  /**
   * Redacts secret-shaped substrings of free text, and secret-named {@code "key": "value"} pairs
   * when the text is (possibly broken or truncated) JSON, as in a malformed NDJSON line.
   */
  public static String redactText(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String out = text;
    if (out.indexOf('"') >= 0 && out.indexOf(':') >= 0) {
      out = redactJsonPairs(out);
    }
    for (ValuePattern p : VALUE_PATTERNS) {
      if (!out.contains(p.literal())) {
        continue; // every match contains the literal: a cheap test spares the regex scan
      }
      Matcher m = p.pattern().matcher(out);
      if (m.find()) {
        out = m.replaceAll(Matcher.quoteReplacement("[REDACTED:" + p.kind() + "]"));
      }
    }
    if (out.length() >= 40 && (out.indexOf('=') >= 0 || out.indexOf(':') >= 0)) {
      Matcher aws = AWS_SECRET_ASSIGNMENT.matcher(out);
      if (aws.find()) {
        out = aws.replaceAll("$1" + Matcher.quoteReplacement("[REDACTED:aws_secret_key]"));
      }
    }
    return out;
  }

  private static String redactJsonPairs(String text) {
    Matcher m = JSON_STRING_PAIR.matcher(text);
    StringBuilder sb = new StringBuilder(text.length());
    while (m.find()) {
      String key = m.group(1);
      String value = m.group(3);
      KeyRule rule = keyRule(key);
      boolean secret =
          !value.isEmpty()
              && (rule == KeyRule.SECRET || (rule == KeyRule.API_KEY && looksLikeKey(value)));
      String replacement =
          secret ? "\"" + key + "\"" + m.group(2) + "\"" + REDACTED + m.group(4) : m.group();
      m.appendReplacement(sb, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  enum KeyRule {
    NONE,
    SECRET,
    API_KEY
  }

  /** Classifies a field name; package-visible for tests. */
  static KeyRule keyRule(String key) {
    String k = key.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    if (k.endsWith("password")
        || k.equals("passworddata")
        || k.equals("passwd")
        || k.equals("pass")
        || k.endsWith("passphrase")
        || k.endsWith("secret")
        || k.endsWith("secretaccesskey")
        || k.equals("secretkey")
        || k.equals("secretstring")
        || k.equals("secretbinary")
        || k.equals("secretvalue")
        || k.endsWith("token")
        || k.endsWith("privatekey")
        || k.endsWith("authorization")
        || k.equals("cookie")
        || k.equals("cookies")
        || k.equals("setcookie")
        || k.equals("answer")
        || k.endsWith("recoveryanswer")) {
      return KeyRule.SECRET;
    }
    if (k.endsWith("apikey")) {
      return KeyRule.API_KEY;
    }
    return KeyRule.NONE;
  }

  /** An api-key value that is a key rather than a key id, a redacted hint or an ARN. */
  private static boolean looksLikeKey(String value) {
    return value.length() >= 16
        && !value.contains("...")
        && !value.startsWith("key_")
        && !value.startsWith("arn:")
        && value.chars().noneMatch(Character::isWhitespace);
  }
}
