package io.agentlake.jobs.generate;

import static io.agentlake.jobs.generate.IamFactory.never;
import static io.agentlake.jobs.generate.IamFactory.uses;
import static io.agentlake.jobs.generate.IamFactory.withServiceWildcards;

import io.agentlake.jobs.generate.Org.Account;
import io.agentlake.jobs.generate.Org.Agent;
import io.agentlake.jobs.generate.Org.Group;
import io.agentlake.jobs.generate.Org.Kind;
import io.agentlake.jobs.generate.Org.OpenAiKey;
import io.agentlake.jobs.generate.Org.OpenAiProject;
import io.agentlake.jobs.generate.Org.Person;
import io.agentlake.jobs.generate.Org.Platform;
import io.agentlake.jobs.generate.Org.Policy;
import io.agentlake.jobs.generate.Org.Principal;
import io.agentlake.jobs.generate.Org.Stmt;
import io.agentlake.jobs.generate.Org.Trust;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Builds the {@link Org} from the seed: accounts, people, IAM principals and policies, agents, and
 * the planted scenarios (see {@link OrgGenerator}). All draws come from one stream in a fixed
 * order, so the same options always build the same organisation.
 */
final class OrgBuilder {
  /** Calls an agent principal makes every day; all are CloudTrail management events. */
  static final List<String> USED_POOL =
      List.of(
          "secretsmanager:GetSecretValue",
          "ssm:GetParameter",
          "kms:Decrypt",
          "dynamodb:DescribeTable",
          "ecr:GetAuthorizationToken");

  /** Grants planted as never used; management-event services, no privilege-escalation method. */
  static final List<String> UNUSED_POOL =
      List.of(
          "rds:*",
          "ec2:Describe*",
          "kms:Decrypt",
          "secretsmanager:GetSecretValue",
          "ssm:GetParameter",
          "cloudformation:DescribeStacks",
          "glue:GetTables");

  static final String ADMIN_POLICY_ARN = "arn:aws:iam::aws:policy/AdministratorAccess";
  static final String ESCALATION_METHOD = "PassExistingRoleToNewLambdaThenInvoke";

  private static final List<String> ACCOUNT_NAMES =
      List.of("agents-prod", "data-lake", "shared-services");
  private static final List<List<String>> ACCOUNT_REGIONS =
      List.of(List.of("us-east-1", "eu-west-1"), List.of("eu-west-1"), List.of("us-west-2"));

  private final Org org;
  private final Rng rng;
  private final IamFactory iam;
  private final Instant start;
  private final Instant asOf;
  private final List<Person> freeOwners = new ArrayList<>();
  private final Set<Person> reserved = new LinkedHashSet<>();
  private int nameCursor;

  private OrgBuilder(GeneratorOptions options) {
    this.org = new Org(options);
    this.rng = Rng.of(options.seed(), "org");
    this.start = options.startDate().atStartOfDay(ZoneOffset.UTC).toInstant();
    this.asOf = org.asOf();
    this.iam = new IamFactory(org, rng, start);
  }

  static Org build(GeneratorOptions options) {
    OrgBuilder b = new OrgBuilder(options);
    b.accounts();
    b.people();
    b.humans();
    b.adminRoles();
    b.agents();
    b.openAiHumanKeys();
    b.restOfPeople();
    EntraTenant.plant(b.org, b.start);
    EntraAgents.plant(b.org);
    return b.org;
  }

  // ---- accounts and people ----------------------------------------------------------------

  private void accounts() {
    int n = 2 + rng.nextInt(2);
    Set<String> ids = new LinkedHashSet<>();
    for (int i = 0; i < n; i++) {
      String id;
      do {
        id = rng.digits(12);
      } while (!ids.add(id));
      org.accounts.add(new Account(i, id, ACCOUNT_NAMES.get(i), i == 1, ACCOUNT_REGIONS.get(i)));
    }
  }

  private Account dataAccount() {
    return org.accounts.get(1);
  }

