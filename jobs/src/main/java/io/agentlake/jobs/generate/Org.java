package io.agentlake.jobs.generate;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The synthetic organisation, built once from the seed by {@link OrgBuilder} and then rendered by
 * one writer per source. Everything that must agree across files (ids, ARNs, owners, dates, which
 * grant is used) lives here, so writers never make a random choice that another file depends on.
 */
final class Org {
  final GeneratorOptions options;
  final List<Account> accounts = new ArrayList<>();
  final List<Person> people = new ArrayList<>();
  final List<Group> groups = new ArrayList<>();
  final List<Policy> managedPolicies = new ArrayList<>();
  final List<Principal> principals = new ArrayList<>();
  final List<Agent> agents = new ArrayList<>();
  final List<OpenAiProject> projects = new ArrayList<>();
  final List<OpenAiKey> openAiKeys = new ArrayList<>();
  final List<AdminReach> adminReach = new ArrayList<>();
  final List<EscalationPath> escalationPaths = new ArrayList<>();
  final List<SharedCredential> sharedCredentials = new ArrayList<>();
  final List<EntraResource> entraResources = new ArrayList<>();

  /** The human who also uses an agent's access key, and the principal whose key it is. */
  Person keySharingHuman;

  Principal keySharingUser;

  Org(GeneratorOptions options) {
    this.options = options;
  }

  LocalDate start() {
    return options.startDate();
  }

  LocalDate end() {
    return options.endDate();
  }

  /** End of day D, the instant every finding is judged at. */
  Instant asOf() {
    return end().plusDays(1).atStartOfDay(java.time.ZoneOffset.UTC).toInstant().minusSeconds(1);
  }

  record Account(int index, String id, String name, boolean dataEvents, List<String> regions) {
    String root() {
      return "arn:aws:iam::" + id + ":root";
    }

    String homeRegion() {
      return regions.get(0);
    }
  }

  static final class Person {
    String id;
    String firstName;
    String lastName;
    String email;
    String department;
    String title;
    String status;
    Instant created;
    Instant statusChanged;
    Instant lastLogin;
    Person manager;
    String openAiUserId;

    /** False for a person only in Entra ID: the Okta export does not list them. */
    boolean inOkta = true;

    /** The Entra ID object id; everybody is in the Entra tenant. */
    String entraId;

    /**
     * Entra's own status when it disagrees with Okta's (DISABLED for a person Okta still has
     * ACTIVE), else null: the Entra account mirrors Okta (disabled when the person is gone).
     */
    String entraStatus;

    /** When Entra disabled the account, when it was disabled inside the period (audited then). */
    Instant entraDisabledAt;

    boolean entraEnabled() {
      return entraStatus == null ? !isGone() : !"DISABLED".equals(entraStatus);
    }

    /** Okta says the person is here and Entra says they are gone, or the other way round. */
    boolean idpsDisagree() {
      return inOkta && entraStatus != null && isGone() == entraEnabled();
    }

    String displayName() {
      return firstName + " " + lastName;
    }

    boolean isActive() {
      return "ACTIVE".equals(status);
    }

    boolean isGone() {
      return "DEPROVISIONED".equals(status)
          || "SUSPENDED".equals(status)
          || "DISABLED".equals(status);
    }
  }

  /** One IAM policy statement: an Allow or Deny of some actions, and what is actually called. */
  record Stmt(
      String sid, String effect, List<String> actions, String resource, List<String> calls) {
    static Stmt allow(String sid, List<String> actions, String resource, List<String> calls) {
      return new Stmt(sid, "Allow", actions, resource, calls);
    }
  }

  /** Inline policy ({@code arn == null}) or managed policy with its versions. */
  record Policy(
      String name,
      String arn,
      String id,
      String path,
      Instant created,
      List<List<Stmt>> versions,
      int defaultVersion) {
    boolean managed() {
      return arn != null;
    }

    List<Stmt> document() {
      return versions.get(defaultVersion);
    }

    static Policy inline(String name, List<Stmt> statements) {
      return new Policy(name, null, null, null, null, List.of(statements), 0);
    }
  }

  record Group(Account account, String name, String id, Instant created, List<Policy> attached) {
    String arn() {
      return "arn:aws:iam::" + account.id() + ":group/" + name;
    }
  }

  record AccessKey(String id, Instant created, boolean active, Instant lastUsed) {}

  /** A trust-policy principal: {@code Service} (e.g. lambda.amazonaws.com) or {@code AWS} (ARN). */
  record Trust(String type, String value) {}

  enum Kind {
    ROLE,
    USER
  }

  /** An IAM role or user. Mutable while the builder wires the organisation, read-only after. */
  static final class Principal {
    Account account;
    Kind kind;
    String name;
    String path = "/";
    String id;
    Instant created;
    String region;
    final List<Policy> inline = new ArrayList<>();
    final List<Policy> attached = new ArrayList<>();
    final List<Group> groups = new ArrayList<>();
    final List<Trust> trust = new ArrayList<>();
    final List<String[]> tags = new ArrayList<>();
    final List<AccessKey> keys = new ArrayList<>();
    Policy boundary;

    /** Actions the boundary blocks although identity policies allow them. */
    final List<String> boundaryDenied = new ArrayList<>();

