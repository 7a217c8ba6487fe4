package io.agentlake.transforms.sources.entra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentlake.schemas.SourceRecordType;
import io.agentlake.schemas.SourceRecordType.TimeFormat;
import io.agentlake.schemas.vocabulary.Platform;
import io.agentlake.transforms.ingest.QuarantineReason;
import io.agentlake.transforms.ingest.RecordChecks.Problem;
import io.agentlake.transforms.ingest.Records;
import io.agentlake.transforms.ingest.SchemaCase;
import io.agentlake.transforms.ingest.SecretRedactor;
import io.agentlake.transforms.ingest.SourcePackage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.types.StructType;

/**
 * Microsoft Entra ID, in the formats Microsoft Graph and Azure Monitor write: Graph list responses
 * ({@code {"@odata.context": …, "value": […], "@odata.nextLink": …}}, one page per file or pages
 * concatenated or one per line), single objects, records as NDJSON, and the diagnostic-settings
 * export of the sign-in and audit logs ({@code {"records": […]}}, as storage accounts and Event
 * Hubs receive it).
 *
 * <p>What a record is comes from its {@code @odata.type} (with or without the {@code #}), else from
 * its page's {@code @odata.context}, else from a diagnostic record's {@code category}, else from
 * the fields only that kind has. Owners, sponsors, members and managers are lists of directory
 * objects that do not name their parent: their path does ({@code <collection>/<object
 * id>/<relation>.json}, as a script saving {@code GET /servicePrincipals/{id}/owners} writes it),
 * or they come expanded inside their parent ({@code $expand=owners}).
 *
 * <p>Quirks handled: duplicate keys (the last value wins, as Graph's own clients read them), the
 * {@code 0001-01-01T00:00:00Z} "never" sentinel (becomes null), capitalised keys ({@code "Type"}),
 * and {@code @odata.type} with and without {@code #} (kept without, as {@code odataType}). Secrets
 * are redacted: a password credential's {@code secretText} and a certificate credential's {@code
 * key} never land in the lake, while {@code hint}, {@code keyId} and {@code endDateTime} are kept.
 */
public final class EntraId implements SourcePackage {

  public static final String NAME = "entra-id";

  /**
   * {@code @odata.type}, kept as {@code odataType} (without {@code #}): a column name SQL can use
   * without quoting.
   */
  private static final String ODATA_TYPE_FIELD = "odataType";

  private static final String ODATA_TYPE = ODATA_TYPE_FIELD + " STRING";
  private static final String DIRECTORY_OBJECTS =
      "ARRAY<STRUCT<odataType: STRING, id: STRING, userPrincipalName: STRING, mail: STRING,"
          + " displayName: STRING, appId: STRING>>";
  private static final String PASSWORD_CREDENTIALS =
      "ARRAY<STRUCT<keyId: STRING, displayName: STRING, hint: STRING, startDateTime: STRING,"
          + " endDateTime: STRING>>";
  private static final String KEY_CREDENTIALS =
      "ARRAY<STRUCT<keyId: STRING, displayName: STRING, type: STRING, usage: STRING,"
          + " startDateTime: STRING, endDateTime: STRING, customKeyIdentifier: STRING>>";

  public static final SourceRecordType USER =
      snapshot(
          "entra_user",
          "entra_users",
          ODATA_TYPE
              + ", id STRING, userPrincipalName STRING, mail STRING, otherMails ARRAY<STRING>,"
              + " displayName STRING, givenName STRING, surname STRING, accountEnabled BOOLEAN,"
              + " userType STRING, createdDateTime STRING, deletedDateTime STRING,"
              + " onPremisesSyncEnabled BOOLEAN, employeeId STRING,"
              + " identities ARRAY<STRUCT<signInType: STRING, issuer: STRING,"
              + "   issuerAssignedId: STRING>>,"
              + " signInActivity STRUCT<lastSignInDateTime: STRING, lastSignInRequestId: STRING,"
              + "   lastNonInteractiveSignInDateTime: STRING,"
              + "   lastNonInteractiveSignInRequestId: STRING,"
              + "   lastSuccessfulSignInDateTime: STRING, lastSuccessfulSignInRequestId: STRING>,"
              + " manager STRUCT<odataType: STRING, id: STRING, userPrincipalName: STRING,"
              + "   mail: STRING, displayName: STRING>",
          List.of("id"));

