package io.agentlake.jobs.generate;

import io.agentlake.jobs.generate.Org.Person;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Plants the Entra ID tenant into a built {@link Org} (see {@link #plant}). */
final class EntraTenant {

  private EntraTenant() {}

  /**
   * The Entra ID tenant: everybody, mirroring Okta, except three planted owners of otherwise calm
   * agents: one who exists only in Entra (resolves, not an orphan), one only in Entra whose account
   * was disabled during the period (OWNER_DEPROVISIONED), and one Okta has ACTIVE but Entra
   * disabled (OWNER_STATUS_CONFLICT). Its own random stream, so nothing else changes.
   */
  static void plant(Org org, Instant start) {
    Rng r = Rng.of(org.options.seed(), "entra");
    for (Person p : org.people) {
      p.entraId = r.uuid();
    }
    GroundTruth truth = new GroundTruth(org);
    Set<String> orphaned = new HashSet<>();
    truth.orphans().forEach(o -> orphaned.add(o.agent().id()));
    List<Person> owners =
        truth.sortedAgents().stream()
            .filter(a -> a.inManifest && a.backupOwners.isEmpty() && !orphaned.contains(a.id()))
            .map(a -> truth.person(a.ownerCell).orElse(null))
            .filter(p -> p != null && p.isActive() && p.manager != null && p.manager.isActive())
            .limit(3)
            .toList();
    Instant midPeriod =
        start.plus(org.options.days() / 2, ChronoUnit.DAYS).plusSeconds(r.between(32_400, 61_200));
    if (owners.size() > 0) {
      owners.get(0).inOkta = false;
    }
    if (owners.size() > 1) {
      Person disabled = owners.get(1);
      disabled.inOkta = false;
      disabled.status = "DISABLED";
      disabled.statusChanged = midPeriod;
      disabled.entraDisabledAt = midPeriod;
    }
    if (owners.size() > 2) {
      Person conflict = owners.get(2);
      conflict.entraStatus = "DISABLED";
      conflict.entraDisabledAt = midPeriod.plusSeconds(600);
    }
    for (Person p : org.people) {
      if (p.entraDisabledAt == null
          && !p.entraEnabled()
          && p.statusChanged != null
          && !p.statusChanged.isBefore(start)) {
        p.entraDisabledAt = p.statusChanged;
      }
    }
  }
}
