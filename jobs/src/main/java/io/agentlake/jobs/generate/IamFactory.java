package io.agentlake.jobs.generate;

import io.agentlake.jobs.generate.Org.AccessKey;
import io.agentlake.jobs.generate.Org.Account;
import io.agentlake.jobs.generate.Org.Kind;
import io.agentlake.jobs.generate.Org.Policy;
import io.agentlake.jobs.generate.Org.Principal;
import io.agentlake.jobs.generate.Org.Stmt;
import io.agentlake.jobs.generate.Org.Trust;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The generated organisation's IAM principals and policies: users, roles and their access keys,
 * customer managed policies (one object per ARN, however often a scenario asks for it) and the AWS
 * managed AdministratorAccess policy. Its draws come from the organisation's one stream ({@link
 * OrgBuilder}), in the order the builder asks for them, so the same options build the same IAM.
 */
final class IamFactory {

  private final Org org;
  private final Rng rng;
  private final Instant start;
  private final Map<String, Policy> managedByArn = new LinkedHashMap<>();
  private Policy adminPolicy;

  IamFactory(Org org, Rng rng, Instant start) {
    this.org = org;
    this.rng = rng;
    this.start = start;
  }

  Principal principal(Account account, Kind kind, String name, Instant created) {
    Principal p = new Principal();
    p.account = account;
    p.kind = kind;
    p.name = name;
    p.id = (kind == Kind.ROLE ? "AROA" : "AIDA") + rng.upper(17);
    p.created = created;
    p.region = account.homeRegion();
    p.sourceIp = rng.ip();
    p.userAgent =
        rng.pick(
            List.of(
                "Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/linux#5.10.226 md/arch#x86_64"
                    + " lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.36",
                "aws-sdk-java/2.28.16 Linux/5.10.225 OpenJDK_64-Bit_Server_VM/17.0.12+7-LTS"
                    + " Java/17.0.12 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy",
                "aws-sdk-js/3.675.0 ua/2.1 os/linux#5.10.227 lang/js md/nodejs#20.17.0"
                    + " api/secrets-manager#3.675.0 m/N,E"));
    p.sessionName = name;
    org.principals.add(p);
    return p;
  }

  Principal role(Account account, String name, Trust trust) {
    Principal p = principal(account, Kind.ROLE, name, oldDate());
    p.trust.add(trust);
    return p;
  }

  Principal user(Account account, String name, boolean withKey) {
    Principal p = principal(account, Kind.USER, name, oldDate());
    if (withKey) {
      p.keys.add(
          new AccessKey("AKIA" + rng.upper(16), p.created.plus(1, ChronoUnit.DAYS), true, null));
    }
    return p;
  }

  /** Older than 60 days before the start, so its grants can be judged unused. */
  Instant oldDate() {
    return start.minus(rng.between(120, 900), ChronoUnit.DAYS).plusSeconds(rng.between(0, 86_399));
  }

  Policy managed(Account account, String name, String path, List<List<Stmt>> versions) {
    String arn = "arn:aws:iam::" + account.id() + ":policy" + path + name;
    return managedByArn.computeIfAbsent(
        arn,
        a ->
            new Policy(
                name, a, "ANPA" + rng.upper(17), path, oldDate(), versions, versions.size() - 1));
  }

  Policy adminPolicy() {
    if (adminPolicy == null) {
      adminPolicy =
          new Policy(
              "AdministratorAccess",
              OrgBuilder.ADMIN_POLICY_ARN,
              "ANPAIWMBCKSKIEE64ZLYK",
              "/",
              Instant.parse("2015-02-06T18:39:46Z"),
              List.of(List.of(Stmt.allow(null, List.of("*"), "*", List.of()))),
              0);
    }
    return adminPolicy;
  }

  static Stmt uses(String action) {
    return Stmt.allow(null, List.of(action), "*", List.of(action));
  }

  static Stmt never(String... actions) {
    return Stmt.allow(null, List.of(actions), "*", List.of());
  }

  Principal adminRole(Account a) {
    return org.principals.stream().filter(p -> p.admin && p.account == a).findFirst().orElseThrow();
  }

  Principal workloadRole(Account account, String name, int i) {
    Trust trust =
        i % 2 == 0
            ? new Trust("Service", "ecs-tasks.amazonaws.com")
            : new Trust("Service", "lambda.amazonaws.com");
    return role(account, name, trust);
  }

  static List<String> withServiceWildcards(List<String> actions) {
    return actions.stream().map(a -> OrgBuilder.service(a) + ":*").distinct().toList();
  }
}
