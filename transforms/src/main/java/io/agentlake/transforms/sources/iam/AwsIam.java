package io.agentlake.transforms.sources.iam;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentlake.schemas.SourceRecordType;
import io.agentlake.schemas.vocabulary.Platform;
import io.agentlake.transforms.ingest.CsvReader;
import io.agentlake.transforms.ingest.JsonText;
import io.agentlake.transforms.ingest.QuarantineReason;
import io.agentlake.transforms.ingest.Records;
import io.agentlake.transforms.ingest.SourcePackage;
import io.agentlake.transforms.ingest.UnrecognizedFile;
import java.io.IOException;
import java.io.StringReader;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * AWS IAM: the object {@code aws iam get-account-authorization-details} writes (its four lists are
 * four record types) and the credential report, as {@code aws iam get-credential-report} JSON
 * (base64 CSV in {@code Content}) or as the CSV itself. A file under {@code aws-iam/<account>/}
 * states its account.
 */
public final class AwsIam implements SourcePackage {

  public static final String NAME = "aws-iam";

  private static final String POLICY_LIST =
      "ARRAY<STRUCT<PolicyName: STRING, PolicyDocument: STRING>>";
  private static final String ATTACHED = "ARRAY<STRUCT<PolicyName: STRING, PolicyArn: STRING>>";
  private static final String TAGS = "ARRAY<STRUCT<Key: STRING, Value: STRING>>";

  public static final SourceRecordType USER =
      snapshot(
          "iam_user",
          "aws_iam_users",
          "Path STRING, UserName STRING, UserId STRING, Arn STRING, CreateDate STRING,"
              + " GroupList ARRAY<STRING>, UserPolicyList "
              + POLICY_LIST
              + ", AttachedManagedPolicies "
              + ATTACHED
              + ", PermissionsBoundary STRUCT<PermissionsBoundaryType: STRING,"
              + " PermissionsBoundaryArn: STRING>, Tags "
              + TAGS,
          List.of("Arn", "UserName"),
          "Arn");

  public static final SourceRecordType GROUP =
      snapshot(
          "iam_group",
          "aws_iam_groups",
          "Path STRING, GroupName STRING, GroupId STRING, Arn STRING, CreateDate STRING,"
              + " GroupPolicyList "
              + POLICY_LIST
              + ", AttachedManagedPolicies "
              + ATTACHED,
          List.of("Arn", "GroupName"),
          "Arn");

  public static final SourceRecordType ROLE =
      snapshot(
          "iam_role",
          "aws_iam_roles",
          "Path STRING, RoleName STRING, RoleId STRING, Arn STRING, CreateDate STRING,"
              + " AssumeRolePolicyDocument STRING, Description STRING, MaxSessionDuration BIGINT,"
              + " RolePolicyList "
              + POLICY_LIST
              + ", AttachedManagedPolicies "
              + ATTACHED
              + ", PermissionsBoundary STRUCT<PermissionsBoundaryType: STRING,"
              + " PermissionsBoundaryArn: STRING>, Tags "
              + TAGS
              + ", RoleLastUsed STRUCT<LastUsedDate: STRING, Region: STRING>"
              + ", InstanceProfileList ARRAY<STRUCT<InstanceProfileName: STRING,"
              + " InstanceProfileId: STRING, Arn: STRING>>",
          List.of("Arn", "RoleName"),
          "Arn");

  public static final SourceRecordType POLICY =
      snapshot(
          "iam_policy",
          "aws_iam_policies",
          "PolicyName STRING, PolicyId STRING, Arn STRING, Path STRING, DefaultVersionId STRING,"
              + " AttachmentCount BIGINT, PermissionsBoundaryUsageCount BIGINT,"
              + " IsAttachable BOOLEAN, CreateDate STRING, UpdateDate STRING,"
              + " PolicyVersionList ARRAY<STRUCT<Document: STRING, VersionId: STRING,"
              + "   IsDefaultVersion: BOOLEAN, CreateDate: STRING>>",
          List.of("Arn", "PolicyName"),
          "Arn");

  public static final SourceRecordType CREDENTIAL_REPORT_ROW =
      snapshot(
          "credential_report_row",
          "aws_credential_report",
          "user STRING, arn STRING, user_creation_time STRING, password_enabled STRING,"
              + " password_last_used STRING, mfa_active STRING,"
              + " access_key_1_active STRING, access_key_1_last_rotated STRING,"
              + " access_key_1_last_used_date STRING, access_key_1_last_used_service STRING,"
              + " access_key_2_active STRING, access_key_2_last_rotated STRING,"
              + " access_key_2_last_used_date STRING, access_key_2_last_used_service STRING",
          List.of("user", "arn"),
          "arn");

  /** The lists of an authorization-details file, by field, with the record type of each. */
  private static final Map<String, SourceRecordType> LISTS =
      Map.of(
          "UserDetailList", USER,
          "GroupDetailList", GROUP,
          "RoleDetailList", ROLE,
          "Policies", POLICY);

  private static final Pattern ACCOUNT_FOLDER = Pattern.compile("(?:^|/)aws-iam/(\\d{12})/");

