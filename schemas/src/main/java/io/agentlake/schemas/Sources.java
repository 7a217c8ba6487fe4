package io.agentlake.schemas;

import io.agentlake.schemas.SourceRecordType.TimeFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.types.StructType;

/**
 * The source formats agentlake reads (SPEC section 4), as explicit schemas. Field names follow the
 * vendors' exports exactly. Timestamps stay text here, as the vendor wrote them; bronze adds a
 * parsed {@code _event_time}, and silver parses the rest, so that nothing is lost to a format
 * surprise.
 */
public final class Sources {

  public static final String AWS_CLOUDTRAIL = "aws-cloudtrail";
  public static final String AWS_IAM = "aws-iam";
  public static final String OKTA_USERS = "okta-users";
  public static final String OKTA_SYSTEM_LOG = "okta-system-log";
  public static final String BEDROCK_AGENTS = "bedrock-agents";
  public static final String OPENAI_ADMIN = "openai-admin";
  public static final String AGENT_MANIFEST = "agent-manifest";

  /** Reviewers' decisions on review items (SPEC 6.6): the one input agentlake's users write. */
  public static final String REVIEW_DECISIONS = "review-decisions";

  /** Source types in the order a run ingests them. */
  public static final List<String> ALL =
      List.of(
          AWS_IAM,
          AWS_CLOUDTRAIL,
          OKTA_USERS,
          OKTA_SYSTEM_LOG,
          BEDROCK_AGENTS,
          OPENAI_ADMIN,
          AGENT_MANIFEST,
          REVIEW_DECISIONS);

  private static final String POLICY_LIST =
      "ARRAY<STRUCT<PolicyName: STRING, PolicyDocument: STRING>>";
  private static final String ATTACHED = "ARRAY<STRUCT<PolicyName: STRING, PolicyArn: STRING>>";
  private static final String TAGS = "ARRAY<STRUCT<Key: STRING, Value: STRING>>";

  public static final StructType CLOUDTRAIL_EVENT =
      StructType.fromDDL(
          "eventVersion STRING, eventID STRING, eventTime STRING, eventSource STRING,"
              + " eventName STRING, awsRegion STRING, sourceIPAddress STRING, userAgent STRING,"
              + " recipientAccountId STRING, errorCode STRING, errorMessage STRING,"
              + " readOnly BOOLEAN, eventType STRING, eventCategory STRING, managementEvent BOOLEAN,"
              + " requestID STRING, sharedEventID STRING,"
              + " userIdentity STRUCT<type: STRING, principalId: STRING, arn: STRING,"
              + "   accountId: STRING, accessKeyId: STRING, userName: STRING, invokedBy: STRING,"
              + "   identityProvider: STRING,"
              + "   sessionContext: STRUCT<sessionIssuer: STRUCT<type: STRING, principalId: STRING,"
              + "     arn: STRING, accountId: STRING, userName: STRING>,"
              + "     attributes: STRUCT<creationDate: STRING, mfaAuthenticated: STRING>>>,"
              + " requestParameters STRUCT<bucketName: STRING, key: STRING, roleArn: STRING,"
              + "   roleSessionName: STRING, policyArn: STRING, roleName: STRING, userName: STRING>,"
              + " resources ARRAY<STRUCT<ARN: STRING, accountId: STRING, type: STRING>>");

  public static final StructType IAM_USER =
      StructType.fromDDL(
          "Path STRING, UserName STRING, UserId STRING, Arn STRING, CreateDate STRING,"
              + " GroupList ARRAY<STRING>, UserPolicyList "
              + POLICY_LIST
              + ", AttachedManagedPolicies "
              + ATTACHED
              + ", PermissionsBoundary STRUCT<PermissionsBoundaryType: STRING,"
              + " PermissionsBoundaryArn: STRING>, Tags "
              + TAGS);

