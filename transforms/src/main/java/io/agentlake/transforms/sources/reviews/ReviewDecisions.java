package io.agentlake.transforms.sources.reviews;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.agentlake.schemas.SourceRecordType;
import io.agentlake.schemas.SourceRecordType.TimeFormat;
import io.agentlake.schemas.vocabulary.ReviewDecision;
import io.agentlake.schemas.vocabulary.Vocabulary;
import io.agentlake.transforms.ingest.QuarantineReason;
import io.agentlake.transforms.ingest.RecordChecks.Problem;
import io.agentlake.transforms.ingest.SecretRedactor;
import io.agentlake.transforms.ingest.SourcePackage;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.types.StructType;

/**
 * Reviewers' decisions on review items (SPEC 6.6), the one input agentlake's users write: a CSV a
 * reviewer fills in (cells trimmed, empty means "not given"), or JSON ({@code {"decisions":
 * [...]}}, an array, or NDJSON).
 */
public final class ReviewDecisions implements SourcePackage {

  public static final String NAME = "review-decisions";

  /**
   * One reviewer decision: on a review item ({@code item_id}, from {@code gold.review_queue}) or on
   * an agent as a whole ({@code agent_id}). {@code expires_on} is a date; ACCEPT_RISK needs one.
   */
  public static final SourceRecordType DECISION =
      new SourceRecordType(
          NAME,
          "review_decision",
          "review_decisions",
          StructType.fromDDL(
              "item_id STRING, agent_id STRING, decision STRING, expires_on STRING,"
                  + " reviewer STRING, justification STRING, decided_at STRING"),
          List.of("decision", "reviewer", "decided_at"),
          "decided_at",
          TimeFormat.ISO_8601,
          List.of("item_id", "agent_id", "reviewer", "decided_at"),
          true);

  private static final List<String> DECISIONS = Vocabulary.valuesOf(ReviewDecision.class);

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<SourceRecordType> recordTypes() {
    return List.of(DECISION);
  }

  @Override
  public String accepts() {
    return "review decisions as CSV with a decision column, or as JSON ({\"decisions\": [...]},"
        + " an array, or NDJSON)";
  }

  @Override
  public Wrapper wrapper(String field, boolean array) {
    return array && field.equals("decisions") ? Wrapper.ELEMENTS : null;
  }

  @Override
  public TextLayout textLayout(String firstLine, String firstMeaningfulLine) {
    return firstLine.contains("decision") && firstLine.contains(",")
        ? TextLayout.csv(DECISION.recordType())
        : null;
  }

  @Override
  public JsonNode csvCell(String recordType, String column, String cell) {
    return cell.isBlank() ? NullNode.getInstance() : TextNode.valueOf(cell.strip());
  }

  @Override
  public void normalise(String recordType, ObjectNode node, Map<String, String> context) {
    JsonNode decision = node.get("decision");
    if (decision != null && decision.isTextual()) {
      node.put("decision", decision.textValue().strip().toUpperCase(Locale.ROOT));
    }
  }

  /**
   * A decision must say what it decides on and what it decides; accepting a risk must say until
   * when, because a suppression that never expires is a finding hidden for good.
   */
  @Override
  public Problem check(String recordType, JsonNode record) {
    if (isEmpty(record.get("item_id")) && isEmpty(record.get("agent_id"))) {
      return new Problem(
          QuarantineReason.MISSING_REQUIRED_FIELD,
          "a decision needs 'item_id' (a review_queue item) or 'agent_id' (the whole agent)");
    }
    String decision = record.path("decision").asText();
    if (!DECISIONS.contains(decision)) {
      return new Problem(
          QuarantineReason.INVALID_VALUE,
          "decision '"
              + SecretRedactor.redactText(
                  decision.length() > 40 ? decision.substring(0, 40) : decision)
              + "' is not one of "
              + DECISIONS);
    }
    JsonNode expires = record.get("expires_on");
    if (isEmpty(expires)) {
      return decision.equals(ReviewDecision.ACCEPT_RISK.value())
          ? new Problem(
              QuarantineReason.MISSING_REQUIRED_FIELD,
              "ACCEPT_RISK needs 'expires_on' (YYYY-MM-DD): an accepted risk is reviewed again"
                  + " when it expires")
          : null;
    }
    try {
      LocalDate.parse(expires.asText().strip());
      return null;
    } catch (DateTimeParseException e) {
      return new Problem(
          QuarantineReason.INVALID_TIMESTAMP,
          "field 'expires_on' = "
              + SecretRedactor.redactText(
                  expires.asText().length() > 40
                      ? expires.asText().substring(0, 40)
                      : expires.asText())
              + " is not a date written YYYY-MM-DD");
    }
  }

  private static boolean isEmpty(JsonNode value) {
    return value == null
        || value.isNull()
        || value.isMissingNode()
        || (value.isTextual() && value.textValue().isBlank())
        || (value.isContainerNode() && value.isEmpty());
  }
}
