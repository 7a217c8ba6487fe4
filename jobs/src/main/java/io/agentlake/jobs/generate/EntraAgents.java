package io.agentlake.jobs.generate;

import io.agentlake.jobs.generate.Org.Agent;
import io.agentlake.jobs.generate.Org.EntraGrant;
import io.agentlake.jobs.generate.Org.EntraResource;
import io.agentlake.jobs.generate.Org.Person;
import io.agentlake.jobs.generate.Org.Platform;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * Plants the Entra ID agents into a built {@link Org}: agent identities with sponsors, the
 * Microsoft Graph and a line-of-business resource application they hold app roles of, and which of
 * those resources each signs in to. Its own random stream, so nothing else changes.
 *
 * <p>Planted: a healthy agent that holds an app role of a resource it never calls (an unused
 * grant), one that calls everything it holds, one without a sponsor holding
 * RoleManagement.ReadWrite.Directory (NO_OWNER, a privilege-escalation fact), one whose sponsor is
 * gone (OWNER_DEPROVISIONED, its manager the successor), one that never signs in (IDLE, every grant
 * unused), and one whose service principal was disabled while its client secret is still valid
 * (DANGLING_CREDENTIAL, and IDLE). The helpdesk agent's client secret expires 20 days after the run
 * date (an expiring credential); the disabled one's is long-lived.
 */
final class EntraAgents {

  static final String GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";
  static final String USER_READ_ALL = "df021288-bdef-4463-88db-98f22de89214";
  static final String MAIL_READ_WRITE = "e2a3a72e-5f79-4c64-b1b1-878b674786c9";

  /** Not in the exported Graph appRoles below: named from agentlake's bundled list. */
  static final String ROLE_MANAGEMENT_READ_WRITE_DIRECTORY = "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8";

  static final String PRIVILEGED_ROLE_ADMINISTRATOR = "e8611ab8-c189-46e8-94e1-60213ab1f814";
  static final String GLOBAL_ADMINISTRATOR = "62e90394-69f5-4237-9190-012177145e10";

  private EntraAgents() {}

  static void plant(Org org) {
    Rng r = Rng.of(org.options.seed(), "entra-agents");
    EntraResource graph =
        new EntraResource(
            r.uuid(),
            GRAPH_APP_ID,
            "Microsoft Graph",
            Map.of(USER_READ_ALL, "User.Read.All", MAIL_READ_WRITE, "Mail.ReadWrite"));
    String reportsRead = r.uuid();
    EntraResource reports =
        new EntraResource(
            r.uuid(), r.uuid(), "Contoso Reports API", Map.of(reportsRead, "Reports.Read"));
    org.entraResources.add(graph);
    org.entraResources.add(reports);

    List<Person> sponsors =
        org.people.stream()
            .filter(p -> p.isActive() && p.entraEnabled() && !p.idpsDisagree())
            .filter(p -> p.manager != null && p.manager.isActive())
            .toList();
    Person gone =
        org.people.stream()
            .filter(p -> p.isGone() && !p.entraEnabled() && !p.idpsDisagree())
            .filter(p -> p.manager != null && p.manager.isActive())
            .findFirst()
            .orElse(null);
    if (sponsors.size() < 3) {
      return; // a tiny org: no Entra agents
    }
    Person s1 = sponsors.get(r.nextInt(sponsors.size()));
    Person s2 = sponsors.get(r.nextInt(sponsors.size()));
    Person s3 = sponsors.get(r.nextInt(sponsors.size()));

    Agent helpdesk = agent(org, r, "copilot-helpdesk", "answers IT helpdesk tickets", s1);
    helpdesk.entraCalls.add(graph);
    grant(r, helpdesk, graph, USER_READ_ALL, "User.Read.All");
    grant(r, helpdesk, reports, reportsRead, "Reports.Read");

    Agent summariser = agent(org, r, "foundry-summariser", "summarises weekly reports", s2);
    summariser.entraCalls.add(graph);
    summariser.entraCalls.add(reports);
    grant(r, summariser, graph, MAIL_READ_WRITE, "Mail.ReadWrite");
    grant(r, summariser, reports, reportsRead, "Reports.Read");

    Agent ops = agent(org, r, "ops-automation", "rotates directory role holders", null);
    ops.entraCalls.add(graph);
    grant(
        r, ops, graph, ROLE_MANAGEMENT_READ_WRITE_DIRECTORY, "RoleManagement.ReadWrite.Directory");

    if (gone != null) {
      Agent intake = agent(org, r, "legacy-intake", "files intake forms", gone);
      intake.entraCalls.add(graph);
      grant(r, intake, graph, USER_READ_ALL, "User.Read.All");
    }

    Agent idle = agent(org, r, "quarter-report-bot", "builds the quarterly report", s3);
    grant(r, idle, reports, reportsRead, "Reports.Read");

    Instant asOf = org.asOf();
    helpdesk.entraSecrets.add(
        new Org.EntraSecret(
            r.uuid(), "Hd1", asOf.minus(160, ChronoUnit.DAYS), asOf.plus(20, ChronoUnit.DAYS)));
    Agent retired = agent(org, r, "retired-triage", "triaged support mail until replaced", s1);
    retired.entraDisabled = true;
    retired.entraSecrets.add(
        new Org.EntraSecret(
            r.uuid(), "Rt7", asOf.minus(200, ChronoUnit.DAYS), asOf.plus(165, ChronoUnit.DAYS)));

    // Directory roles, drawn last so the draws above stay as they were: the role-rotation agent
    // holds Privileged Role Administrator and signs in (a privilege-escalation fact, not
    // observable: a directory role acts through any resource); the idle bot holds Global
    // Administrator and never signs in (a full admin, UNUSED).
    ops.entraDirectoryRoles.add(
        new Org.EntraDirectoryRole(
            r.uuid(), PRIVILEGED_ROLE_ADMINISTRATOR, "Privileged Role Administrator"));
    idle.entraDirectoryRoles.add(
        new Org.EntraDirectoryRole(r.uuid(), GLOBAL_ADMINISTRATOR, "Global Administrator"));

    // Delegated permissions, consented for every user: the helpdesk app reads Microsoft Graph on
    // behalf of its sponsor every day (the user sign-in log shows it: not observable, as sign-ins
    // do not name the scope), and was also consented Reports.Read on the reports API, which no one
    // ever calls through it (UNUSED).
    helpdesk.entraDelegatedGrants.add(new Org.EntraDelegatedGrant(r.uuid(), graph, "Mail.Send"));
    helpdesk.entraDelegatedGrants.add(
        new Org.EntraDelegatedGrant(r.uuid(), reports, "Reports.Read"));
    helpdesk.entraUserCalls.add(graph);
    helpdesk.entraSignedInUser = s1;
  }

  private static Agent agent(Org org, Rng r, String name, String purpose, Person sponsor) {
    Agent a = new Agent();
    a.platform = Platform.ENTRA;
    a.localId = r.uuid();
    a.entraAppId = r.uuid();
    a.name = name;
    a.purpose = purpose;
    a.created =
        org.start()
            .atStartOfDay(java.time.ZoneOffset.UTC)
            .toInstant()
            .minus(120 + r.nextInt(60), ChronoUnit.DAYS);
    a.updated = a.created;
    a.inManifest = false;
    a.sponsor = sponsor;
    a.ownerCell = sponsor == null ? "" : sponsor.email;
    org.agents.add(a);
    return a;
  }

  private static void grant(Rng r, Agent a, EntraResource resource, String roleId, String value) {
    a.entraGrants.add(new EntraGrant(r.uuid(), resource, roleId, value));
  }
}
