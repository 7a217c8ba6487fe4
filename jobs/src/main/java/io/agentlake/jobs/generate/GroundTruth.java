package io.agentlake.jobs.generate;

import io.agentlake.jobs.generate.Org.Agent;
import io.agentlake.jobs.generate.Org.Granted;
import io.agentlake.jobs.generate.Org.OpenAiKey;
import io.agentlake.jobs.generate.Org.Person;
import io.agentlake.jobs.generate.Org.Platform;
import io.agentlake.jobs.generate.Org.Principal;
import io.agentlake.schemas.vocabulary.OrphanReason;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;

/**
 * What a correct analysis must find, derived from the model with the SPEC 6.4 / 6.3 rules rather
 * than from the scenario labels, so an agent that accidentally meets a condition is reported too.
 */
final class GroundTruth {
  static final int IDLE_DAYS = 30;

  enum Verdict {
    USED,
    UNUSED,
    PARTIAL
  }

  record Orphan(Agent agent, List<String> reasons, String successor) {}

  record GrantRow(
      Principal principal,
      String pattern,
      String policyName,
      boolean managed,
      Verdict verdict,
      List<String> usedActions) {}

  private final Org org;

  GroundTruth(Org org) {
    this.org = org;
  }

  // ---- orphans ------------------------------------------------------------------------------

  List<Orphan> orphans() {
    List<Orphan> out = new ArrayList<>();
    for (Agent a : sortedAgents()) {
      TreeSet<String> reasons = new TreeSet<>();
      // An Entra agent's owner is its sponsor (it has no manifest row).
      boolean entra = a.platform == Platform.ENTRA;
      Optional<Person> owner =
          entra
              ? Optional.ofNullable(a.sponsor)
              : a.inManifest ? person(a.ownerCell) : Optional.empty();
      if (entra ? a.sponsor == null : !a.inManifest || a.ownerCell.isBlank()) {
        reasons.add(OrphanReason.NO_OWNER.value());
      } else if (owner.isEmpty()) {
        reasons.add(OrphanReason.OWNER_UNKNOWN.value());
      } else if (owner.get().idpsDisagree()) {
        reasons.add(OrphanReason.OWNER_STATUS_CONFLICT.value());
      } else if (owner.get().isGone()) {
        reasons.add(OrphanReason.OWNER_DEPROVISIONED.value());
      }
      if (isIdle(a)) {
        reasons.add(OrphanReason.IDLE.value());
      }
      if (a.inManifest && a.endDate != null && a.endDate.isBefore(org.end())) {
        reasons.add(OrphanReason.PROJECT_ENDED.value());
      }
      if (isDangling(a)) {
        reasons.add(OrphanReason.DANGLING_CREDENTIAL.value());
      }
      if (!reasons.isEmpty()) {
        out.add(new Orphan(a, new ArrayList<>(reasons), successor(a, owner)));
      }
    }
    return out;
  }

  List<Agent> sortedAgents() {
    return org.agents.stream().sorted(Comparator.comparing(Agent::id)).toList();
  }

  Optional<Person> person(String cell) {
    String wanted = cell.trim().toLowerCase(Locale.ROOT);
    return org.people.stream()
        .filter(p -> p.email.toLowerCase(Locale.ROOT).equals(wanted))
        .findFirst();
  }

  private String successor(Agent a, Optional<Person> owner) {
    if (a.inManifest) {
      for (String backup : a.backupOwners) {
        Optional<Person> p = person(backup);
        if (p.isPresent() && p.get().isActive()) {
          return p.get().email;
        }
      }
    }
    // An owner the two IdPs disagree on is not resolved, so neither is their manager.
    return owner
        .filter(o -> !o.idpsDisagree())
        .map(o -> o.manager)
        .filter(Person::isActive)
        .map(m -> m.email)
        .orElse(null);
  }

  private boolean isIdle(Agent a) {
    Instant cutoff = org.asOf().minus(IDLE_DAYS, ChronoUnit.DAYS);
    if (!a.created.isBefore(cutoff)) {
      return false;
    }
    Instant last = Instant.EPOCH;
    if (a.platform == Platform.ENTRA && !a.entraCalls.isEmpty()) {
      last = org.asOf(); // signs in every day
    }
    for (Principal p : a.principals) {
      Instant used = p.active ? org.asOf() : p.lastUsedBefore;
      if (used != null && used.isAfter(last)) {
        last = used;
      }
    }
    for (OpenAiKey k : keys(a)) {
      if (k.lastUsed() != null && k.lastUsed().isAfter(last)) {
        last = k.lastUsed();
      }
    }
    return last.isBefore(cutoff);
  }

