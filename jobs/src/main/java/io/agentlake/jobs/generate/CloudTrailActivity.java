package io.agentlake.jobs.generate;

import io.agentlake.jobs.generate.Org.Granted;
import io.agentlake.jobs.generate.Org.Kind;
import io.agentlake.jobs.generate.Org.Principal;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Decides which API calls happen on a day, slot by slot (account x region x two-hour window), so
 * the writer holds one slot's events at a time. Per day: every call of every active principal once
 * (so used grants are used every day), the assume-role chain into the admin role, the human use of
 * an agent's key, AccessDenied attempts, then random extra volume up to {@code eventsPerDay}.
 */
final class CloudTrailActivity {
  static final int SLOTS_PER_DAY = 12;
  static final int SLOT_SECONDS = 86_400 / SLOTS_PER_DAY;

  /**
   * One API call. {@code session == null} for IAM users; {@code error}: null, IDENTITY, BOUNDARY.
   */
  record Ev(
      long epochSecond,
      int seq,
      Principal principal,
      String session,
      String accessKeyId,
      String userAgent,
      String sourceIp,
      String action,
      String resource,
      String error) {}

  private record PoolEntry(Principal principal, String action, String resource) {}

  private final Org org;
  private final long seed;

  /** Extra-volume candidates by slot group key ("accountIndex|region"), in sorted key order. */
  private final TreeMap<String, List<PoolEntry>> pool = new TreeMap<>();

  private final List<String> groupKeys;
  private final String humanIp;

  CloudTrailActivity(Org org) {
    this.org = org;
    this.seed = org.options.seed();
    for (Principal p : org.principals) {
      if (!p.active) {
        continue;
      }
      for (Granted g : p.statements()) {
        for (String call : g.stmt().calls()) {
          if (!call.equals("sts:AssumeRole")) {
            pool.computeIfAbsent(groupKey(p, call), k -> new ArrayList<>())
                .add(new PoolEntry(p, call, g.stmt().resource()));
          }
        }
      }
    }
    this.groupKeys = new ArrayList<>(pool.keySet());
    this.humanIp = Rng.of(seed, "human-ip").ip();
  }

  static String region(Principal p, String action) {
    return action.startsWith("iam:") ? "us-east-1" : p.region;
  }

  private static String groupKey(Principal p, String action) {
    return p.account.index() + "|" + region(p, action);
  }

  private long dayStart(int day) {
    return org.start().plusDays(day).atStartOfDay(ZoneOffset.UTC).toEpochSecond();
  }

  /** The day's events by slot key "accountIndex|region|slot", each slot sorted by time. */
  Map<String, List<Ev>> day(int day) {
    List<Ev> mandatory = mandatory(day);
    TreeMap<String, List<Ev>> slots = new TreeMap<>();
    for (Ev ev : mandatory) {
      slots.computeIfAbsent(slotKey(ev), k -> new ArrayList<>()).add(ev);
    }
    int extras = Math.max(0, org.options.eventsPerDay() - mandatory.size());
    if (extras > 0 && !groupKeys.isEmpty()) {
      addExtras(day, extras, slots, mandatory.size());
    }
    slots
        .values()
        .forEach(
            list ->
                list.sort(
                    (a, b) ->
                        a.epochSecond() != b.epochSecond()
                            ? Long.compare(a.epochSecond(), b.epochSecond())
                            : Integer.compare(a.seq(), b.seq())));
    return slots;
  }

  private String slotKey(Ev ev) {
    int slot = (int) ((ev.epochSecond() % 86_400) / SLOT_SECONDS);
    return groupKey(ev.principal(), ev.action()) + "|" + String.format("%02d", slot);
  }