  private void people() {
    int count = 4 * org.options.agents();
    int managers = Math.max(4, count / 8);
    for (int i = 0; i < count; i++) {
      String[] name = Names.person(i);
      Person p = new Person();
      p.id = "00u" + rng.alnum(17);
      p.firstName = name[0];
      p.lastName = name[1];
      p.email = name[2] + "@" + Names.DOMAIN;
      p.department = rng.pick(Names.DEPARTMENTS);
      p.title = i < managers ? "Engineering Manager" : rng.pick(Names.TITLES);
      p.status = "ACTIVE";
      p.created = daysBefore(start, rng.between(120, 2000));
      p.lastLogin = daysBefore(asOf, rng.between(0, 3));
      p.manager = i == 0 ? null : org.people.get(rng.nextInt(Math.min(i, managers)));
      org.people.add(p);
      if (i >= managers) {
        freeOwners.add(p);
      } else {
        reserved.add(p);
      }
    }
  }

  /** The next ACTIVE person nobody else has claimed (owners, backups, IAM humans). */
  private Person takePerson() {
    Person p = freeOwners.remove(0);
    reserved.add(p);
    return p;
  }

  private void leave(Person p, String status, Instant when) {
    p.status = status;
    p.statusChanged = when;
    p.lastLogin = daysBefore(when, rng.between(1, 10));
  }

  /** Statuses for everybody not claimed by a scenario: mostly ACTIVE, some gone or pending. */
  private void restOfPeople() {
    for (Person p : freeOwners) {
      int r = rng.nextInt(100);
      if (r < 8) {
        leave(p, "DEPROVISIONED", dayInPeriodOrBefore());
      } else if (r < 12) {
        leave(p, "SUSPENDED", dayInPeriodOrBefore());
      } else if (r < 15) {
        p.status = "STAGED";
        p.statusChanged = null;
        p.lastLogin = null;
      } else if (r < 17) {
        p.status = "LOCKED_OUT";
        p.statusChanged = daysBefore(asOf, rng.between(1, 20));
      }
    }
  }

  private Instant dayInPeriodOrBefore() {
    int offset = rng.between(-90, org.options.days() - 1);
    return start.plus(offset, ChronoUnit.DAYS).plusSeconds(rng.between(28_800, 64_800));
  }

  private void humans() {
    Account a = org.accounts.get(0);
    Policy dev =
        iam.managed(
            a,
            "DeveloperAccess",
            "/",
            List.of(
                List.of(never("ec2:*"), uses("ec2:DescribeInstances")),
                List.of(
                    uses("ec2:DescribeInstances"),
                    uses("logs:DescribeLogGroups"),
                    uses("s3:ListAllMyBuckets"))));
    Group developers =
        new Group(a, "Developers", "AGPA" + rng.upper(17), iam.oldDate(), List.of(dev));
    org.groups.add(developers);
    for (int i = 1; i <= 3; i++) {
      Person person = org.people.get(i);
      Principal u = iam.user(a, person.email.substring(0, person.email.indexOf('@')), true);
      u.human = person;
      u.active = true;
      u.groups.add(developers);
      u.userAgent =
          "aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/macos#23.5.0 md/arch#arm64 lang/python#3.11.9"
              + " md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off";
      u.tags.add(new String[] {"team", person.department});
    }
    org.keySharingHuman = org.people.get(1);
  }

  private void adminRoles() {
    for (Account a : org.accounts) {
      Principal admin = iam.role(a, "platform-admin", new Trust("AWS", a.root()));
      admin.admin = true;
      admin.attached.add(iam.adminPolicy());
      admin.lastUsedBefore = daysBefore(start, rng.between(5, 40));
    }
  }

  // ---- agents -------------------------------------------------------------------------------

  private enum Scenario {
    NORMAL,
    IDLE,
    OWNER_GONE_NO_BACKUP,
    OWNER_GONE_WITH_BACKUP,
    OWNER_UNKNOWN,
    NO_OWNER,
    PROJECT_ENDED,
    DELETED_ON_PLATFORM,
    ARCHIVED_PROJECT
  }

