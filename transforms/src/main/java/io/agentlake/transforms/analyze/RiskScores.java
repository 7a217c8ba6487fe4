package io.agentlake.transforms.analyze;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_contains;
import static org.apache.spark.sql.functions.array_distinct;
import static org.apache.spark.sql.functions.array_except;
import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.flatten;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.slice;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import io.agentlake.schemas.Tables;
import io.agentlake.schemas.vocabulary.FactReach;
import io.agentlake.schemas.vocabulary.IdPrefix;
import io.agentlake.schemas.vocabulary.PrivilegeLevel;
import io.agentlake.schemas.vocabulary.RiskFactCategory;
import io.agentlake.schemas.vocabulary.RiskFactor;
import io.agentlake.schemas.vocabulary.RiskTier;
import io.agentlake.schemas.vocabulary.UserAgentClass;
import io.agentlake.schemas.vocabulary.Verdict;
import io.agentlake.transforms.Contracts;
import io.agentlake.transforms.Evidence;
import io.agentlake.transforms.Times;
import io.agentlake.transforms.Utc;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * {@code gold.risk_scores}: one explainable 0-100 score per agent. Each factor's raw value (0..1)
 * is computed from the gold findings and silver facts of the run date, weighted by the {@link
 * RiskModel}, and listed with its evidence, zero factors included, so a reviewer can see what was
 * checked as well as what was found. Reach counts: privileges of every principal the agent can act
 * as (gold.agent_reach) are the agent's privileges. Each factor's thresholds are the model's and
 * its arithmetic is {@link RiskFactors}', which the review queue's expected effect shares.
 *
 * <p>The two privilege-breadth factors read {@code gold.principal_risk_facts} (the direct facts of
 * each reached principal; agent_reach supplies the path), so Denies and permission boundaries are
 * already subtracted there and there is one definition of "admin" in the lake: {@code admin_reach}
 * is FULL_ADMIN, {@code permissions_management} is PERMISSIONS_MANAGEMENT (on Resource "*") or any
 * PRIVILEGE_ESCALATION method.
 *
 * <p>Dangerous: a score is read as "safe" when it is low, but a factor can only be as complete as
 * its inputs: no reach means no privileges seen. Conditional facts count (upper bound). The
 * evidence says which principal, facts, policies and path produced each privilege factor.
 */
public final class RiskScores {

  /**
   * Long-term credentials: AWS access keys, OpenAI API keys, and Entra ID client secrets and
   * certificates (of an agent's service principal or its application).
   */
  static final List<String> KEY_KINDS =
      List.of("access_key", "api_key", "client_secret", "certificate");

  /** The most days or source IPs one key's human use lists in the evidence. */
  static final int EVIDENCE_ITEMS = 10;

  private RiskScores() {}