  public static final StructType IAM_GROUP =
      StructType.fromDDL(
          "Path STRING, GroupName STRING, GroupId STRING, Arn STRING, CreateDate STRING,"
              + " GroupPolicyList "
              + POLICY_LIST
              + ", AttachedManagedPolicies "
              + ATTACHED);

  public static final StructType IAM_ROLE =
      StructType.fromDDL(
          "Path STRING, RoleName STRING, RoleId STRING, Arn STRING, CreateDate STRING,"
              + " AssumeRolePolicyDocument STRING, Description STRING, MaxSessionDuration BIGINT,"
              + " RolePolicyList "
              + POLICY_LIST
              + ", AttachedManagedPolicies "
              + ATTACHED
              + ", PermissionsBoundary STRUCT<PermissionsBoundaryType: STRING,"
              + " PermissionsBoundaryArn: STRING>, Tags "
              + TAGS
              + ", RoleLastUsed STRUCT<LastUsedDate: STRING, Region: STRING>");

  public static final StructType IAM_POLICY =
      StructType.fromDDL(
          "PolicyName STRING, PolicyId STRING, Arn STRING, Path STRING, DefaultVersionId STRING,"
              + " AttachmentCount BIGINT, PermissionsBoundaryUsageCount BIGINT,"
              + " IsAttachable BOOLEAN, CreateDate STRING, UpdateDate STRING,"
              + " PolicyVersionList ARRAY<STRUCT<Document: STRING, VersionId: STRING,"
              + "   IsDefaultVersion: BOOLEAN, CreateDate: STRING>>");

  public static final StructType CREDENTIAL_REPORT_ROW =
      StructType.fromDDL(
          "user STRING, arn STRING, user_creation_time STRING, password_enabled STRING,"
              + " password_last_used STRING, mfa_active STRING,"
              + " access_key_1_active STRING, access_key_1_last_rotated STRING,"
              + " access_key_1_last_used_date STRING, access_key_1_last_used_service STRING,"
              + " access_key_2_active STRING, access_key_2_last_rotated STRING,"
              + " access_key_2_last_used_date STRING, access_key_2_last_used_service STRING");

  public static final StructType OKTA_USER =
      StructType.fromDDL(
          "id STRING, status STRING, created STRING, activated STRING, statusChanged STRING,"
              + " lastLogin STRING, lastUpdated STRING, passwordChanged STRING,"
              + " type STRUCT<id: STRING>,"
              + " profile STRUCT<login: STRING, email: STRING, firstName: STRING, lastName: STRING,"
              + "   displayName: STRING, title: STRING, department: STRING, manager: STRING,"
              + "   managerId: STRING, employeeNumber: STRING, userType: STRING>");

  public static final StructType OKTA_EVENT =
      StructType.fromDDL(
          "uuid STRING, published STRING, eventType STRING, version STRING, severity STRING,"
              + " displayMessage STRING, legacyEventType STRING,"
              + " actor STRUCT<id: STRING, type: STRING, alternateId: STRING, displayName: STRING>,"
              + " client STRUCT<userAgent: STRUCT<rawUserAgent: STRING>, ipAddress: STRING,"
              + "   zone: STRING, device: STRING>,"
              + " outcome STRUCT<result: STRING, reason: STRING>,"
              + " target ARRAY<STRUCT<id: STRING, type: STRING, alternateId: STRING,"
              + "   displayName: STRING>>,"
              + " transaction STRUCT<type: STRING, id: STRING>,"
              + " authenticationContext STRUCT<authenticationProvider: STRING,"
              + "   credentialType: STRING, externalSessionId: STRING>");

  public static final StructType BEDROCK_AGENT =
      StructType.fromDDL(
          "agentId STRING, agentName STRING, agentArn STRING, agentVersion STRING,"
              + " agentStatus STRING, agentResourceRoleArn STRING, foundationModel STRING,"
              + " description STRING, instruction STRING, createdAt STRING, updatedAt STRING,"
              + " preparedAt STRING, latestAgentVersion STRING, idleSessionTTLInSeconds BIGINT,"
              + " failureReasons ARRAY<STRING>");

