package io.agentlake.transforms.sources.entra;

import io.agentlake.schemas.vocabulary.RiskFactCategory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;

/**
 * The high-privilege Entra ID permissions, as data: {@code entra-high-privilege.csv} beside this
 * class lists Microsoft Graph application permissions, delegated scopes and built-in directory
 * roles by their published ids, each with the risk-fact category it counts as, why, and the
 * document it was read from (see {@code entra-high-privilege.NOTICE.md}). They become risk facts of
 * {@code gold.principal_risk_facts} exactly like AWS's: a Graph permission as {@code <graph app
 * id>:<value>}, a directory role as {@code directory:<role template id>}.
 *
 * <p>Dangerous: a missing or truncated list would silently report no Entra risk, so loading fails
 * on a missing file, a bad row or an unknown category.
 */
public final class EntraRiskFacts {

  /** Microsoft Graph's application id, the same in every tenant. */
  public static final String GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";

  static final String RESOURCE = "entra-high-privilege.csv";

  /**
   * One listed permission.
   *
   * @param kind {@code graph_app_role}, {@code graph_delegated_scope} or {@code directory_role}
   * @param id its published id (app role id, scope id or role template id)
   * @param name its value ({@code RoleManagement.ReadWrite.Directory}) or display name
   * @param category the risk fact it counts as
   * @param why one sentence, without commas
   * @param source where the id was read: {@code <owner>/<repo>@<commit>:<path>}
   */
  public record Permission(
      String kind, String id, String name, RiskFactCategory category, String why, String source) {

    /** The {@code silver.entitlements.action} that holds it. */
    public String action() {
      return kind.equals("directory_role")
          ? EntraPermissions.DIRECTORY + ":" + id.toLowerCase(Locale.ROOT)
          : GRAPH_APP_ID + ":" + name.toLowerCase(Locale.ROOT);
    }
  }

  private static final List<Permission> ALL = load();

  private EntraRiskFacts() {}

  public static List<Permission> all() {
    return ALL;
  }

  /**
   * One fact per distinct action (a Graph permission listed as both an application permission and a
   * delegated scope is one action): its name and category.
   */
  public static Map<String, Permission> byAction() {
    Map<String, Permission> out = new LinkedHashMap<>();
    for (Permission p : ALL) {
      out.putIfAbsent(p.action(), p);
    }
    return out;
  }

  /**
   * The bundled Graph app roles as {@code g_role_id, g_value}: names an app-role assignment when
   * the export lacks Microsoft Graph's own {@code appRoles}.
   */
  static Dataset<Row> graphAppRoles(Dataset<Row> anyInput) {
    List<Row> rows = new ArrayList<>();
    for (Permission p : ALL) {
      if (p.kind().equals("graph_app_role")) {
        rows.add(RowFactory.create(p.id().toLowerCase(Locale.ROOT), p.name()));
      }
    }
    return anyInput
        .sparkSession()
        .createDataFrame(rows, StructType.fromDDL("g_role_id STRING, g_value STRING"));
  }

  private static List<Permission> load() {
    try (InputStream in = EntraRiskFacts.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            RESOURCE
                + " is missing from the classpath: the transforms jar was built without its"
                + " resources. Rebuild it with mvn package.");
      }
      return parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }

  static List<Permission> parse(InputStream in) throws IOException {
    List<Permission> out = new ArrayList<>();
    BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    String header = reader.readLine();
    if (header == null || !header.equals("kind,id,name,category,why,source")) {
      throw invalid("its header is not kind,id,name,category,why,source");
    }
    String line;
    int n = 1;
    while ((line = reader.readLine()) != null) {
      n++;
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split(",", 6);
      if (f.length != 6
          || !f[0].matches("graph_app_role|graph_delegated_scope|directory_role")
          || !f[1].matches("[0-9a-fA-F-]{36}")
          || f[2].isBlank()
          || !f[5].matches("[^ ,]+/[^ ,]+@[0-9a-f]{40}:[^ ,]+")) {
        throw invalid("line " + n + " is not kind,id,name,category,why,source: " + line);
      }
      RiskFactCategory category;
      try {
        category = RiskFactCategory.valueOf(f[3].trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw invalid("line " + n + " has an unknown category " + f[3]);
      }
      out.add(new Permission(f[0], f[1], f[2], category, f[4], f[5]));
    }
    if (out.isEmpty()) {
      throw invalid("it lists no permission");
    }
    return List.copyOf(out);
  }

  private static IllegalArgumentException invalid(String problem) {
    return new IllegalArgumentException(
        "the Entra high-privilege list "
            + RESOURCE
            + " is invalid: "
            + problem
            + ". Fix the file.");
  }
}