  public static Dataset<Row> compute(
      Dataset<Row> agents,
      Dataset<Row> reach,
      Dataset<Row> riskFacts,
      Dataset<Row> unusedPrivileges,
      Dataset<Row> orphanedAgents,
      Dataset<Row> activity,
      Dataset<Row> principalDaily,
      Dataset<Row> identities,
      RiskModel model,
      LocalDate asOf) {
    Dataset<Row> scored =
        agents.filter(col("created_at").isNull().or(Utc.atOrBefore(col("created_at"), asOf)));
    Dataset<Row> reached =
        reach
            .filter(col(Tables.AS_OF_DATE).equalTo(lit(asOf)))
            .select("agent_id", "principal_id", "hops", "path", "via")
            .cache();
    Dataset<Row> ownFacts =
        riskFacts.filter(
            col(Tables.AS_OF_DATE)
                .equalTo(lit(asOf))
                .and(col("reach").equalTo(FactReach.DIRECT.value())));
    Dataset<Row> credentials = credentialsByAgent(scored, reached);

    Map<RiskFactor, Dataset<Row>> facts = new EnumMap<>(RiskFactor.class);
    facts.put(
        RiskFactor.ADMIN_REACH,
        privilegeFactor(
            ownFacts.filter(col("category").equalTo(RiskFactCategory.FULL_ADMIN.value())),
            reached,
            RiskFactors.ADMIN_PRINCIPALS));
    facts.put(
        RiskFactor.PERMISSIONS_MANAGEMENT,
        privilegeFactor(
            ownFacts.filter(
                col("category")
                    .isin(
                        RiskFactCategory.PERMISSIONS_MANAGEMENT.value(),
                        RiskFactCategory.PRIVILEGE_ESCALATION.value())),
            reached,
            RiskFactors.PERMISSIONS_MANAGEMENT_PRINCIPALS));
    facts.put(RiskFactor.UNUSED_FRACTION, unusedFraction(unusedPrivileges, reached, asOf));
    facts.put(
        RiskFactor.ORPHAN_REASONS,
        orphanReasons(orphanedAgents, model.factor(RiskFactor.ORPHAN_REASONS), asOf));
    facts.put(
        RiskFactor.LONG_LIVED_CREDENTIALS,
        longLivedCredentials(
            credentials, identities, model.factor(RiskFactor.LONG_LIVED_CREDENTIALS), asOf));
    facts.put(
        RiskFactor.EXPIRING_CREDENTIALS,
        expiringCredentials(
            credentials, identities, model.factor(RiskFactor.EXPIRING_CREDENTIALS), asOf));
    facts.put(RiskFactor.SHARED_CREDENTIALS, sharedCredentials(credentials));
    facts.put(
        RiskFactor.DENIED_ATTEMPTS,
        deniedAttempts(activity, reached, model.factor(RiskFactor.DENIED_ATTEMPTS), asOf));
    facts.put(
        RiskFactor.HUMAN_USE_OF_CREDENTIALS,
        humanUseOfCredentials(
            credentials, principalDaily, model.factor(RiskFactor.HUMAN_USE_OF_CREDENTIALS), asOf));
    facts.put(
        RiskFactor.NO_PURPOSE,
        scored.select(
            col("agent_id"),
            when(coalesce(trim(col("purpose")), lit("")).equalTo(""), 1.0).otherwise(0.0).as("raw"),
            Evidence.json(struct(col("purpose"))).as("evidence")));

    Dataset<Row> joined = scored.select("agent_id", "platform", "name");
    List<Column> factorColumns = new ArrayList<>();
    Column total = lit(0.0);
    for (RiskModel.Factor factor : model.factors()) {
      String name = factor.name();
      RiskFactor kind = factor.kind();
      Dataset<Row> fact =
          facts
              .get(kind)
              .select(
                  col("agent_id"),
                  col("raw").cast("double").as(name + "__raw"),
                  col("evidence").as(name + "__evidence"));
      joined = joined.join(fact, "agent_id", "left");
      Column raw = coalesce(col(name + "__raw"), lit(0.0));
      total = total.plus(raw.multiply(factor.weight()));
      factorColumns.add(
          struct(
              lit(name).as("factor"),
              raw.as("raw_value"),
              lit(factor.weight()).as("weight"),
              raw.multiply(factor.weight()).as("contribution"),
              lit(factor.owasp()).as("owasp"),
              coalesce(col(name + "__evidence"), lit(RiskFactors.noneFound(kind, model)))
                  .as("evidence")));
    }

    Column factors = array(factorColumns.toArray(new Column[0]));
    Column score = round(least(lit(100.0), total), 1);
    RiskModel.Tiers tiers = model.tiers();
    Column tier =
        when(col("score").geq(tiers.critical()), RiskTier.CRITICAL.value())
            .when(col("score").geq(tiers.high()), RiskTier.HIGH.value())
            .when(col("score").geq(tiers.medium()), RiskTier.MEDIUM.value())
            .otherwise(RiskTier.LOW.value());

    Dataset<Row> out =
        joined
            .withColumn("factors", factors)
            .withColumn("score", score)
            .select(
                lit(asOf).as(Tables.AS_OF_DATE),
                col("agent_id"),
                col("platform"),
                col("name"),
                col("score"),
                tier.as("tier"),
                lit(model.version()).as("model_version"),
                col("factors"));
    return Contracts.conform(out, Tables.RISK_SCORES);
  }

