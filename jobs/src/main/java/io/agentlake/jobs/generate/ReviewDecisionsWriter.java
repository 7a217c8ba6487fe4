package io.agentlake.jobs.generate;

import io.agentlake.jobs.generate.Org.Agent;
import io.agentlake.jobs.generate.Org.Person;
import io.agentlake.schemas.vocabulary.ReviewDecision;
import java.io.IOException;
import java.io.Writer;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Writes {@code review-decisions/decisions.csv}, as reviewers would keep it: one approval, one risk
 * acceptance still in force at the last day, one that has expired by then — on the first three
 * agents, decided by the first person of the organisation.
 */
final class ReviewDecisionsWriter {
  static final String HEADER =
      "item_id,agent_id,decision,expires_on,reviewer,justification,decided_at";

  private final Org org;
  private final ExportSink sink;

  ReviewDecisionsWriter(Org org, ExportSink sink) {
    this.org = org;
    this.sink = sink;
  }

  void write() throws IOException {
    LocalDate end = org.end();
    Person reviewer = org.people.get(0);
    List<Agent> agents = org.agents.subList(0, Math.min(3, org.agents.size()));
    try (Writer w = sink.text("review-decisions/decisions.csv")) {
      w.write(HEADER + "\n");
      for (int i = 0; i < agents.size(); i++) {
        ReviewDecision decision = i == 0 ? ReviewDecision.APPROVE : ReviewDecision.ACCEPT_RISK;
        String expires =
            i == 1 ? end.plusDays(30).toString() : i == 2 ? end.minusDays(5).toString() : "";
        String why =
            switch (i) {
              case 0 -> "purpose confirmed with the owner";
              case 1 -> "broad role needed until the migration, tracked in SEC-101";
              default -> "accepted for the pilot, which has ended";
            };
        LocalDate decided = end.minusDays(20 - i);
        List<String> cells =
            List.of(
                "",
                agents.get(i).id(),
                decision.value(),
                expires,
                reviewer.email,
                why,
                decided.atTime(9, 0).atOffset(ZoneOffset.UTC).toInstant().toString());
        w.write(String.join(",", cells.stream().map(ManifestWriter::quote).toList()) + "\n");
      }
    }
  }
}