  private List<OpenAiKey> keys(Agent a) {
    return org.openAiKeys.stream().filter(k -> k.serviceAccount() == a).toList();
  }

  private boolean isDangling(Agent a) {
    if (a.platform == Platform.OPENAI
        && a.openAiProject.archived() != null
        && a.openAiProject.archived().isBefore(org.asOf())) {
      Instant archived = a.openAiProject.archived();
      return keys(a).stream().anyMatch(k -> k.lastUsed() != null && k.lastUsed().isAfter(archived));
    }
    if (a.platform == Platform.ENTRA) {
      // A disabled agent identity whose client secret has not reached its end date.
      return a.entraDisabled && a.entraSecrets.stream().anyMatch(s -> s.end().isAfter(org.asOf()));
    }
    return a.platform == Platform.BEDROCK
        && !a.inPlatformExport
        && a.inManifest
        && !a.principals.isEmpty();
  }

  // ---- grants -------------------------------------------------------------------------------

  /**
   * One app role, delegated scope or directory role of an Entra agent, as {@code
   * silver.entitlements} names it: {@code principal_id} {@code entra:service_principal:<id>},
   * {@code action} {@code <resource app id>:<value>} or {@code directory:<role template id>} in
   * lower case. {@code unused}: its resource is never called (for a directory role: the agent never
   * signs in), else NOT_OBSERVABLE (the resource is called; sign-ins do not say with which
   * permission).
   */
  record EntraGrantRow(String principalId, String action, String policyName, boolean unused) {}

  List<EntraGrantRow> entraGrants() {
    List<EntraGrantRow> out = new ArrayList<>();
    for (Agent a : sortedAgents()) {
      for (Org.EntraGrant g : a.entraGrants) {
        out.add(
            new EntraGrantRow(
                "entra:service_principal:" + a.localId,
                (g.resource().appId() + ":" + g.value()).toLowerCase(Locale.ROOT),
                g.resource().name() + " app role " + g.value(),
                !a.entraCalls.contains(g.resource())));
      }
      for (Org.EntraDelegatedGrant g : a.entraDelegatedGrants) {
        // Sign-ins of either log name the resource called, not the scope.
        out.add(
            new EntraGrantRow(
                "entra:service_principal:" + a.localId,
                (g.resource().appId() + ":" + g.scope()).toLowerCase(Locale.ROOT),
                g.resource().name() + " delegated " + g.scope(),
                !a.entraCalls.contains(g.resource()) && !a.entraUserCalls.contains(g.resource())));
      }
      for (Org.EntraDirectoryRole role : a.entraDirectoryRoles) {
        // A directory role acts through any resource: any sign-in at all may be its use.
        out.add(
            new EntraGrantRow(
                "entra:service_principal:" + a.localId,
                ("directory:" + role.templateId()).toLowerCase(Locale.ROOT),
                "directory role " + role.displayName(),
                a.entraCalls.isEmpty()));
      }
    }
    out.sort(Comparator.comparing(EntraGrantRow::principalId).thenComparing(EntraGrantRow::action));
    return out;
  }

  /** Every Allow action pattern of every agent principal, with its verdict over the period. */
  List<GrantRow> grants() {
    LinkedHashSet<Principal> agentPrincipals = new LinkedHashSet<>();
    org.agents.forEach(a -> agentPrincipals.addAll(a.principals));
    List<GrantRow> out = new ArrayList<>();
    for (Principal p : org.principals) {
      if (!agentPrincipals.contains(p)) {
        continue;
      }
      for (Granted g : p.statements()) {
        if (!g.stmt().effect().equals("Allow")) {
          continue;
        }
        for (String pattern : g.stmt().actions()) {
          if (p.boundaryDenied.contains(pattern)) {
            continue;
          }
          List<String> used =
              p.active
                  ? g.stmt().calls().stream()
                      .filter(c -> Calls.matches(pattern, c))
                      .sorted()
                      .toList()
                  : List.of();
          Verdict v;
          if (!used.isEmpty()) {
            v = pattern.contains("*") && !used.contains(pattern) ? Verdict.PARTIAL : Verdict.USED;
          } else if (Calls.observable(pattern, p.account.dataEvents())) {
            v = Verdict.UNUSED;
          } else {
            continue;
          }
          out.add(new GrantRow(p, pattern, g.policy().name(), g.policy().managed(), v, used));
        }
      }
    }
    out.sort(
        Comparator.comparing((GrantRow r) -> r.principal().arn())
            .thenComparing(GrantRow::policyName)
            .thenComparing(GrantRow::pattern));
    return out;
  }
}