  /**
   * 1 when a reached principal holds one of the given risk facts; evidence lists each such
   * principal with its facts ({@code CATEGORY:fact}), their policies and the reach path.
   */
  private static Dataset<Row> privilegeFactor(
      Dataset<Row> facts, Dataset<Row> reached, String label) {
    Dataset<Row> byPrincipal =
        facts
            .groupBy("principal_id")
            .agg(
                array_sort(collect_set(concat(col("category"), lit(":"), col("fact")))).as("facts"),
                array_sort(array_distinct(flatten(collect_list(col("policies"))))).as("policies"));
    return reached
        .join(byPrincipal, "principal_id")
        .groupBy("agent_id")
        .agg(
            array_sort(
                    collect_list(
                        struct(
                            col("principal_id"),
                            col("facts"),
                            col("policies"),
                            col("hops"),
                            col("path"),
                            col("via"))))
                .as("principals"))
        .select(
            col("agent_id"),
            lit(1.0).as("raw"),
            Evidence.json(struct(col("principals").as(label))).as("evidence"));
  }

  private static Dataset<Row> unusedFraction(
      Dataset<Row> unusedPrivileges, Dataset<Row> reached, LocalDate asOf) {
    Dataset<Row> judged =
        unusedPrivileges
            .filter(
                col(Tables.AS_OF_DATE)
                    .equalTo(lit(asOf))
                    .and(col("level").equalTo(PrivilegeLevel.GRANT.value()))
                    .and(col("verdict").isin(Verdict.USED.value(), Verdict.UNUSED.value())))
            .select("principal_id", "verdict");
    return reached
        .select("agent_id", "principal_id")
        .join(judged, "principal_id")
        .groupBy("agent_id")
        .agg(
            count(when(col("verdict").equalTo(Verdict.UNUSED.value()), true)).as("unused"),
            count(when(col("verdict").equalTo(Verdict.USED.value()), true)).as("used"),
            array_sort(collect_set("principal_id")).as("principals"))
        .select(
            col("agent_id"),
            RiskFactors.unusedFraction(col("unused"), col("used")).as("raw"),
            Evidence.json(
                    struct(
                        col("unused").as(RiskFactors.UNUSED_GRANTS),
                        col("used").as(RiskFactors.USED_GRANTS),
                        col("principals")))
                .as("evidence"));
  }

  private static Dataset<Row> orphanReasons(
      Dataset<Row> orphanedAgents, RiskModel.Factor factor, LocalDate asOf) {
    int saturation = factor.threshold(RiskFactors.SATURATION);
    return orphanedAgents
        .filter(col(Tables.AS_OF_DATE).equalTo(lit(asOf)))
        .select(
            col("agent_id"),
            RiskFactors.orphanReasons(size(col("reasons")), lit(saturation)).as("raw"),
            Evidence.json(
                    struct(
                        col("reasons").as(RiskFactors.REASONS),
                        lit(saturation).as(RiskFactors.evidenceName(RiskFactors.SATURATION))))
                .as("evidence"));
  }

  /**
   * Agent x credential it uses ({@link AgentCredentials}): hop 1 of its reach, declared ids too.
   */
  private static Dataset<Row> credentialsByAgent(Dataset<Row> agents, Dataset<Row> reached) {
    Dataset<Row> declared =
        agents
            .select(col("agent_id"), explode(col("credential_ids")).as("credential_id"))
            .filter(col("credential_id").isNotNull());
    Dataset<Row> used =
        reached
            .filter(col("hops").equalTo(1))
            .select(col("agent_id"), col("principal_id").as("credential_id"));
    return declared.union(used).distinct().cache();
  }

  private static Dataset<Row> longLivedCredentials(
      Dataset<Row> credentials, Dataset<Row> identities, RiskModel.Factor factor, LocalDate asOf) {
    int olderThanDays = factor.threshold(RiskFactors.OLDER_THAN_DAYS);
    Dataset<Row> oldKeys =
        identities
            .filter(lower(col("kind")).isin(KEY_KINDS.toArray()).and(col("created_at").isNotNull()))
            // A secret or certificate past its end date authenticates nothing: not a risk.
            .withColumn("expires_at", Times.parseIso(col("attributes").getItem("expires_at")))
            .filter(col("expires_at").isNull().or(not(Utc.atOrBefore(col("expires_at"), asOf))))
            .select(
                col("identity_id").as("credential_id"),
                col("kind"),
                col("status"),
                col("created_at"),
                datediff(lit(asOf), Utc.day(col("created_at"))).as("age_days"),
                col("expires_at"))
            .filter(col("age_days").gt(olderThanDays));
    return credentialFactor(
        credentials, oldKeys, RiskFactors.LONG_LIVED_KEYS, factor, RiskFactors.OLDER_THAN_DAYS);
  }

