package io.agentlake.jobs.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentlake.jobs.lake.Spark;
import io.agentlake.transforms.bronze.Bronze;
import io.agentlake.transforms.bronze.ExtractedRecords;
import io.agentlake.transforms.ingest.RecordExtractor;
import io.agentlake.transforms.sources.Sources;
import io.agentlake.transforms.sources.iam.ActionCatalog;
import io.agentlake.transforms.sources.iam.AwsIam;
import io.agentlake.transforms.sources.iam.IamPolicies;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Measures entitlement expansion (SPEC 6.2) alone, on a synthetic {@code
 * get-account-authorization-details} export: roles with inline and managed policies drawn from a
 * fixed mix (exact catalog actions, {@code Get*}-style and {@code service:*} patterns, Denies,
 * conditions, a few NotAction statements, boundaries on one role in ten). Prints figures; asserts
 * nothing.
 */
@Command(
    name = "bench-entitlements",
    mixinStandardHelpOptions = true,
    description =
        "Measures entitlement expansion (catalog expansion, Denies, boundaries) for a synthetic account and prints the figures.")
final class BenchEntitlementsCommand implements Callable<Integer> {

  @Option(names = "--roles", paramLabel = "N", description = "Roles (default ${DEFAULT-VALUE}).")
  int roles = 1000;

  @Option(
      names = "--policies",
      paramLabel = "N",
      description = "Managed policies (default ${DEFAULT-VALUE}).")
  int policies = 1500;

  @Option(
      names = "--runs",
      paramLabel = "N",
      description = "Timed runs after the first (default ${DEFAULT-VALUE}).")
  int runs = 2;

  @Option(names = "--seed", paramLabel = "N", description = "Seed (default ${DEFAULT-VALUE}).")
  long seed = 7;

  static final String ACCOUNT = "123456789012";

  @Override
  public Integer call() throws Exception {
    SparkSession spark = Spark.session("agentlake bench-entitlements");
    long t0 = System.nanoTime();
    ActionCatalog catalog = ActionCatalog.bundled();
    double catalogSeconds = (System.nanoTime() - t0) / 1e9;
    String export = syntheticExport(roles, policies, seed);
    List<Row> rows = new ArrayList<>();
    RecordExtractor.extract(
        Sources.of(AwsIam.NAME),
        "aws-iam/synthetic.json",
        new ByteArrayInputStream(export.getBytes(StandardCharsets.UTF_8)),
        r -> rows.add(ExtractedRecords.row(AwsIam.NAME, "aws-iam/synthetic.json", r)));
    Dataset<Row> extracted = spark.createDataFrame(rows, ExtractedRecords.SCHEMA);
    Timestamp now = new Timestamp(System.currentTimeMillis());
    Dataset<Row> users = bronze(extracted, "iam_user", now);
    Dataset<Row> groups = bronze(extracted, "iam_group", now);
    Dataset<Row> roleRows = bronze(extracted, "iam_role", now);
    Dataset<Row> policyRows = bronze(extracted, "iam_policy", now);

    System.out.printf(
        Locale.ROOT,
        "%nagentlake bench-entitlements: %d roles, %d managed policies, export %.1f MB, catalog %s"
            + " (%d actions, loaded in %.2f s)%n",
        roles,
        policies,
        export.length() / 1e6,
        catalog.version(),
        catalog.actions().size(),
        catalogSeconds);
    for (int run = 0; run <= runs; run++) {
      spark.sparkContext().setJobGroup("bench", "entitlements run " + run, false);
      long t1 = System.nanoTime();
      Dataset<Row> attachments = IamPolicies.attachments(users, groups, roleRows, policyRows);
      Dataset<Row> ent = IamPolicies.entitlements(attachments, LocalDate.now()).cache();
      long count = ent.count();
      double seconds = (System.nanoTime() - t1) / 1e9;
      long allows = ent.filter("effect = 'Allow' AND policy_type <> 'boundary'").count();
      long definite =
          ent.filter("effect = 'Allow' AND policy_type <> 'boundary' AND definite").count();
      long unknown = IamPolicies.unknownActionPatterns(ent).count();
      ent.unpersist();
      System.out.printf(
          Locale.ROOT,
          "  %-12s %7.1f s   %,10d rows (%,d Allow upper bound, %,d definite lower bound),"
              + " %,d unknown patterns, %,.0f rows/s%n",
          run == 0 ? "first run" : "run " + run,
          seconds,
          count,
          allows,
          definite,
          unknown,
          count / seconds);
    }
    return 0;
  }

  private static Dataset<Row> bronze(Dataset<Row> extracted, String recordType, Timestamp now) {
    return Bronze.accepted(extracted, Sources.recordType(recordType).orElseThrow(), "bench", now);
  }