  private void agents() {
    int n = org.options.agents();
    int bedrock = Math.max(4, (int) Math.round(0.35 * n));
    int openai = Math.max(3, (int) Math.round(0.25 * n));
    int home = n - bedrock - openai;
    projects();
    plantedHomeAgents();
    for (int i = 0; i < bedrock; i++) {
      bedrockAgent(i, bedrockScenario(i));
    }
    for (int i = 0; i < openai; i++) {
      openAiAgent(i, openAiScenario(i));
    }
    List<Scenario> extras =
        List.of(
            Scenario.NORMAL,
            Scenario.NORMAL,
            Scenario.PROJECT_ENDED,
            Scenario.NORMAL,
            Scenario.IDLE,
            Scenario.OWNER_GONE_WITH_BACKUP);
    for (int i = 5; i < home; i++) {
      homeAgent(i, extras.get((i - 5) % extras.size()));
    }
  }

  private static Scenario bedrockScenario(int i) {
    return switch (i) {
      case 0 -> Scenario.NORMAL;
      case 1 -> Scenario.IDLE;
      case 2 -> Scenario.OWNER_GONE_NO_BACKUP;
      case 3 -> Scenario.DELETED_ON_PLATFORM;
      default ->
          List.of(
                  Scenario.NORMAL,
                  Scenario.NORMAL,
                  Scenario.IDLE,
                  Scenario.OWNER_GONE_WITH_BACKUP,
                  Scenario.NORMAL,
                  Scenario.NO_OWNER)
              .get((i - 4) % 6);
    };
  }

  private static Scenario openAiScenario(int i) {
    return switch (i) {
      case 0 -> Scenario.NORMAL;
      case 1 -> Scenario.NO_OWNER;
      case 2 -> Scenario.ARCHIVED_PROJECT;
      default ->
          List.of(Scenario.NORMAL, Scenario.NORMAL, Scenario.IDLE, Scenario.OWNER_UNKNOWN)
              .get((i - 3) % 4);
    };
  }

  private Agent newAgent(Platform platform, Scenario scenario) {
    String[] name = Names.agent(nameCursor++);
    Agent agent = new Agent();
    agent.platform = platform;
    agent.localId = name[0];
    agent.name = name[0];
    agent.purpose = name[1];
    agent.created =
        daysBefore(start, scenario == Scenario.IDLE ? rng.between(200, 400) : rng.between(45, 400));
    agent.updated = agent.created.plus(rng.between(1, 30), ChronoUnit.DAYS);
    agent.project = rng.pick(Names.PROJECTS);
    if (rng.chance(0.3)) {
      agent.endDate = org.end().plusDays(rng.between(30, 365));
    }
    owners(agent, scenario);
    org.agents.add(agent);
    return agent;
  }

  /** Owner cells per scenario; everybody an agent names is claimed so its status stays fixed. */
  private void owners(Agent agent, Scenario scenario) {
    Person owner = takePerson();
    agent.ownerCell = owner.email;
    if (org.agents.size() % 3 == 1) {
      agent.ownerCell = capitalised(owner.email);
    }
    switch (scenario) {
      case OWNER_GONE_NO_BACKUP ->
          leave(owner, "SUSPENDED", daysBefore(start, rng.between(10, 40)));
      case OWNER_GONE_WITH_BACKUP -> {
        leave(
            owner,
            "DEPROVISIONED",
            start
                .plus(org.options.days() / 3, ChronoUnit.DAYS)
                .plusSeconds(rng.between(32_400, 61_200)));
        Person goneBackup = takePerson();
        leave(goneBackup, "DEPROVISIONED", daysBefore(start, rng.between(30, 200)));
        agent.backupOwners.add(goneBackup.email);
        agent.backupOwners.add(takePerson().email);
      }
      case OWNER_UNKNOWN ->
          agent.ownerCell =
              Names.FIRST.get(rng.nextInt(Names.FIRST.size())).toLowerCase(Locale.ROOT)
                  + ".contractor@freelance-partners.io";
      case NO_OWNER -> {
        agent.ownerCell = "";
        agent.backupOwners.add(takePerson().email);
      }
      case PROJECT_ENDED -> agent.endDate = org.end().minusDays(rng.between(3, 25));
      default -> {
        if (rng.chance(0.4)) {
          agent.backupOwners.add(takePerson().email);
        }
      }
    }
  }

