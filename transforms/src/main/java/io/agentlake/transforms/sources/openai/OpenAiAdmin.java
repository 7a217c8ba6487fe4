package io.agentlake.transforms.sources.openai;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentlake.schemas.SourceRecordType;
import io.agentlake.schemas.SourceRecordType.TimeFormat;
import io.agentlake.schemas.vocabulary.Platform;
import io.agentlake.transforms.ingest.SourcePackage;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.types.StructType;

/**
 * The OpenAI Admin API: list responses ({@code {"object": "list", "data": [...]}}) of projects,
 * service accounts, API keys, users and audit logs, or their objects as NDJSON. Each object says
 * what it is in its {@code object} field (audit log entries by their {@code effective_at} and
 * {@code type}); a file under {@code projects/<id>/} states its project.
 */
public final class OpenAiAdmin implements SourcePackage {

  public static final String NAME = "openai-admin";

  public static final SourceRecordType PROJECT =
      snapshot(
          "openai_project",
          "openai_projects",
          "object STRING, id STRING, name STRING, created_at BIGINT, archived_at BIGINT,"
              + " status STRING",
          "created_at");

  public static final SourceRecordType SERVICE_ACCOUNT =
      snapshot(
          "openai_service_account",
          "openai_service_accounts",
          "object STRING, id STRING, name STRING, role STRING, created_at BIGINT",
          "created_at");

  public static final SourceRecordType API_KEY =
      snapshot(
          "openai_api_key",
          "openai_api_keys",
          "object STRING, id STRING, name STRING, redacted_value STRING, created_at BIGINT,"
              + " last_used_at BIGINT,"
              + " owner STRUCT<type: STRING,"
              + "   user: STRUCT<object: STRING, id: STRING, name: STRING, email: STRING,"
              + "     role: STRING, created_at: BIGINT>,"
              + "   service_account: STRUCT<object: STRING, id: STRING, name: STRING,"
              + "     role: STRING, created_at: BIGINT>>",
          "created_at");

  public static final SourceRecordType USER =
      snapshot(
          "openai_user",
          "openai_users",
          "object STRING, id STRING, name STRING, email STRING, role STRING, added_at BIGINT",
          "added_at");

  public static final SourceRecordType AUDIT_LOG =
      new SourceRecordType(
          NAME,
          "openai_audit_log",
          "openai_audit_logs",
          StructType.fromDDL(
              "id STRING, type STRING, effective_at BIGINT,"
                  + " project STRUCT<id: STRING, name: STRING>,"
                  + " actor STRUCT<type: STRING, session: STRUCT<user: STRUCT<id: STRING,"
                  + "   email: STRING>, ip_address: STRING>, api_key: STRUCT<id: STRING,"
                  + "   type: STRING, user: STRUCT<id: STRING, email: STRING>,"
                  + "   service_account: STRUCT<id: STRING>>>"),
          List.of("id", "type", "effective_at"),
          "effective_at",
          TimeFormat.EPOCH_SECONDS,
          List.of("id"),
          true);

  /** The record type of each {@code object} value. */
  private static final Map<String, SourceRecordType> OBJECTS =
      Map.of(
          "organization.project", PROJECT,
          "organization.project.service_account", SERVICE_ACCOUNT,
          "organization.project.api_key", API_KEY,
          "organization.admin_api_key", API_KEY,
          "organization.user", USER);

  private static final Pattern PROJECT_FOLDER = Pattern.compile("/projects/([^/]+)/");

  private static SourceRecordType snapshot(
      String recordType, String table, String ddl, String timeField) {
    return SourceRecordType.snapshot(
        NAME,
        recordType,
        table,
        ddl,
        List.of("id"),
        List.of("id"),
        timeField,
        TimeFormat.EPOCH_SECONDS);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Optional<Platform> platform() {
    return Optional.of(Platform.OPENAI);
  }

  @Override
  public List<SourceRecordType> recordTypes() {
    return List.of(PROJECT, SERVICE_ACCOUNT, API_KEY, USER, AUDIT_LOG);
  }

  @Override
  public String accepts() {
    return "OpenAI Admin API list responses ({\"object\": \"list\", \"data\": [...]}) or their"
        + " objects as NDJSON";
  }

  @Override
  public Map<String, String> context(String path) {
    Matcher m = PROJECT_FOLDER.matcher(path);
    return m.find() ? Map.of("project_id", m.group(1)) : Map.of();
  }

  @Override
  public String recordTypeOf(JsonNode record) {
    JsonNode object = record.get("object");
    if (object != null && object.isTextual()) {
      SourceRecordType type = OBJECTS.get(object.textValue());
      return type == null ? null : type.recordType();
    }
    if (object == null && record.has("effective_at") && record.has("type")) {
      return AUDIT_LOG.recordType();
    }
    return null;
  }

  @Override
  public String unknownRecord(JsonNode record) {
    return "object '"
        + record.path("object").asText("")
        + "' is not one of "
        + OBJECTS.keySet()
        + " nor an audit log entry (effective_at and type)";
  }

  @Override
  public Wrapper wrapper(String field, boolean array) {
    return array && field.equals("data") ? Wrapper.ELEMENTS : null;
  }
}