    /** Used on every day of the period (false: idle, never in CloudTrail). */
    boolean active;

    /** Last use before the period, for idle principals. */
    Instant lastUsedBefore;

    Person human;
    boolean admin;
    String userAgent;
    String sourceIp;
    String sessionName;

    String arn() {
      String type = kind == Kind.ROLE ? "role" : "user";
      return "arn:aws:iam::" + account.id() + ":" + type + path + name;
    }

    /** Every statement of its identity policies (inline, attached, groups), with its policy. */
    List<Granted> statements() {
      List<Granted> out = new ArrayList<>();
      inline.forEach(p -> p.document().forEach(s -> out.add(new Granted(p, s))));
      attached.forEach(p -> p.document().forEach(s -> out.add(new Granted(p, s))));
      groups.forEach(
          g -> g.attached().forEach(p -> p.document().forEach(s -> out.add(new Granted(p, s)))));
      return out;
    }

    /** Every concrete action it successfully calls each day. */
    List<String> dailyCalls() {
      List<String> calls = new ArrayList<>();
      if (active) {
        statements().forEach(g -> calls.addAll(g.stmt().calls()));
      }
      return calls;
    }
  }

  record Granted(Policy policy, Stmt stmt) {}

  enum Platform {
    BEDROCK("bedrock"),
    OPENAI("openai"),
    LANGGRAPH("langgraph"),
    MCP_SERVER("mcp-server"),
    CUSTOM("custom"),
    ENTRA("entra");

    final String code;

    Platform(String code) {
      this.code = code;
    }
  }

  /** An AI agent on any platform, with what its manifest row says. */
  static final class Agent {
    Platform platform;
    String localId;
    String name;
    String purpose;
    Instant created;
    Instant updated;

    /** The owner cell as written in the manifest ("" = empty cell). */
    String ownerCell = "";

    final List<String> backupOwners = new ArrayList<>();
    boolean inManifest = true;

    /** False for a Bedrock agent deleted on the platform but still in the manifest. */
    boolean inPlatformExport = true;

    String project = "";
    LocalDate endDate;
    final List<Principal> principals = new ArrayList<>();

    /** Credential cells of the manifest row beyond principal ARNs (access key / OpenAI key ids). */
    final List<String> extraCredentials = new ArrayList<>();

    // Bedrock
    Account account;
    String region;
    String foundationModel;
    String status;
    // OpenAI
    OpenAiProject openAiProject;
    String openAiRole = "member";
    // Entra ID (an agent identity: localId is its service principal's object id)
    String entraAppId;
    Person sponsor;
    final List<EntraGrant> entraGrants = new ArrayList<>();
    final List<EntraDirectoryRole> entraDirectoryRoles = new ArrayList<>();
    final List<EntraDelegatedGrant> entraDelegatedGrants = new ArrayList<>();

    /** Resources people call through the agent's app, on delegated permissions: user sign-ins. */
    final List<EntraResource> entraUserCalls = new ArrayList<>();

    /** The person whose sign-ins through the agent's app the user sign-in log shows. */
    Person entraSignedInUser;

    /** The resource apps it signs in to every day of the period (none: it never signs in). */
    final List<EntraResource> entraCalls = new ArrayList<>();

    /** Whether its service principal is disabled ({@code accountEnabled: false}). */
    boolean entraDisabled;

    /** Client secrets on its service principal (their metadata: no secret is ever written). */
    final List<EntraSecret> entraSecrets = new ArrayList<>();

    String id() {
      return platform.code + ":" + localId;
    }

    List<String> credentialCells() {
      List<String> cells = new ArrayList<>();
      principals.forEach(p -> cells.add(p.arn()));
      cells.addAll(extraCredentials);
      return cells;
    }
  }

  record OpenAiProject(String id, String name, Instant created, Instant archived) {}

  /** A project API key, owned by a service account (agent) or a person. */
  record OpenAiKey(
      String id,
      String name,
      String redactedValue,
      Instant created,
      Instant lastUsed,
      OpenAiProject project,
      Agent serviceAccount,
      Person user) {}

  /** A resource application of the Entra tenant: its service principal and app roles. */
  record EntraResource(String spId, String appId, String name, Map<String, String> appRoles) {}

  /**
   * An app role of {@code resource} assigned to an Entra agent: {@code roleId} its id, {@code
   * value} its name.
   */
  record EntraGrant(String assignmentId, EntraResource resource, String roleId, String value) {}

  /**
   * An OAuth2 permission grant to an agent's app for every user of the tenant ({@code
   * AllPrincipals}): one delegated scope on a resource.
   */
  record EntraDelegatedGrant(String grantId, EntraResource resource, String scope) {}

  /** A built-in directory role assigned to an agent's service principal, tenant-wide. */
  record EntraDirectoryRole(String assignmentId, String templateId, String displayName) {}

  /** A client secret's metadata, as Graph lists it: key id, hint, validity. */
  record EntraSecret(String keyId, String hint, Instant start, Instant end) {}

  record AdminReach(Agent agent, Principal via, Principal adminRole) {}

  record EscalationPath(
      Principal principal, String method, List<String> actions, List<String> policies) {}

  record SharedCredential(String credential, List<Agent> agents, List<Person> humans) {}
}