  private static String capitalised(String email) {
    StringBuilder sb = new StringBuilder(email.length());
    boolean up = true;
    for (char c : email.toCharArray()) {
      sb.append(up ? Character.toUpperCase(c) : c);
      up = c == '.' || c == '@' || c == '-';
    }
    return sb.toString();
  }

  private Account nonDataAccount(int i) {
    List<Account> candidates = org.accounts.stream().filter(a -> !a.dataEvents()).toList();
    return candidates.get(i % candidates.size());
  }

  private void bedrockAgent(int i, Scenario scenario) {
    Agent agent = newAgent(Platform.BEDROCK, scenario);
    agent.localId = rng.upper(10);
    agent.account = nonDataAccount(i);
    agent.region = agent.account.homeRegion();
    agent.foundationModel = rng.pick(Names.MODELS);
    agent.status = rng.chance(0.85) ? "PREPARED" : "NOT_PREPARED";
    Principal role =
        iam.role(
            agent.account,
            "AmazonBedrockExecutionRoleForAgents_" + rng.upper(10),
            new Trust("Service", "bedrock.amazonaws.com"));
    role.path = "/service-role/";
    role.sessionName = "BedrockAgent-" + agent.localId;
    role.inline.add(
        Policy.inline(
            "AmazonBedrockAgentBedrockFoundationModelPolicy",
            List.of(
                Stmt.allow(
                    "AmazonBedrockAgentBedrockFoundationModelPolicyProd",
                    List.of("bedrock:InvokeModel"),
                    "arn:aws:bedrock:"
                        + agent.region
                        + "::foundation-model/"
                        + agent.foundationModel,
                    List.of("bedrock:InvokeModel")))));
    workload(agent, role, scenario, i % 2 == 0);
    agent.inManifest = scenario != Scenario.NO_OWNER || !agent.backupOwners.isEmpty();
    if (scenario == Scenario.DELETED_ON_PLATFORM) {
      agent.inPlatformExport = false;
    }
    role.tags.add(new String[] {"bedrock-agent", agent.name});
  }

  /** Daily calls, an optional planted unused grant, and activity according to the scenario. */
  private void workload(Agent agent, Principal p, Scenario scenario, boolean plantUnused) {
    agent.principals.add(p);
    List<String> calls = new ArrayList<>(USED_POOL);
    int first = rng.nextInt(calls.size());
    String a = calls.get(first);
    String b = calls.get((first + 1 + rng.nextInt(calls.size() - 1)) % calls.size());
    Stmt usedA = uses(a);
    if (a.startsWith("secretsmanager:") && p.kind == Kind.ROLE) {
      p.attached.add(
          iam.managed(
              p.account,
              "AgentSecretsRead",
              "/agents/",
              List.of(List.of(uses("secretsmanager:*")), List.of(usedA))));
    } else {
      p.inline.add(Policy.inline(agent.name + "-runtime", List.of(usedA)));
    }
    p.inline.add(Policy.inline(agent.name + "-config", List.of(uses(b))));
    if (plantUnused) {
      Set<String> services = new LinkedHashSet<>();
      p.statements().forEach(g -> g.stmt().actions().forEach(x -> services.add(service(x))));
      List<String> options =
          UNUSED_POOL.stream().filter(x -> !services.contains(service(x))).toList();
      String unused = options.get(rng.nextInt(options.size()));
      if (rng.chance(0.5)) {
        p.inline.add(Policy.inline(agent.name + "-extras", List.of(never(unused))));
      } else {
        p.attached.add(legacyOps(p.account));
      }
    }
    p.active = scenario != Scenario.IDLE;
    if (!p.active) {
      p.lastUsedBefore = daysBefore(asOf, rng.between(40, 120));
    }
  }