  public static final SourceRecordType GROUP =
      snapshot(
          "entra_group",
          "entra_groups",
          ODATA_TYPE
              + ", id STRING, displayName STRING, mail STRING, mailEnabled BOOLEAN,"
              + " securityEnabled BOOLEAN, groupTypes ARRAY<STRING>, createdDateTime STRING,"
              + " deletedDateTime STRING, members "
              + DIRECTORY_OBJECTS,
          List.of("id"));

  /** Applications, agent identity blueprints among them. */
  public static final SourceRecordType APPLICATION =
      snapshot(
          "entra_application",
          "entra_applications",
          ODATA_TYPE
              + ", id STRING, appId STRING, displayName STRING, createdDateTime STRING,"
              + " deletedDateTime STRING, signInAudience STRING, publisherDomain STRING,"
              + " createdByAppId STRING, identifierUris ARRAY<STRING>, tags ARRAY<STRING>,"
              + " passwordCredentials "
              + PASSWORD_CREDENTIALS
              + ", keyCredentials "
              + KEY_CREDENTIALS
              + ", requiredResourceAccess ARRAY<STRUCT<resourceAppId: STRING,"
              + "   resourceAccess: ARRAY<STRUCT<id: STRING, type: STRING>>>>,"
              + " owners "
              + DIRECTORY_OBJECTS
              + ", sponsors "
              + DIRECTORY_OBJECTS,
          List.of("appId"),
          "appId");

  /**
   * Service principals: applications' instances, managed identities, agent identities ({@code
   * servicePrincipalType} {@code ServiceIdentity}) and agent identity blueprint principals.
   */
  public static final SourceRecordType SERVICE_PRINCIPAL =
      snapshot(
          "entra_service_principal",
          "entra_service_principals",
          ODATA_TYPE
              + ", id STRING, appId STRING, displayName STRING, appDisplayName STRING,"
              + " servicePrincipalType STRING, accountEnabled BOOLEAN, createdDateTime STRING,"
              + " deletedDateTime STRING, appOwnerOrganizationId STRING,"
              + " agentIdentityBlueprintId STRING, createdByAppId STRING,"
              + " servicePrincipalNames ARRAY<STRING>, alternativeNames ARRAY<STRING>,"
              + " tags ARRAY<STRING>, passwordCredentials "
              + PASSWORD_CREDENTIALS
              + ", keyCredentials "
              + KEY_CREDENTIALS
              + ", appRoles ARRAY<STRUCT<id: STRING, value: STRING, displayName: STRING,"
              + "   allowedMemberTypes: ARRAY<STRING>, isEnabled: BOOLEAN>>,"
              + " lifecycle STRUCT<expirationDateTime: STRING>, owners "
              + DIRECTORY_OBJECTS
              + ", sponsors "
              + DIRECTORY_OBJECTS,
          List.of("id"));

  /**
   * {@code appRoleAssignments} and {@code appRoleAssignedTo}: an app role granted to a principal.
   */
  public static final SourceRecordType APP_ROLE_ASSIGNMENT =
      snapshot(
          "entra_app_role_assignment",
          "entra_app_role_assignments",
          "id STRING, appRoleId STRING, principalId STRING, principalType STRING,"
              + " principalDisplayName STRING, resourceId STRING, resourceDisplayName STRING,"
              + " createdDateTime STRING, deletedDateTime STRING",
          List.of("id", "appRoleId", "principalId", "resourceId"));

  /** Delegated permission grants; {@code scope} is space-separated. */
  public static final SourceRecordType OAUTH2_PERMISSION_GRANT =
      snapshot(
          "entra_oauth2_permission_grant",
          "entra_oauth2_permission_grants",
          "id STRING, clientId STRING, consentType STRING, principalId STRING,"
              + " resourceId STRING, scope STRING",
          List.of("id", "clientId", "resourceId"));