  /**
   * Credentials the agent uses whose export states an end date (Entra ID client secrets and
   * certificates) that is after the run date and at most the model's {@code within-days} days after
   * it: the rotation is due and not yet done, and the agent stops authenticating when it lapses.
   */
  private static Dataset<Row> expiringCredentials(
      Dataset<Row> credentials, Dataset<Row> identities, RiskModel.Factor factor, LocalDate asOf) {
    int withinDays = factor.threshold(RiskFactors.WITHIN_DAYS);
    Dataset<Row> expiring =
        identities
            .withColumn("expires_at", Times.parseIso(col("attributes").getItem("expires_at")))
            .filter(col("expires_at").isNotNull())
            .filter(not(Utc.atOrBefore(col("expires_at"), asOf)))
            .withColumn("days_left", datediff(Utc.day(col("expires_at")), lit(asOf)))
            .filter(col("days_left").leq(withinDays))
            .select(
                col("identity_id").as("credential_id"),
                col("kind"),
                col("display_name").as("hint"),
                col("expires_at"),
                col("days_left"));
    return credentialFactor(
        credentials, expiring, RiskFactors.EXPIRING_CREDENTIALS, factor, RiskFactors.WITHIN_DAYS);
  }

  /**
   * One credential factor: each agent's qualifying credentials (every column of {@code qualifying},
   * keyed by credential_id first), sorted, as the evidence list {@code listName}, with the factor's
   * threshold that made them qualify.
   */
  private static Dataset<Row> credentialFactor(
      Dataset<Row> credentials,
      Dataset<Row> qualifying,
      String listName,
      RiskModel.Factor factor,
      String threshold) {
    Column[] fields =
        Arrays.stream(qualifying.columns())
            .map(org.apache.spark.sql.functions::col)
            .toArray(Column[]::new);
    return credentials
        .join(broadcast(qualifying), "credential_id")
        .groupBy("agent_id")
        .agg(array_sort(collect_list(struct(fields))).as("found"))
        .select(
            col("agent_id"),
            lit(1.0).as("raw"),
            Evidence.json(
                    struct(
                        col("found").as(listName),
                        lit(factor.threshold(threshold)).as(RiskFactors.evidenceName(threshold))))
                .as("evidence"));
  }

  private static Dataset<Row> sharedCredentials(Dataset<Row> credentials) {
    Dataset<Row> users =
        credentials
            .groupBy("credential_id")
            .agg(array_sort(collect_set("agent_id")).as("agents"))
            .filter(size(col("agents")).gt(1));
    return credentials
        .join(users, "credential_id")
        .groupBy("agent_id")
        .agg(
            array_sort(
                    collect_list(
                        struct(
                            col("credential_id"),
                            array_except(col("agents"), array(col("agent_id")))
                                .as("other_agents"))))
                .as("shared"))
        .select(
            col("agent_id"),
            lit(1.0).as("raw"),
            Evidence.json(struct(col("shared").as(RiskFactors.SHARED))).as("evidence"));
  }

  private static Dataset<Row> deniedAttempts(
      Dataset<Row> activity, Dataset<Row> reached, RiskModel.Factor factor, LocalDate asOf) {
    int days = factor.threshold(RiskFactors.DAYS);
    int saturation = factor.threshold(RiskFactors.SATURATION);
    LocalDate from = asOf.minusDays(days - 1L);
    Dataset<Row> denied =
        activity
            .filter(col("day").between(lit(from), lit(asOf)).and(col("denied_count").gt(0)))
            .groupBy("principal_id")
            .agg(sum("denied_count").as("denied"));
    return reached
        .select("agent_id", "principal_id")
        .join(denied, "principal_id")
        .groupBy("agent_id")
        .agg(
            sum("denied").as("total"),
            array_sort(collect_list(struct(col("principal_id"), col("denied")))).as("by_principal"))
        .select(
            col("agent_id"),
            RiskFactors.deniedAttempts(col("total"), lit(saturation)).as("raw"),
            Evidence.json(
                    struct(
                        col("total").as(RiskFactors.DENIED_ATTEMPTS),
                        lit(days).as(RiskFactors.evidenceName(RiskFactors.DAYS)),
                        lit(saturation).as(RiskFactors.evidenceName(RiskFactors.SATURATION)),
                        lit(from).as("since"),
                        col("by_principal")))
                .as("evidence"));
  }