  /** A customer managed policy nobody uses; its older versions granted more. */
  private Policy legacyOps(Account account) {
    return iam.managed(
        account,
        "LegacyOpsReadOnly",
        "/",
        List.of(
            List.of(never("ec2:*", "rds:*")),
            List.of(never("ec2:Describe*", "rds:Describe*", "cloudformation:*")),
            List.of(
                never("ec2:Describe*", "rds:Describe*"), never("cloudformation:DescribeStacks"))));
  }

  static String service(String action) {
    return action.substring(0, action.indexOf(':'));
  }

  private void projects() {
    Instant archived = daysBefore(asOf, 20);
    org.projects.add(
        new OpenAiProject("proj_" + rng.alnum(24), "Default project", iam.oldDate(), null));
    org.projects.add(
        new OpenAiProject("proj_" + rng.alnum(24), "Support Automation", iam.oldDate(), null));
    org.projects.add(
        new OpenAiProject("proj_" + rng.alnum(24), "Legacy Chatbot", iam.oldDate(), archived));
  }

  private void openAiAgent(int i, Scenario scenario) {
    Agent agent = newAgent(Platform.OPENAI, scenario);
    agent.localId = "svc_acct_" + rng.alnum(24);
    agent.openAiProject =
        scenario == Scenario.ARCHIVED_PROJECT ? org.projects.get(2) : org.projects.get(i % 2);
    agent.inManifest = scenario != Scenario.NO_OWNER;
    Instant lastUsed =
        scenario == Scenario.IDLE
            ? daysBefore(asOf, rng.between(40, 120))
            : daysBefore(asOf, rng.between(0, 2));
    OpenAiKey key =
        new OpenAiKey(
            "key_" + rng.alnum(16),
            agent.name + " key",
            "sk-" + rng.alnum(3) + "..." + rng.alnum(3),
            agent.created.plus(1, ChronoUnit.DAYS),
            lastUsed.minusSeconds(rng.between(0, 40_000)),
            agent.openAiProject,
            agent,
            null);
    org.openAiKeys.add(key);
    agent.extraCredentials.add(key.id());
  }

  private void openAiHumanKeys() {
    for (int i = 0; i < 3; i++) {
      Person person = org.people.get(4 + i);
      person.openAiUserId = "user-" + rng.alnum(24);
      org.openAiKeys.add(
          new OpenAiKey(
              "key_" + rng.alnum(16),
              person.firstName + "'s laptop",
              "sk-" + rng.alnum(3) + "..." + rng.alnum(3),
              iam.oldDate(),
              daysBefore(asOf, rng.between(0, 60)),
              org.projects.get(i % 2),
              null,
              person));
    }
    org.people.get(0).openAiUserId = "user-" + rng.alnum(24);
  }

  private Platform homePlatform(int i) {
    return List.of(Platform.LANGGRAPH, Platform.MCP_SERVER, Platform.CUSTOM).get(i % 3);
  }

  private void homeAgent(int i, Scenario scenario) {
    Agent agent = newAgent(homePlatform(i), scenario);
    Account account = org.accounts.get(i % org.accounts.size());
    if (i % 4 == 3) {
      Principal u = iam.user(account, "svc-" + agent.name, true);
      workload(agent, u, scenario, false);
      agent.extraCredentials.add(u.keys.get(0).id());
    } else {
      workload(agent, iam.workloadRole(account, agent.name + "-task", i), scenario, i % 2 == 0);
    }
  }