  /** Directory role assignments ({@code roleManagement/directory/roleAssignments}). */
  public static final SourceRecordType DIRECTORY_ROLE_ASSIGNMENT =
      snapshot(
          "entra_directory_role_assignment",
          "entra_directory_role_assignments",
          "id STRING, principalId STRING, roleDefinitionId STRING, directoryScopeId STRING,"
              + " appScopeId STRING, roleDefinition STRUCT<id: STRING, displayName: STRING,"
              + "   templateId: STRING, isBuiltIn: BOOLEAN>,"
              + " principal STRUCT<odataType: STRING, id: STRING, displayName: STRING>",
          List.of("id", "principalId", "roleDefinitionId"));

  /**
   * One directory object in a parent's owners, sponsors, members or manager list; {@code
   * parentCollection}, {@code parentId} and {@code relation} come from the file's path.
   */
  public static final SourceRecordType RELATED_OBJECT =
      new SourceRecordType(
          NAME,
          "entra_related_object",
          "entra_relationships",
          StructType.fromDDL(
              "parentCollection STRING, parentId STRING, relation STRING, "
                  + ODATA_TYPE
                  + ", id STRING, userPrincipalName STRING, mail STRING, displayName STRING,"
                  + " appId STRING, accountEnabled BOOLEAN"),
          List.of("id"),
          null,
          TimeFormat.NONE,
          List.of("parentId", "relation", "id"),
          false);

  /**
   * Sign-ins of every kind: interactive and non-interactive user sign-ins, service principal and
   * managed identity sign-ins; {@code category} is the diagnostic-settings category when the record
   * came that way.
   */
  public static final SourceRecordType SIGN_IN =
      new SourceRecordType(
          NAME,
          "entra_sign_in",
          "entra_sign_ins",
          StructType.fromDDL(
              "id STRING, createdDateTime STRING, category STRING, userId STRING,"
                  + " userPrincipalName STRING, userDisplayName STRING, userType STRING,"
                  + " appId STRING, appDisplayName STRING, servicePrincipalId STRING,"
                  + " servicePrincipalName STRING, servicePrincipalCredentialKeyId STRING,"
                  + " resourceId STRING, resourceDisplayName STRING, resourceTenantId STRING,"
                  + " homeTenantId STRING, ipAddress STRING, isInteractive BOOLEAN,"
                  + " signInEventTypes ARRAY<STRING>, clientAppUsed STRING,"
                  + " conditionalAccessStatus STRING, correlationId STRING,"
                  + " status STRUCT<errorCode: BIGINT, failureReason: STRING>,"
                  + " managedServiceIdentity STRUCT<msiType: STRING,"
                  + "   associatedResourceId: STRING>"),
          List.of("id", "createdDateTime"),
          "createdDateTime",
          TimeFormat.ISO_8601,
          List.of("id"),
          true);

  public static final SourceRecordType DIRECTORY_AUDIT =
      new SourceRecordType(
          NAME,
          "entra_directory_audit",
          "entra_directory_audits",
          StructType.fromDDL(
              "id STRING, category STRING, correlationId STRING, result STRING,"
                  + " resultReason STRING, activityDisplayName STRING, activityDateTime STRING,"
                  + " loggedByService STRING, operationType STRING,"
                  + " initiatedBy STRUCT<user: STRUCT<id: STRING, displayName: STRING,"
                  + "   userPrincipalName: STRING, ipAddress: STRING>,"
                  + "   app: STRUCT<appId: STRING, displayName: STRING,"
                  + "   servicePrincipalId: STRING, servicePrincipalName: STRING>>,"
                  + " targetResources ARRAY<STRUCT<id: STRING, displayName: STRING,"
                  + "   type: STRING, userPrincipalName: STRING, groupType: STRING,"
                  + "   modifiedProperties: ARRAY<STRUCT<displayName: STRING,"
                  + "   oldValue: STRING, newValue: STRING>>>>"),
          List.of("id", "activityDateTime", "activityDisplayName"),
          "activityDateTime",
          TimeFormat.ISO_8601,
          List.of("id"),
          true);

  private static final List<SourceRecordType> TYPES =
      List.of(
          USER,
          GROUP,
          APPLICATION,
          SERVICE_PRINCIPAL,
          APP_ROLE_ASSIGNMENT,
          OAUTH2_PERMISSION_GRANT,
          DIRECTORY_ROLE_ASSIGNMENT,
          RELATED_OBJECT,
          SIGN_IN,
          DIRECTORY_AUDIT);

