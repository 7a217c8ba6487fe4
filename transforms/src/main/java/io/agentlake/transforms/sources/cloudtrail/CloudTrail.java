package io.agentlake.transforms.sources.cloudtrail;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentlake.schemas.SourceRecordType;
import io.agentlake.schemas.SourceRecordType.TimeFormat;
import io.agentlake.schemas.vocabulary.Platform;
import io.agentlake.transforms.ingest.EventVariants;
import io.agentlake.transforms.ingest.JsonText;
import io.agentlake.transforms.ingest.QuarantineReason;
import io.agentlake.transforms.ingest.Records;
import io.agentlake.transforms.ingest.SecretRedactor;
import io.agentlake.transforms.ingest.SourcePackage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.types.StructType;

/**
 * AWS CloudTrail: delivered log files ({@code {"Records": [...]}}, gzip), {@code aws cloudtrail
 * lookup-events} output ({@code {"Events": [...]}} with each event a JSON string), and events as
 * NDJSON or a JSON array (as SIEM pipelines re-export them). Digest files are skipped; a delivered
 * file's path states its account, region and day.
 */
public final class CloudTrail implements SourcePackage {

  public static final String NAME = "aws-cloudtrail";

  public static final StructType EVENT_SCHEMA =
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

  public static final SourceRecordType EVENT =
      new SourceRecordType(
          NAME,
          "cloudtrail_event",
          "aws_cloudtrail",
          EVENT_SCHEMA,
          List.of("eventID", "eventTime", "eventSource", "eventName"),
          "eventTime",
          TimeFormat.ISO_8601,
          List.of("recipientAccountId", "eventID"),
          true);

  /** {@code AWSLogs/[o-org/]<account>/CloudTrail/<region>/YYYY/MM/DD/}, as CloudTrail delivers. */
  private static final Pattern DELIVERY =
      Pattern.compile(
          "(?:^|/)AWSLogs/(?:o-[a-z0-9]+/)?(\\d{12})/CloudTrail/([A-Za-z0-9-]+)/"
              + "(\\d{4})/(\\d{2})/(\\d{2})/");

  /**
   * SSM parameter reads: {@code GetParameter(s)}, {@code GetParametersByPath} and {@code
   * GetParameterHistory} return each parameter's {@code Value}, which is the secret itself when
   * read with decryption. CloudTrail normally omits it, but a trail or a copy of the API response
   * may not; every {@code value} under such an event's {@code responseElements} is removed.
   */
  private static final Pattern SSM_PARAMETER_READ =
      Pattern.compile("GetParameters?|GetParametersByPath|GetParameterHistory");

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
    return List.of(EVENT);
  }

  @Override
  public String accepts() {
    return "CloudTrail log files ({\"Records\": [...]}), 'aws cloudtrail lookup-events' output"
        + " ({\"Events\": [...]}), or events as a JSON array or NDJSON";
  }

  /**
   * Events as SIEM pipelines and query engines re-export them: {@code @timestamp} for {@code
   * eventTime}, zone-less or epoch-millis times, a missing {@code eventID} (see {@link
   * EventVariants}).
   */
  @Override
  public EventVariants variants(String recordType) {
    return EventVariants.logEvent("eventID");
  }

  /** Digest files hold hashes of log files, not events. */
  @Override
  public boolean skips(String path) {
    String name = path.substring(path.lastIndexOf('/') + 1);
    return path.contains("/CloudTrail-Digest/") || name.contains("CloudTrail-Digest");
  }

  @Override
  public Map<String, String> context(String path) {
    Matcher m = DELIVERY.matcher(path);
    if (!m.find()) {
      return Map.of();
    }
    Map<String, String> context = new LinkedHashMap<>();
    context.put("account", m.group(1));
    context.put("region", m.group(2));
    context.put("day", m.group(3) + "-" + m.group(4) + "-" + m.group(5));
    return Map.copyOf(context);
  }

  @Override
  public Wrapper wrapper(String field, boolean array) {
    if (!array) {
      return null;
    }
    return switch (field) {
      case "Records" -> Wrapper.ELEMENTS;
      case "Events" -> CloudTrail::lookupEvent;
      default -> null;
    };
  }

  /** One element of {@code aws cloudtrail lookup-events}: the event is a JSON string inside. */
  private static void lookupEvent(JsonNode node, Records out) {
    long position = out.count();
    JsonNode inner = node.get("CloudTrailEvent");
    if (inner == null || !inner.isTextual()) {
      out.quarantine(
          EVENT.recordType(),
          position,
          node,
          QuarantineReason.MALFORMED_RECORD,
          "lookup-events element has no CloudTrailEvent string");
      return;
    }
    JsonNode event;
    try {
      event = JsonText.JSON.readTree(inner.textValue());
    } catch (JsonProcessingException e) {
      out.quarantineText(
          EVENT.recordType(),
          position,
          inner.textValue(),
          QuarantineReason.MALFORMED_JSON,
          "CloudTrailEvent is not valid JSON: " + Records.describe(e));
      return;
    }
    out.record(EVENT.recordType(), event, position);
  }

  /** Event-aware rules for an event, then the shared rules. */
  @Override
  public JsonNode redact(String recordType, ObjectNode event) {
    JsonNode name = event.get("eventName");
    JsonNode response = event.get("responseElements");
    if (name != null
        && name.isTextual()
        && SSM_PARAMETER_READ.matcher(name.textValue()).matches()
        && response != null
        && response.isContainerNode()) {
      SecretRedactor.redactFieldsNamed(response, "value");
    }
    return SecretRedactor.redact(event);
  }
}