  private List<Ev> mandatory(int day) {
    Rng r = Rng.of(seed, "cloudtrail-day", day);
    long t0 = dayStart(day);
    List<Ev> out = new ArrayList<>();
    for (Principal p : org.principals) {
      if (!p.active) {
        continue;
      }
      for (Granted g : p.statements()) {
        for (String call : g.stmt().calls()) {
          long t = t0 + r.between(0, 82_800);
          out.add(as(p, day, t, out.size(), call, g.stmt().resource(), null));
          if (call.equals("sts:AssumeRole")) {
            Principal admin = byArn(g.stmt().resource());
            String session = p.sessionName;
            out.add(session(admin, session, day, t + 20, out.size(), "iam:ListRoles"));
            out.add(session(admin, session, day, t + 45, out.size(), "ec2:DescribeInstances"));
          }
        }
      }
      if (p == org.keySharingUser && day % 7 == 0) {
        String call = p.dailyCalls().get(0);
        for (int i = 0; i < 2; i++) {
          long t = t0 + r.between(32_400, 64_800);
          out.add(
              new Ev(
                  t,
                  out.size(),
                  p,
                  null,
                  p.keys.get(0).id(),
                  "aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/macos#23.5.0 md/arch#arm64"
                      + " lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard"
                      + " md/installer#source md/prompt#off md/command#ssm.get-parameter",
                  humanIp,
                  call,
                  "*",
                  null));
        }
      }
      if (!p.boundaryDenied.isEmpty() && day % 5 == 0) {
        out.add(
            as(
                p,
                day,
                t0 + r.between(0, 86_399),
                out.size(),
                p.boundaryDenied.get(0),
                "*",
                "BOUNDARY"));
      }
    }
    for (Org.Account account : org.accounts) {
      List<Principal> candidates =
          org.principals.stream()
              .filter(p -> p.active && p.account == account && p.human == null && !p.admin)
              .toList();
      if (!candidates.isEmpty()) {
        Principal p = r.pick(candidates);
        out.add(
            as(p, day, t0 + r.between(0, 86_399), out.size(), deniedAction(p, r), "*", "IDENTITY"));
      }
    }
    return out;
  }

  private void addExtras(int day, int extras, TreeMap<String, List<Ev>> slots, int seqBase) {
    Rng r = Rng.of(seed, "cloudtrail-extra-counts", day);
    int[] weights = new int[groupKeys.size()];
    int total = 0;
    for (int i = 0; i < weights.length; i++) {
      total += pool.get(groupKeys.get(i)).size();
      weights[i] = total;
    }
    int[][] counts = new int[groupKeys.size()][SLOTS_PER_DAY];
    for (int k = 0; k < extras; k++) {
      int x = r.nextInt(total);
      int g = 0;
      while (weights[g] <= x) {
        g++;
      }
      counts[g][r.nextInt(SLOTS_PER_DAY)]++;
    }
    long t0 = dayStart(day);
    int seq = seqBase;
    for (int g = 0; g < groupKeys.size(); g++) {
      List<PoolEntry> entries = pool.get(groupKeys.get(g));
      for (int s = 0; s < SLOTS_PER_DAY; s++) {
        if (counts[g][s] == 0) {
          continue;
        }
        Rng sr = Rng.of(seed, "cloudtrail-extra", day, g, s);
        String key = groupKeys.get(g) + "|" + String.format("%02d", s);
        List<Ev> list = slots.computeIfAbsent(key, k -> new ArrayList<>());
        for (int i = 0; i < counts[g][s]; i++) {
          PoolEntry e = sr.pick(entries);
          long t = t0 + (long) s * SLOT_SECONDS + sr.nextInt(SLOT_SECONDS);
          boolean denied = e.principal().human == null && sr.chance(0.015);
          list.add(
              denied
                  ? as(
                      e.principal(),
                      day,
                      t,
                      seq++,
                      deniedAction(e.principal(), sr),
                      "*",
                      "IDENTITY")
                  : as(e.principal(), day, t, seq++, e.action(), e.resource(), null));
        }
      }
    }
  }

  /** An action none of the principal's Allow statements matches. */
  private static String deniedAction(Principal p, Rng r) {
    List<String> options =
        Calls.DENY_POOL.stream()
            .filter(
                a ->
                    p.statements().stream()
                        .noneMatch(
                            g -> g.stmt().actions().stream().anyMatch(x -> Calls.matches(x, a))))
            .filter(a -> !a.startsWith("iam:"))
            .toList();
    return r.pick(options);
  }

  private Principal byArn(String arn) {
    return org.principals.stream().filter(p -> p.arn().equals(arn)).findFirst().orElseThrow();
  }

  private Ev as(
      Principal p, int day, long t, int seq, String action, String resource, String error) {
    String session = p.kind == Kind.ROLE ? p.sessionName : null;
    return new Ev(
        t,
        seq,
        p,
        session,
        accessKey(p, session, day),
        p.userAgent,
        p.sourceIp,
        action,
        resource,
        error);
  }

  private Ev session(Principal role, String session, int day, long t, int seq, String action) {
    return new Ev(
        t,
        seq,
        role,
        session,
        accessKey(role, session, day),
        "aws-cli/2.17.20",
        humanIp,
        action,
        "*",
        null);
  }

  private String accessKey(Principal p, String session, int day) {
    if (session == null) {
      return p.keys.get(0).id();
    }
    return "ASIA" + Rng.of(seed, "session-key", p.arn(), session, day).upper(16);
  }
}