  /** Graph's {@code @odata.type} names (lower case, without {@code #microsoft.graph.}). */
  private static final Map<String, SourceRecordType> ODATA_TYPES =
      Map.ofEntries(
          Map.entry("user", USER),
          Map.entry("group", GROUP),
          Map.entry("application", APPLICATION),
          Map.entry("agentidentityblueprint", APPLICATION),
          Map.entry("serviceprincipal", SERVICE_PRINCIPAL),
          Map.entry("agentidentity", SERVICE_PRINCIPAL),
          Map.entry("agentidentityblueprintprincipal", SERVICE_PRINCIPAL),
          Map.entry("approleassignment", APP_ROLE_ASSIGNMENT),
          Map.entry("oauth2permissiongrant", OAUTH2_PERMISSION_GRANT),
          Map.entry("unifiedroleassignment", DIRECTORY_ROLE_ASSIGNMENT),
          Map.entry("signin", SIGN_IN),
          Map.entry("directoryaudit", DIRECTORY_AUDIT));

  /** The last segment of a page's {@code @odata.context} (lower case) and what its records are. */
  private static final Map<String, SourceRecordType> ENTITY_SETS =
      Map.ofEntries(
          Map.entry("users", USER),
          Map.entry("groups", GROUP),
          Map.entry("applications", APPLICATION),
          Map.entry("agentidentityblueprints", APPLICATION),
          Map.entry("serviceprincipals", SERVICE_PRINCIPAL),
          Map.entry("agentidentities", SERVICE_PRINCIPAL),
          Map.entry("agentidentityblueprintprincipals", SERVICE_PRINCIPAL),
          Map.entry("approleassignments", APP_ROLE_ASSIGNMENT),
          Map.entry("approleassignedto", APP_ROLE_ASSIGNMENT),
          Map.entry("oauth2permissiongrants", OAUTH2_PERMISSION_GRANT),
          Map.entry("roleassignments", DIRECTORY_ROLE_ASSIGNMENT),
          Map.entry("signins", SIGN_IN),
          Map.entry("directoryaudits", DIRECTORY_AUDIT),
          Map.entry("directoryobjects", RELATED_OBJECT),
          Map.entry("owners", RELATED_OBJECT),
          Map.entry("sponsors", RELATED_OBJECT),
          Map.entry("members", RELATED_OBJECT),
          Map.entry("manager", RELATED_OBJECT));

  /** Diagnostic-settings categories of the Entra logs agentlake reads. */
  private static final Map<String, SourceRecordType> CATEGORIES =
      Map.of(
          "signinlogs", SIGN_IN,
          "noninteractiveusersigninlogs", SIGN_IN,
          "serviceprincipalsigninlogs", SIGN_IN,
          "managedidentitysigninlogs", SIGN_IN,
          "auditlogs", DIRECTORY_AUDIT);

  /** {@code …/<collection>/<object id>/<relation>}: whose owners (etc.) a file lists. */
  private static final Pattern RELATION_PATH =
      Pattern.compile(
          "(?i)(?:^|/)(users|groups|applications|servicePrincipals|agentIdentities"
              + "|agentIdentityBlueprints|agentIdentityBlueprintPrincipals)/"
              + "([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/"
              + "(owners|sponsors|members|manager)(?:[/._]|$)");

  /** "Never", as Graph writes it in {@code signInActivity}. */
  private static final Pattern NEVER =
      Pattern.compile("0001-01-01T00:00:00(?:\\.0+)?(?:Z|[+]00:00)");

