package io.agentlake.transforms.sources.oktasystemlog;

import io.agentlake.schemas.SourceRecordType;
import io.agentlake.schemas.SourceRecordType.TimeFormat;
import io.agentlake.schemas.vocabulary.Platform;
import io.agentlake.transforms.ingest.EventVariants;
import io.agentlake.transforms.ingest.SourcePackage;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.types.StructType;

/** The Okta System Log, as {@code GET /api/v1/logs} returns it: a JSON array, or NDJSON. */
public final class OktaSystemLog implements SourcePackage {

  public static final String NAME = "okta-system-log";

  public static final SourceRecordType EVENT =
      new SourceRecordType(
          NAME,
          "okta_event",
          "okta_system_log",
          StructType.fromDDL(
              "uuid STRING, published STRING, eventType STRING, version STRING, severity STRING,"
                  + " displayMessage STRING, legacyEventType STRING,"
                  + " actor STRUCT<id: STRING, type: STRING, alternateId: STRING,"
                  + "   displayName: STRING>,"
                  + " client STRUCT<userAgent: STRUCT<rawUserAgent: STRING>, ipAddress: STRING,"
                  + "   zone: STRING, device: STRING>,"
                  + " outcome STRUCT<result: STRING, reason: STRING>,"
                  + " target ARRAY<STRUCT<id: STRING, type: STRING, alternateId: STRING,"
                  + "   displayName: STRING>>,"
                  + " transaction STRUCT<type: STRING, id: STRING>,"
                  + " authenticationContext STRUCT<authenticationProvider: STRING,"
                  + "   credentialType: STRING, externalSessionId: STRING>"),
          List.of("uuid", "published", "eventType"),
          "published",
          TimeFormat.ISO_8601,
          List.of("uuid"),
          true);

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Optional<Platform> platform() {
    return Optional.of(Platform.OKTA);
  }

  @Override
  public List<SourceRecordType> recordTypes() {
    return List.of(EVENT);
  }

  /**
   * Events as SIEM pipelines re-export them: {@code @timestamp} for {@code published}, zone-less or
   * epoch-millis times, a missing {@code uuid} (see {@link EventVariants}).
   */
  @Override
  public EventVariants variants(String recordType) {
    return EventVariants.logEvent("uuid");
  }

  @Override
  public String accepts() {
    return "the JSON array of Okta's System Log API (GET /api/v1/logs), or its events as NDJSON";
  }
}