  public static final StructType OPENAI_PROJECT =
      StructType.fromDDL(
          "object STRING, id STRING, name STRING, created_at BIGINT, archived_at BIGINT,"
              + " status STRING");

  public static final StructType OPENAI_SERVICE_ACCOUNT =
      StructType.fromDDL("object STRING, id STRING, name STRING, role STRING, created_at BIGINT");

  public static final StructType OPENAI_API_KEY =
      StructType.fromDDL(
          "object STRING, id STRING, name STRING, redacted_value STRING, created_at BIGINT,"
              + " last_used_at BIGINT,"
              + " owner STRUCT<type: STRING,"
              + "   user: STRUCT<object: STRING, id: STRING, name: STRING, email: STRING,"
              + "     role: STRING, created_at: BIGINT>,"
              + "   service_account: STRUCT<object: STRING, id: STRING, name: STRING,"
              + "     role: STRING, created_at: BIGINT>>");

  public static final StructType OPENAI_USER =
      StructType.fromDDL(
          "object STRING, id STRING, name STRING, email STRING, role STRING, added_at BIGINT");

  public static final StructType OPENAI_AUDIT_LOG =
      StructType.fromDDL(
          "id STRING, type STRING, effective_at BIGINT,"
              + " project STRUCT<id: STRING, name: STRING>,"
              + " actor STRUCT<type: STRING, session: STRUCT<user: STRUCT<id: STRING,"
              + "   email: STRING>, ip_address: STRING>, api_key: STRUCT<id: STRING, type: STRING,"
              + "   user: STRUCT<id: STRING, email: STRING>,"
              + "   service_account: STRUCT<id: STRING>>>");

  public static final StructType MANIFEST_AGENT =
      StructType.fromDDL(
          "agent_id STRING, name STRING, platform STRING, owner STRING,"
              + " backup_owners ARRAY<STRING>, purpose STRING, credentials ARRAY<STRING>,"
              + " project STRING, end_date STRING");

  /**
   * One reviewer decision: on a review item ({@code item_id}, from {@code gold.review_queue}) or on
   * an agent as a whole ({@code agent_id}). {@code expires_on} is a date; ACCEPT_RISK needs one.
   */
  public static final StructType REVIEW_DECISION =
      StructType.fromDDL(
          "item_id STRING, agent_id STRING, decision STRING, expires_on STRING, reviewer STRING,"
              + " justification STRING, decided_at STRING");

  private static final Map<String, SourceRecordType> BY_RECORD_TYPE = new LinkedHashMap<>();