  private static SourceRecordType snapshot(
      String recordType, String table, String ddl, List<String> required) {
    return snapshot(recordType, table, ddl, required, "id");
  }

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
    return Optional.of(Platform.ENTRA);
  }

  @Override
  public List<SourceRecordType> recordTypes() {
    return TYPES;
  }

  @Override
  public String accepts() {
    return "Microsoft Graph responses (list pages {\"value\": [...]} or single objects, as 'az"
        + " rest', Graph PowerShell or the SDKs write them, also one per line), or the"
        + " diagnostic-settings export of the sign-in and audit logs ({\"records\": [...]})";
  }

  @Override
  public Map<String, String> context(String path) {
    Matcher m = RELATION_PATH.matcher(path);
    if (!m.find()) {
      return Map.of();
    }
    return Map.of(
        "parent_collection", m.group(1),
        "parent_id", m.group(2).toLowerCase(Locale.ROOT),
        "relation", m.group(3).toLowerCase(Locale.ROOT));
  }

  @Override
  public Wrapper wrapper(String field, boolean array, ObjectNode siblings) {
    if (!array) {
      return null;
    }
    return switch (field) {
      case "value" -> {
        SourceRecordType page = entitySet(siblings.path("@odata.context").asText(""));
        yield (record, out) -> read(record, page, out);
      }
      case "records" -> (record, out) -> read(record, null, out);
      default -> null;
    };
  }

  private static void read(JsonNode record, SourceRecordType page, Records out) {
    SourceRecordType type = record.isObject() ? typeOf(record, page) : null;
    if (type == null) {
      out.element(record);
    } else {
      out.record(type.recordType(), record);
    }
  }

  @Override
  public String recordTypeOf(JsonNode record) {
    SourceRecordType type = typeOf(record, entitySet(record.path("@odata.context").asText("")));
    return type == null ? null : type.recordType();
  }

  @Override
  public String unknownRecord(JsonNode record) {
    return "an entra-id record that is none of users, groups, applications, service principals,"
        + " app role assignments, OAuth2 permission grants, directory role assignments, owners"
        + " / sponsors / members, sign-ins or directory audits: its @odata.type ('"
        + record.path("@odata.type").asText("")
        + "'), its page's @odata.context and its fields do not say which";
  }

  /** What a record is: its own type, its page's, a diagnostic category, or its fields. */
  static SourceRecordType typeOf(JsonNode record, SourceRecordType page) {
    if (page == RELATED_OBJECT) {
      return RELATED_OBJECT; // directory objects name their own type (user, ...): the list wins
    }
    String odataType = bareType(record.path("@odata.type").asText(""));
    if (ODATA_TYPES.containsKey(odataType)) {
      return ODATA_TYPES.get(odataType);
    }
    if (page != null) {
      return page;
    }
    if (isDiagnosticRecord(record)) {
      return CATEGORIES.get(record.get("category").asText("").toLowerCase(Locale.ROOT));
    }
    if (record.has("activityDateTime")) {
      return DIRECTORY_AUDIT;
    }
    if (record.has("appRoleId") && record.has("resourceId")) {
      return APP_ROLE_ASSIGNMENT;
    }
    if (record.has("clientId") && record.has("consentType")) {
      return OAUTH2_PERMISSION_GRANT;
    }
    if (record.has("roleDefinitionId") && record.has("principalId")) {
      return DIRECTORY_ROLE_ASSIGNMENT;
    }
    if (record.has("createdDateTime")
        && (record.has("isInteractive")
            || record.has("signInEventTypes")
            || (record.has("appId") && record.has("status") && record.has("ipAddress")))) {
      return SIGN_IN;
    }
    if (record.has("servicePrincipalType")
        || record.has("servicePrincipalNames")
        || record.has("appOwnerOrganizationId")
        || record.has("agentIdentityBlueprintId")) {
      return SERVICE_PRINCIPAL;
    }
    if (record.has("userPrincipalName")
        || record.has("identities")
        || record.has("signInActivity")) {
      return USER;
    }
    if (record.has("securityEnabled") || record.has("groupTypes")) {
      return GROUP;
    }
    if (record.has("appId")
        && (record.has("signInAudience")
            || record.has("identifierUris")
            || record.has("requiredResourceAccess"))) {
      return APPLICATION;
    }
    return null;
  }

  private static boolean isDiagnosticRecord(JsonNode record) {
    return record.path("properties").isObject()
        && record.path("category").isTextual()
        && (record.has("time") || record.has("operationName"));
  }

  /** {@code #microsoft.graph.agentIdentity} and {@code microsoft.graph.agentIdentity} alike. */
  private static String bareType(String odataType) {
    String t = odataType.startsWith("#") ? odataType.substring(1) : odataType;
    if (t.regionMatches(true, 0, "microsoft.graph.", 0, 16)) {
      t = t.substring(16);
    }
    return t.toLowerCase(Locale.ROOT);
  }

  /**
   * The record type a page's {@code @odata.context} names, e.g. {@code
   * …/$metadata#servicePrincipals('…')/appRoleAssignedTo} or {@code #users(id,mail)}; null when it
   * names none (or there is none).
   */
  private static SourceRecordType entitySet(String context) {
    int hash = context.indexOf('#');
    if (hash < 0) {
      return null;
    }
    String path = context.substring(hash + 1).replaceAll("\\([^)]*\\)", "");
    if (path.endsWith("/$entity")) {
      path = path.substring(0, path.length() - "/$entity".length());
    }
    String last = path.substring(path.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
    return ENTITY_SETS.get(last);
  }

  @Override
  public void normalise(String recordType, ObjectNode record, Map<String, String> context) {
    if ((recordType.equals(SIGN_IN.recordType()) || recordType.equals(DIRECTORY_AUDIT.recordType()))
        && isDiagnosticRecord(record)) {
      flattenDiagnosticRecord(record);
    }
    if (recordType.equals(RELATED_OBJECT.recordType())) {
      putIfPresent(record, "parentCollection", context.get("parent_collection"));
      putIfPresent(record, "parentId", context.get("parent_id"));
      putIfPresent(record, "relation", context.get("relation"));
    }
    clean(record);
    SchemaCase.apply(record, recordType(recordType).orElseThrow().schema());
  }

  private static void putIfPresent(ObjectNode record, String field, String value) {
    if (value != null) {
      record.put(field, value);
    }
  }

  /**
   * A diagnostic-settings record wraps the Graph record in {@code properties}: the record becomes
   * its properties, with the category, and the record's {@code time} when the properties carry no
   * time of their own.
   */
  private static void flattenDiagnosticRecord(ObjectNode record) {
    ObjectNode properties = (ObjectNode) record.get("properties");
    String category = record.path("category").asText();
    JsonNode time = record.get("time");
    record.removeAll();
    record.setAll(properties);
    record.put("category", category);
    if (time != null && !record.has("createdDateTime") && !record.has("activityDateTime")) {
      record.set(
          category.equalsIgnoreCase("AuditLogs") ? "activityDateTime" : "createdDateTime", time);
    }
  }

  /** Drops the "never" sentinel and the {@code #} of {@code @odata.type}, at every level. */
  private static void clean(JsonNode node) {
    if (node instanceof ObjectNode object) {
      for (Map.Entry<String, JsonNode> field : new ArrayList<>(object.properties())) {
        JsonNode value = field.getValue();
        if (value.isTextual() && NEVER.matcher(value.textValue()).matches()) {
          object.putNull(field.getKey());
        } else if (field.getKey().equals("@odata.type") && value.isTextual()) {
          String type = value.textValue();
          object.remove(field.getKey());
          object.put(ODATA_TYPE_FIELD, type.startsWith("#") ? type.substring(1) : type);
        } else {
          clean(value);
        }
      }
    } else if (node != null && node.isArray()) {
      node.forEach(EntraId::clean);
    }
  }

  @Override
  public Problem check(String recordType, JsonNode record) {
    if (recordType.equals(RELATED_OBJECT.recordType()) && !record.hasNonNull("parentId")) {
      return new Problem(
          QuarantineReason.MISSING_REQUIRED_FIELD,
          "a list of owners, sponsors, members or a manager does not name whose it is: save it"
              + " under <collection>/<object id>/<relation>, e.g."
              + " entra-id/servicePrincipals/<id>/owners.json, or export the parent with"
              + " $expand=owners");
    }
    return null;
  }

  /** A password credential's secret and a certificate's key material, then the shared rules. */
  @Override
  public JsonNode redact(String recordType, ObjectNode record) {
    redactIn(record.get("passwordCredentials"), "secretText");
    redactIn(record.get("keyCredentials"), "key");
    return SecretRedactor.redact(record);
  }

  private static void redactIn(JsonNode credentials, String field) {
    if (credentials == null || !credentials.isArray()) {
      return;
    }
    for (JsonNode credential : credentials) {
      if (credential instanceof ObjectNode c && c.hasNonNull(field)) {
        c.put(field, SecretRedactor.REDACTED);
      }
    }
  }
}