  /** The synthetic export: deterministic for a seed. */
  static String syntheticExport(int roleCount, int policyCount, long seed) {
    Random rnd = new Random(seed);
    List<ActionCatalog.Action> actions = ActionCatalog.bundled().actions();
    List<String> services =
        actions.stream().map(ActionCatalog.Action::service).distinct().sorted().toList();
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    root.putArray("UserDetailList");
    root.putArray("GroupDetailList");
    ArrayNode policyList = root.putArray("Policies");
    for (int p = 0; p < policyCount; p++) {
      ObjectNode policy = policyList.addObject();
      policy.put("PolicyName", "policy-" + p);
      policy.put("Arn", "arn:aws:iam::" + ACCOUNT + ":policy/policy-" + p);
      policy.put("DefaultVersionId", "v1");
      policy.put("CreateDate", "2026-01-01T00:00:00Z");
      ObjectNode version = policy.putArray("PolicyVersionList").addObject();
      version.put("VersionId", "v1");
      version.put("IsDefaultVersion", true);
      version.put("CreateDate", "2026-01-01T00:00:00Z");
      version.set("Document", document(json, rnd, actions, services, 3));
    }
    int boundaries = 5;
    for (int b = 0; b < boundaries; b++) {
      ObjectNode policy = policyList.addObject();
      policy.put("PolicyName", "boundary-" + b);
      policy.put("Arn", "arn:aws:iam::" + ACCOUNT + ":policy/boundary-" + b);
      policy.put("DefaultVersionId", "v1");
      ObjectNode version = policy.putArray("PolicyVersionList").addObject();
      version.put("VersionId", "v1");
      version.put("IsDefaultVersion", true);
      ObjectNode doc = version.putObject("Document");
      doc.put("Version", "2012-10-17");
      ObjectNode allow = doc.putArray("Statement").addObject();
      allow.put("Effect", "Allow");
      ArrayNode a = allow.putArray("Action");
      for (int i = 0; i < 8; i++) {
        a.add(services.get(rnd.nextInt(services.size())) + ":*");
      }
      allow.put("Resource", "*");
    }
    ArrayNode roleList = root.putArray("RoleDetailList");
    for (int r = 0; r < roleCount; r++) {
      ObjectNode role = roleList.addObject();
      role.put("RoleName", "role-" + r);
      role.put("Arn", "arn:aws:iam::" + ACCOUNT + ":role/role-" + r);
      role.put("RoleId", "AROA" + r);
      role.put("Path", "/");
      role.put("CreateDate", "2026-01-01T00:00:00Z");
      ObjectNode trust = role.putObject("AssumeRolePolicyDocument");
      trust.put("Version", "2012-10-17");
      trust.putArray("Statement");
      ObjectNode inline = role.putArray("RolePolicyList").addObject();
      inline.put("PolicyName", "inline-" + r);
      inline.set("PolicyDocument", document(json, rnd, actions, services, 2));
      ArrayNode attached = role.putArray("AttachedManagedPolicies");
      for (int i = 0; i < 3; i++) {
        int p = rnd.nextInt(policyCount);
        ObjectNode m = attached.addObject();
        m.put("PolicyName", "policy-" + p);
        m.put("PolicyArn", "arn:aws:iam::" + ACCOUNT + ":policy/policy-" + p);
      }
      if (r % 10 == 0) {
        ObjectNode pb = role.putObject("PermissionsBoundary");
        pb.put("PermissionsBoundaryType", "Policy");
        pb.put(
            "PermissionsBoundaryArn",
            "arn:aws:iam::" + ACCOUNT + ":policy/boundary-" + rnd.nextInt(boundaries));
      }
      role.putArray("Tags");
    }
    return root.toString();
  }

  /**
   * A policy document of {@code statements} statements: 55% exact catalog actions, 20% {@code
   * Get*}/{@code List*}/{@code Describe*} patterns, 10% {@code service:*}, 6% Deny, 6% conditional,
   * 2% resource-scoped, 1% NotAction.
   */
  private static ObjectNode document(
      ObjectMapper json,
      Random rnd,
      List<ActionCatalog.Action> actions,
      List<String> services,
      int statements) {
    ObjectNode doc = json.createObjectNode();
    doc.put("Version", "2012-10-17");
    ArrayNode list = doc.putArray("Statement");
    for (int s = 0; s < statements; s++) {
      ObjectNode st = list.addObject();
      int kind = rnd.nextInt(100);
      st.put("Effect", kind >= 55 && kind < 61 ? "Deny" : "Allow");
      String service = services.get(rnd.nextInt(services.size()));
      if (kind < 1) {
        st.putArray("NotAction").add(service + ":*").add("iam:*");
      } else {
        ArrayNode a = st.putArray("Action");
        if (kind < 75) {
          for (int i = 0; i < 5; i++) {
            a.add(actions.get(rnd.nextInt(actions.size())).name());
          }
        } else if (kind < 90) {
          String verb = List.of("Get", "List", "Describe").get(rnd.nextInt(3));
          a.add(service + ":" + verb + "*");
        } else {
          a.add(service + ":*");
        }
      }
      if (kind >= 94 && kind < 96) {
        st.put("Resource", "arn:aws:s3:::bucket-" + rnd.nextInt(50) + "/*");
      } else {
        st.put("Resource", "*");
      }
      if (kind >= 61 && kind < 67) {
        st.putObject("Condition").putObject("Bool").put("aws:SecureTransport", "true");
      }
    }
    return doc;
  }
}
