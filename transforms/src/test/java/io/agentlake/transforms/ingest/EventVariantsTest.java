package io.agentlake.transforms.ingest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentlake.transforms.sources.Sources;
import io.agentlake.transforms.sources.cloudtrail.CloudTrail;
import io.agentlake.transforms.sources.oktasystemlog.OktaSystemLog;
import io.agentlake.transforms.sources.oktausers.OktaUsers;
import java.io.ByteArrayInputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Log events as SIEM pipelines and query engines re-export them, through the real extractor: each
 * documented variant is accepted as the event it stands for and counted, and what the rules do not
 * mend is still quarantined with its reason.
 */
class EventVariantsTest {

  record Run(FileOutcome outcome, List<ExtractedRecord> records) {
    ExtractedRecord only() {
      assertThat(records).hasSize(1);
      return records.get(0);
    }

    JsonNode json(int i) {
      return tree(records.get(i).json());
    }
  }

  private static JsonNode tree(String json) {
    try {
      return JsonText.JSON.readTree(json);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Run run(String source, String content) {
    List<ExtractedRecord> records = new ArrayList<>();
    FileOutcome outcome =
        RecordExtractor.extract(
            Sources.of(source),
            "x.ndjson",
            new ByteArrayInputStream(content.getBytes(UTF_8)),
            records::add);
    assertThat(outcome.recordsRead()).isEqualTo(records.size());
    return new Run(outcome, records);
  }

  private static final String REST =
      "\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"GetObject\","
          + "\"recipientAccountId\":\"111122223333\"";

  @Test
  void logstashRenamedTheTimeToAtTimestamp() {
    String lines =
        """
        {"@timestamp":"2024-03-01T10:00:00.000Z","@version":"1","eventID":"e1",%s}
        {"@timestamp":"2024-03-01T10:00:01.000Z","@version":"1","eventID":"e2",%s}
        """
            .formatted(REST, REST);
    Run r = run(CloudTrail.NAME, lines);
    assertThat(r.records()).allSatisfy(x -> assertThat(x.quarantined()).isFalse());
    assertThat(r.records().get(0).eventTime()).isEqualTo(Instant.parse("2024-03-01T10:00:00Z"));
    assertThat(r.json(1).get("eventTime").asText()).isEqualTo("2024-03-01T10:00:01.000Z");
    assertThat(r.json(1).has("@timestamp")).as("the record is otherwise kept as received").isTrue();
    assertThat(r.outcome().normalised()).isEqualTo(Map.of(EventVariants.TIME_ALIAS, 2L));
  }

  @Test
  void queryEngineTimesWithoutAZoneAreUtcToTheNanosecond() {
    String lines =
        """
        {"eventTime":"2024-01-01 00:00:00.000","eventID":"a",%s}
        {"eventTime":"2022-12-11 19:42:55","eventID":"b",%s}
        {"eventTime":"2022-12-11T19:42:55.123456789","eventID":"c",%s}
        {"eventTime":"2022-12-11T19:42:55Z","eventID":"d",%s}
        """
            .formatted(REST, REST, REST, REST);
    Run r = run(CloudTrail.NAME, lines);
    assertThat(r.records()).allSatisfy(x -> assertThat(x.quarantined()).isFalse());
    assertThat(r.records())
        .extracting(ExtractedRecord::eventTime)
        .containsExactly(
            Instant.parse("2024-01-01T00:00:00Z"),
            Instant.parse("2022-12-11T19:42:55Z"),
            Instant.parse("2022-12-11T19:42:55.123456789Z"),
            Instant.parse("2022-12-11T19:42:55Z"));
    assertThat(r.json(2).get("eventTime").asText()).isEqualTo("2022-12-11T19:42:55.123456789Z");
    assertThat(r.outcome().normalised())
        .as("the zoned time is not counted")
        .isEqualTo(Map.of(EventVariants.ZONE_LESS, 3L));
  }

  @Test
  void epochMillisAsANumberOrAsTextAreTheInstant() {
    String lines =
        """
        {"eventTime":1704067200123,"eventID":"a",%s}
        {"eventTime":"1704067200000","eventID":"b",%s}
        """
            .formatted(REST, REST);
    Run r = run(CloudTrail.NAME, lines);
    assertThat(r.records())
        .extracting(ExtractedRecord::eventTime)
        .containsExactly(
            Instant.parse("2024-01-01T00:00:00.123Z"), Instant.parse("2024-01-01T00:00:00Z"));
    assertThat(r.outcome().normalised()).isEqualTo(Map.of(EventVariants.EPOCH_MILLIS, 2L));
  }

  @Test
  void aCompleteEventWithoutAnIdGetsADeterministicDerivedOne() {
    String event = "{\"eventTime\":\"2024-01-01T00:00:00Z\"," + REST + "}";
    String other = "{\"eventTime\":\"2024-01-01T00:00:01Z\"," + REST + "}";
    String reordered =
        "{\"recipientAccountId\":\"111122223333\",\"eventName\":\"GetObject\","
            + "\"eventSource\":\"s3.amazonaws.com\",\"eventTime\":\"2024-01-01T00:00:00Z\"}";
    Run r = run(CloudTrail.NAME, event + "\n" + other + "\n" + reordered + "\n");
    List<String> ids =
        r.records().stream().map(x -> tree(x.json()).get("eventID").asText()).toList();
    assertThat(ids).allSatisfy(id -> assertThat(id).startsWith(EventVariants.DERIVED_ID_PREFIX));
    assertThat(ids.get(0)).as("another event, another id").isNotEqualTo(ids.get(1));
    assertThat(ids.get(2)).as("the same content in another key order").isEqualTo(ids.get(0));
    assertThat(run(CloudTrail.NAME, event + "\n").only().json())
        .as("a re-ingest derives the same id, so it de-duplicates")
        .contains(ids.get(0));
    assertThat(r.records().get(0).dedupeKey()).isEqualTo("111122223333|" + ids.get(0));
    assertThat(r.outcome().normalised()).isEqualTo(Map.of(EventVariants.DERIVED_ID, 3L));
  }

  @Test
  void brokenEventsStillGoToQuarantineWithTheirReason() {
    String lines =
        """
        {"eventTime":"2024-01-01T00:00:00Z","eventSource":"s3.amazonaws.com","recipientAccountId":"1"}
        {"@timestamp":"yesterday","eventID":"b",%s}
        {"eventTime":1704067200,"eventID":"c",%s}
        {"eventTime":"2024-13-45 99:00:00","eventID":"d",%s}
        """
            .formatted(REST, REST, REST);
    Run r = run(CloudTrail.NAME, lines);
    assertThat(r.records())
        .extracting(ExtractedRecord::quarantineReason)
        .as("no id and no eventName; a bad alias; epoch seconds; an impossible zone-less time")
        .containsExactly(
            QuarantineReason.MISSING_REQUIRED_FIELD,
            QuarantineReason.INVALID_TIMESTAMP,
            QuarantineReason.INVALID_TIMESTAMP,
            QuarantineReason.INVALID_TIMESTAMP);
    assertThat(r.records().get(0).quarantineDetail()).contains("'eventID'");
    assertThat(r.json(0).has("eventID")).as("no id is derived for an incomplete event").isFalse();
  }

  @Test
  void oktaPublishedTakesTheSameRules() {
    String rest = "\"eventType\":\"user.session.start\"";
    String lines =
        """
        {"@timestamp":"2024-05-01T08:00:00Z","uuid":"u1",%s}
        {"published":"2024-05-01 08:00:01.5","uuid":"u2",%s}
        {"published":"2024-05-01T08:00:02Z",%s}
        """
            .formatted(rest, rest, rest);
    Run r = run(OktaSystemLog.NAME, lines);
    assertThat(r.records()).allSatisfy(x -> assertThat(x.quarantined()).isFalse());
    assertThat(r.records())
        .extracting(ExtractedRecord::eventTime)
        .containsExactly(
            Instant.parse("2024-05-01T08:00:00Z"),
            Instant.parse("2024-05-01T08:00:01.5Z"),
            Instant.parse("2024-05-01T08:00:02Z"));
    assertThat(r.json(2).get("uuid").asText()).startsWith(EventVariants.DERIVED_ID_PREFIX);
    assertThat(r.outcome().normalised())
        .isEqualTo(
            Map.of(
                EventVariants.TIME_ALIAS,
                1L,
                EventVariants.ZONE_LESS,
                1L,
                EventVariants.DERIVED_ID,
                1L));
  }

  @Test
  void aRecordTypeThatDeclaresNoVariantsIsCheckedAsItCame() {
    Run r =
        run(
            OktaUsers.NAME,
            "{\"id\":\"00u1\",\"status\":\"ACTIVE\",\"statusChanged\":\"2024-01-01 00:00:00\","
                + "\"profile\":{\"login\":\"a@x.io\"}}\n");
    assertThat(r.outcome().normalised()).isEmpty();
    assertThat(r.only().quarantineReason()).isEqualTo(QuarantineReason.INVALID_TIMESTAMP);
  }
}