  /**
   * The five home-grown agents that carry the principal-level scenarios: partial s3:*, the shared
   * key and the permissions boundary, admin reach, the shared role, the split escalation path.
   */
  private void plantedHomeAgents() {
    Account prod = org.accounts.get(0);
    Account last = org.accounts.get(org.accounts.size() - 1);

    Agent indexer = newAgent(Platform.LANGGRAPH, Scenario.NORMAL);
    Principal indexerRole =
        iam.role(dataAccount(), "doc-indexer-lambda", new Trust("Service", "lambda.amazonaws.com"));
    String bucket = "northwind-docs-" + dataAccount().id();
    indexerRole.inline.add(
        Policy.inline(
            "DocIndexerS3",
            List.of(
                Stmt.allow(
                    "IndexerBucket",
                    List.of("s3:*"),
                    "arn:aws:s3:::" + bucket + "/*",
                    List.of("s3:GetObject", "s3:PutObject")))));
    workload(indexer, indexerRole, Scenario.NORMAL, false);

    Agent ledger = newAgent(Platform.CUSTOM, Scenario.OWNER_GONE_WITH_BACKUP);
    Principal ledgerUser = iam.user(prod, "svc-ledger-sync", true);
    workload(ledger, ledgerUser, Scenario.NORMAL, false);
    ledgerUser.inline.add(
        Policy.inline(
            "ledger-key-rotation", List.of(never("iam:CreateAccessKey", "iam:DeleteAccessKey"))));
    ledgerUser.boundary =
        iam.managed(
            prod,
            "AgentBoundary",
            "/boundaries/",
            List.of(
                List.of(
                    Stmt.allow("AgentRuntime", withServiceWildcards(USED_POOL), "*", List.of()),
                    new Stmt("NoIam", "Deny", List.of("iam:*"), "*", List.of()))));
    ledgerUser.boundaryDenied.addAll(List.of("iam:CreateAccessKey", "iam:DeleteAccessKey"));
    ledger.extraCredentials.add(ledgerUser.keys.get(0).id());
    org.keySharingUser = ledgerUser;
    org.sharedCredentials.add(
        new Org.SharedCredential(
            ledgerUser.keys.get(0).id(), List.of(ledger), List.of(org.keySharingHuman)));

    Agent infra = newAgent(Platform.MCP_SERVER, Scenario.OWNER_UNKNOWN);
    Principal infraRole =
        iam.role(prod, "infra-helper-task", new Trust("Service", "ecs-tasks.amazonaws.com"));
    Principal admin = iam.adminRole(prod);
    admin.trust.add(new Trust("AWS", infraRole.arn()));
    admin.lastUsedBefore = null;
    infraRole.inline.add(
        Policy.inline(
            "AssumePlatformAdmin",
            List.of(
                Stmt.allow(
                    "BreakGlass",
                    List.of("sts:AssumeRole"),
                    admin.arn(),
                    List.of("sts:AssumeRole")))));
    workload(infra, infraRole, Scenario.NORMAL, true);
    org.adminReach.add(new Org.AdminReach(infra, infraRole, admin));

    Agent triage = newAgent(Platform.LANGGRAPH, Scenario.PROJECT_ENDED);
    Principal etl = iam.workloadRole(last, "etl-worker", 0);
    workload(triage, etl, Scenario.NORMAL, true);

    Agent release = newAgent(Platform.MCP_SERVER, Scenario.NORMAL);
    release.principals.add(etl);
    Principal runner =
        iam.role(last, "release-runner", new Trust("Service", "lambda.amazonaws.com"));
    runner.inline.add(
        Policy.inline(
            "ReleasePassRole",
            List.of(
                Stmt.allow(
                    "PassLambdaRoles",
                    List.of("iam:PassRole"),
                    "arn:aws:iam::" + last.id() + ":role/lambda-*",
                    List.of()))));
    runner.attached.add(
        iam.managed(
            last,
            "ReleaseLambda",
            "/",
            List.of(
                List.of(never("lambda:*")),
                List.of(never("lambda:CreateFunction", "lambda:UpdateFunctionCode")),
                List.of(never("lambda:CreateFunction", "lambda:InvokeFunction")))));
    workload(release, runner, Scenario.NORMAL, false);
    org.escalationPaths.add(
        new Org.EscalationPath(
            runner,
            ESCALATION_METHOD,
            List.of("iam:passrole", "lambda:createfunction", "lambda:invokefunction"),
            List.of("ReleaseLambda", "ReleasePassRole")));
    org.sharedCredentials.add(
        new Org.SharedCredential(etl.arn(), List.of(triage, release), List.of()));
  }

  private static Instant daysBefore(Instant t, int days) {
    return t.minus(days, ChronoUnit.DAYS);
  }

  static LocalDate day(Instant t) {
    return t.atZone(ZoneOffset.UTC).toLocalDate();
  }
}