  static {
    register(
        AWS_CLOUDTRAIL,
        "cloudtrail_event",
        "aws_cloudtrail",
        CLOUDTRAIL_EVENT,
        List.of("eventID", "eventTime", "eventSource", "eventName"),
        "eventTime",
        TimeFormat.ISO_8601,
        List.of("recipientAccountId", "eventID"),
        true);
    register(
        AWS_IAM,
        "iam_user",
        "aws_iam_users",
        IAM_USER,
        List.of("Arn", "UserName"),
        null,
        TimeFormat.NONE,
        List.of("Arn"),
        false);
    register(
        AWS_IAM,
        "iam_group",
        "aws_iam_groups",
        IAM_GROUP,
        List.of("Arn", "GroupName"),
        null,
        TimeFormat.NONE,
        List.of("Arn"),
        false);
    register(
        AWS_IAM,
        "iam_role",
        "aws_iam_roles",
        IAM_ROLE,
        List.of("Arn", "RoleName"),
        null,
        TimeFormat.NONE,
        List.of("Arn"),
        false);
    register(
        AWS_IAM,
        "iam_policy",
        "aws_iam_policies",
        IAM_POLICY,
        List.of("Arn", "PolicyName"),
        null,
        TimeFormat.NONE,
        List.of("Arn"),
        false);
    register(
        AWS_IAM,
        "credential_report_row",
        "aws_credential_report",
        CREDENTIAL_REPORT_ROW,
        List.of("user", "arn"),
        null,
        TimeFormat.NONE,
        List.of("arn"),
        false);
    register(
        OKTA_USERS,
        "okta_user",
        "okta_users",
        OKTA_USER,
        List.of("id", "status"),
        "statusChanged",
        TimeFormat.ISO_8601,
        List.of("id"),
        false);
    register(
        OKTA_SYSTEM_LOG,
        "okta_event",
        "okta_system_log",
        OKTA_EVENT,
        List.of("uuid", "published", "eventType"),
        "published",
        TimeFormat.ISO_8601,
        List.of("uuid"),
        true);
    register(
        BEDROCK_AGENTS,
        "bedrock_agent",
        "bedrock_agents",
        BEDROCK_AGENT,
        List.of("agentId", "agentName"),
        "updatedAt",
        TimeFormat.ISO_8601,
        List.of("agentId"),
        false);
    register(
        OPENAI_ADMIN,
        "openai_project",
        "openai_projects",
        OPENAI_PROJECT,
        List.of("id"),
        "created_at",
        TimeFormat.EPOCH_SECONDS,
        List.of("id"),
        false);
    register(
        OPENAI_ADMIN,
        "openai_service_account",
        "openai_service_accounts",
        OPENAI_SERVICE_ACCOUNT,
        List.of("id"),
        "created_at",
        TimeFormat.EPOCH_SECONDS,
        List.of("id"),
        false);
    register(
        OPENAI_ADMIN,
        "openai_api_key",
        "openai_api_keys",
        OPENAI_API_KEY,
        List.of("id"),
        "created_at",
        TimeFormat.EPOCH_SECONDS,
        List.of("id"),
        false);
    register(
        OPENAI_ADMIN,
        "openai_user",
        "openai_users",
        OPENAI_USER,
        List.of("id"),
        "added_at",
        TimeFormat.EPOCH_SECONDS,
        List.of("id"),
        false);
    register(
        OPENAI_ADMIN,
        "openai_audit_log",
        "openai_audit_logs",
        OPENAI_AUDIT_LOG,
        List.of("id", "type", "effective_at"),
        "effective_at",
        TimeFormat.EPOCH_SECONDS,
        List.of("id"),
        true);
    register(
        AGENT_MANIFEST,
        "manifest_agent",
        "agent_manifest",
        MANIFEST_AGENT,
        List.of("agent_id", "platform"),
        null,
        TimeFormat.NONE,
        List.of("platform", "agent_id"),
        false);
    register(
        REVIEW_DECISIONS,
        "review_decision",
        "review_decisions",
        REVIEW_DECISION,
        List.of("decision", "reviewer", "decided_at"),
        "decided_at",
        TimeFormat.ISO_8601,
        List.of("item_id", "agent_id", "reviewer", "decided_at"),
        true);
  }

  private Sources() {}

  private static void register(
      String sourceType,
      String recordType,
      String bronzeTable,
      StructType schema,
      List<String> required,
      String eventTimeField,
      TimeFormat timeFormat,
      List<String> keys,
      boolean deduplicated) {
    BY_RECORD_TYPE.put(
        recordType,
        new SourceRecordType(
            sourceType,
            recordType,
            bronzeTable,
            schema,
            required,
            eventTimeField,
            timeFormat,
            keys,
            deduplicated));
  }

  public static List<SourceRecordType> recordTypes() {
    return List.copyOf(BY_RECORD_TYPE.values());
  }

  public static List<SourceRecordType> recordTypesOf(String sourceType) {
    return BY_RECORD_TYPE.values().stream().filter(r -> r.sourceType().equals(sourceType)).toList();
  }

  public static Optional<SourceRecordType> recordType(String recordType) {
    return Optional.ofNullable(BY_RECORD_TYPE.get(recordType));
  }

  public static boolean isKnownSource(String sourceType) {
    return ALL.contains(sourceType);
  }
}