  /**
   * OWASP NHI10, human use of a non-human identity: a long-term AWS access key the agent uses
   * (silver.principal_daily keeps them per key and day, with where the calls came from) was used,
   * in the model's {@code days} ending at the run date, from the console or a browser, or with the
   * AWS CLI from a source IP that none of the key's non-interactive calls (an SDK or another user
   * agent) came from in that window. The agent's own automation from its own addresses never
   * qualifies, nor does the CLI from one of those addresses (an operator's script on the agent's
   * host is the agent). Evidence per key: the days, the signals, the source IPs, a sample event and
   * user agent of that use.
   *
   * <p>Dangerous: a key whose window has a day with more clients than principal_daily keeps ({@link
   * Tables#MAX_CLIENTS}) has an incomplete list of automation addresses, so the CLI signal is not
   * judged for it (console and browser still are); a key only ever used with the CLI has no
   * automation address to compare with and is not judged by the CLI signal either.
   */
  private static Dataset<Row> humanUseOfCredentials(
      Dataset<Row> credentials,
      Dataset<Row> principalDaily,
      RiskModel.Factor factor,
      LocalDate asOf) {
    int days = factor.threshold(RiskFactors.DAYS);
    LocalDate from = asOf.minusDays(days - 1L);
    Dataset<Row> uses =
        principalDaily
            .filter(col("access_key_id").isNotNull().and(col("day").between(lit(from), lit(asOf))))
            .select(
                IdPrefix.AWS_ACCESS_KEY.of(col("access_key_id")).as("credential_id"),
                col("day"),
                col("client_count"),
                explode(col("clients")).as("c"))
            .select(
                col("credential_id"),
                col("day"),
                col("client_count"),
                col("c.source_ip").as("source_ip"),
                col("c.user_agent_class").as("user_agent_class"),
                col("c.user_agent").as("user_agent"),
                col("c.sample_event_id").as("sample_event_id"))
            .join(broadcast(credentials.select("credential_id").distinct()), "credential_id");
    Column automation =
        col("user_agent_class").isin(UserAgentClass.SDK.value(), UserAgentClass.OTHER.value());
    Dataset<Row> baseline =
        uses.groupBy("credential_id")
            .agg(
                collect_set(when(automation, col("source_ip"))).as("automation_ips"),
                functions.max(col("client_count")).as("most_clients"));
    Column complete =
        size(col("automation_ips")).gt(0).and(col("most_clients").leq(Tables.MAX_CLIENTS));
    Column signal =
        when(
                col("user_agent_class").equalTo(UserAgentClass.CONSOLE.value()),
                RiskFactors.SIGNAL_CONSOLE)
            .when(
                col("user_agent_class").equalTo(UserAgentClass.BROWSER.value()),
                RiskFactors.SIGNAL_BROWSER)
            .when(
                col("user_agent_class")
                    .equalTo(UserAgentClass.CLI.value())
                    .and(complete)
                    .and(col("source_ip").isNotNull())
                    .and(not(array_contains(col("automation_ips"), col("source_ip")))),
                RiskFactors.SIGNAL_CLI_FROM_NEW_IP);
    Dataset<Row> human =
        uses.join(baseline, "credential_id")
            .withColumn("signal", signal)
            .filter(col("signal").isNotNull())
            .groupBy("credential_id")
            .agg(
                slice(array_sort(collect_set("day")), 1, EVIDENCE_ITEMS).as("days"),
                array_sort(collect_set("signal")).as("signals"),
                slice(array_sort(collect_set("source_ip")), 1, EVIDENCE_ITEMS).as("source_ips"),
                functions.min("sample_event_id").as("sample_event_id"),
                functions.min("user_agent").as("sample_user_agent"));
    return credentials
        .join(human, "credential_id")
        .groupBy("agent_id")
        .agg(
            array_sort(
                    collect_list(
                        struct(
                            col("credential_id"),
                            col("days"),
                            col("signals"),
                            col("source_ips"),
                            col("sample_event_id"),
                            col("sample_user_agent"))))
                .as("found"))
        .select(
            col("agent_id"),
            lit(1.0).as("raw"),
            Evidence.json(
                    struct(
                        col("found").as(RiskFactors.HUMAN_USE),
                        lit(days).as(RiskFactors.evidenceName(RiskFactors.DAYS)),
                        lit(from).as("since")))
                .as("evidence"));
  }
}