  private static SourceRecordType snapshot(
      String recordType, String table, String ddl, List<String> required, String key) {
    return SourceRecordType.snapshot(NAME, recordType, table, ddl, required, List.of(key));
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Optional<Platform> platform() {
    return Optional.of(Platform.AWS);
  }

  @Override
  public List<SourceRecordType> recordTypes() {
    return List.of(USER, GROUP, ROLE, POLICY, CREDENTIAL_REPORT_ROW);
  }

  @Override
  public String accepts() {
    return "the object written by 'aws iam get-account-authorization-details' or 'aws iam"
        + " get-credential-report', or the credential report CSV";
  }

  @Override
  public Map<String, String> context(String path) {
    Matcher m = ACCOUNT_FOLDER.matcher(path);
    return m.find() ? Map.of("account", m.group(1)) : Map.of();
  }

  /** Every IAM record comes in a named list: a record on its own is none of IAM's. */
  @Override
  public String recordTypeOf(JsonNode record) {
    return null;
  }

  @Override
  public String unknownRecord(JsonNode record) {
    return "an aws-iam record outside UserDetailList/GroupDetailList/RoleDetailList/Policies";
  }

  @Override
  public Wrapper wrapper(String field, boolean array) {
    SourceRecordType type = array ? LISTS.get(field) : null;
    return type == null ? null : Wrapper.of(type.recordType());
  }

  @Override
  public boolean acceptsRootArray() {
    return false;
  }

  @Override
  public boolean acceptsNdjson() {
    return false;
  }

  @Override
  public TextLayout textLayout(String firstLine, String firstMeaningfulLine) {
    return firstLine.startsWith("user,arn")
        ? TextLayout.csv(CREDENTIAL_REPORT_ROW.recordType())
        : null;
  }

  /** An object without the four lists is a credential report, or nothing IAM writes. */
  @Override
  public void unwrappedObject(ObjectNode object, Records out) throws IOException, UnrecognizedFile {
    if (!object.has("Content")) {
      throw new UnrecognizedFile(
          QuarantineReason.UNRECOGNIZED_FORMAT,
          "This JSON object has none of UserDetailList, GroupDetailList, RoleDetailList, Policies"
              + " or Content, so it is neither an authorization-details export nor a credential"
              + " report (fields: "
              + JsonText.shorten(JsonText.fieldNames(object), 200)
              + "). Remove it from the aws-iam folder.");
    }
    JsonNode content = object.get("Content");
    String csv = null;
    if (content.isTextual()) {
      String text = content.textValue().strip();
      if (text.startsWith("user,")) {
        csv = text;
      } else {
        try {
          String decoded =
              new String(Base64.getMimeDecoder().decode(text), StandardCharsets.UTF_8).strip();
          csv = decoded.startsWith("user,") ? decoded : null;
        } catch (IllegalArgumentException e) {
          csv = null;
        }
      }
    }
    if (csv == null) {
      out.quarantine(
          CREDENTIAL_REPORT_ROW.recordType(),
          out.count(),
          object,
          QuarantineReason.MALFORMED_RECORD,
          "The credential report's Content is neither base64 of a CSV nor a CSV starting with"
              + " 'user,arn': re-run 'aws iam get-credential-report'.");
      return;
    }
    CsvReader.read(new StringReader(csv), CREDENTIAL_REPORT_ROW.recordType(), out, false);
  }

  @Override
  public void normalise(String recordType, ObjectNode node, Map<String, String> context) {
    switch (recordType) {
      case "iam_user" -> normaliseDocuments(node, "UserPolicyList", "PolicyDocument");
      case "iam_group" -> normaliseDocuments(node, "GroupPolicyList", "PolicyDocument");
      case "iam_role" -> {
        normaliseDocument(node, "AssumeRolePolicyDocument");
        normaliseDocuments(node, "RolePolicyList", "PolicyDocument");
      }
      case "iam_policy" -> normaliseDocuments(node, "PolicyVersionList", "Document");
      default -> {}
    }
  }

  private static void normaliseDocuments(ObjectNode node, String list, String field) {
    JsonNode items = node.get(list);
    if (items != null && items.isArray()) {
      for (JsonNode item : items) {
        if (item instanceof ObjectNode holder) {
          normaliseDocument(holder, field);
        }
      }
    }
  }

  /**
   * IAM policy documents arrive as objects (the CLI decodes them) or as URL-encoded JSON strings
   * (the raw API); the schema keeps them as one compact JSON string either way.
   */
  private static void normaliseDocument(ObjectNode holder, String field) {
    JsonNode value = holder.get(field);
    if (value == null || value.isNull()) {
      return;
    }
    if (value.isContainerNode()) {
      holder.put(field, JsonText.compact(value));
      return;
    }
    if (!value.isTextual()) {
      return;
    }
    String text = value.textValue().strip();
    if (text.regionMatches(true, 0, "%7B", 0, 3)) {
      try {
        text = URLDecoder.decode(text, StandardCharsets.UTF_8).strip();
      } catch (IllegalArgumentException e) {
        return; // not URL encoding after all: leave the text as the vendor wrote it
      }
    }
    if (text.startsWith("{")) {
      try {
        holder.put(field, JsonText.compact(JsonText.JSON.readTree(text)));
      } catch (JsonProcessingException e) {
        holder.put(field, text);
      }
    }
  }
}
