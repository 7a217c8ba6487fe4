package io.agentlake.transforms.correlate;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_distinct;
import static org.apache.spark.sql.functions.array_union;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.posexplode;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.transform;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.upper;
import static org.apache.spark.sql.functions.when;

import io.agentlake.schemas.Tables;
import io.agentlake.schemas.vocabulary.IdPrefix;
import io.agentlake.schemas.vocabulary.OwnerMatch;
import io.agentlake.transforms.Contracts;
import io.agentlake.transforms.Times;
import io.agentlake.transforms.sources.SilverInputs;
import io.agentlake.transforms.sources.SourceSilver;
import io.agentlake.transforms.sources.Sources;
import io.agentlake.transforms.sources.manifest.AgentManifest;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * {@code silver.agents} (SPEC 6.1): every agent merged from its platform record and the manifest,
 * its id {@code bedrock:<agentId>}, {@code openai:<service account id>} or {@code
 * <platform>:<manifest agent_id>}, with its owner resolved against the identity providers' people.
 *
 * <p>Dangerous: owner matching is by normalised email, login / UPN or IdP object id; an owner that
 * matches two people of one IdP is AMBIGUOUS, and the same person in two IdPs that disagree on
 * whether they are gone is CONFLICTING: both are left unresolved, never guessed.
 */
public final class Agents {

  private Agents() {}

  /**
   * {@code silver.agents}: every registered source's agents ({@link SourceSilver#agents}: Bedrock
   * agents, OpenAI service accounts, Entra agent identities) and the manifest's, merged on
   * (platform, native id) so a manifest row adds owner and purpose to the platform's record. A
   * manifest agent missing from an exported platform is DELETED there; one whose platform was not
   * exported keeps no platform status.
   */
  public static Dataset<Row> agents(SilverInputs in, Dataset<Row> identities) {
    Dataset<Row> manifest =
        in.latest(AgentManifest.AGENT.recordType(), "platform", "agent_id")
            .select(
                lower(trim(col("platform"))).as("platform"),
                trim(col("agent_id")).as("native_id"),
                col("name").as("m_name"),
                col("purpose").as("m_purpose"),
                when(trim(col("owner")).equalTo(""), lit(null))
                    .otherwise(trim(col("owner")))
                    .as("owner_ref"),
                col("backup_owners").as("backup_owner_refs"),
                col("project").as("project"),
                Times.parseDate(col("end_date")).as("end_date"),
                transform(
                        coalesce(col("credentials"), expr("cast(array() as array<string>)")),
                        Agents::credentialId)
                    .as("m_credentials"),
                lit(true).as("in_manifest"));

    Dataset<Row> platform = null;
    Dataset<Row> exported = null;
    for (Sources.Source source : Sources.sources()) {
      Optional<SourceSilver.AgentRecords> records =
          source.silver().agents(in, manifest.select("platform", "native_id"));
      if (records.isEmpty()) {
        continue;
      }
      Column name = lit(records.get().platform());
      Dataset<Row> rows =
          records
              .get()
              .agents()
              .select(
                  name.as("platform"),
                  col("native_id"),
                  col("p_name"),
                  col("p_purpose"),
                  col("p_status"),
                  col("p_deleted_at"),
                  col("p_created_at"),
                  col("p_credentials"),
                  col("p_owner_refs"),
                  lit(true).as("on_platform"));
      Dataset<Row> flag =
          records
              .get()
              .inventory()
              .agg(count(lit(1)).gt(0).as("platform_exported"))
              .select(name.as("platform"), col("platform_exported"));
      platform = platform == null ? rows : platform.unionByName(rows);
      exported = exported == null ? flag : exported.unionByName(flag);
    }

    Dataset<Row> merged =
        platform
            .join(manifest, new String[] {"platform", "native_id"}, "full_outer")
            .join(exported, new String[] {"platform"}, "left")
            .withColumn("owner_ref", coalesce(col("owner_ref"), element_at(col("p_owner_refs"), 1)))
            .withColumn(
                "backup_owner_refs",
                coalesce(
                    col("backup_owner_refs"),
                    when(
                        size(col("p_owner_refs")).gt(1),
                        expr("slice(p_owner_refs, 2, size(p_owner_refs) - 1)"))))
            .withColumn("agent_id", concat(col("platform"), lit(":"), col("native_id")))
            .withColumn("name", coalesce(col("m_name"), col("p_name")))
            .withColumn("purpose", coalesce(nonBlank(col("m_purpose")), nonBlank(col("p_purpose"))))
            .withColumn(
                "platform_status",
                when(col("on_platform").isNull().and(col("platform_exported")), lit("DELETED"))
                    .otherwise(col("p_status")))
            .withColumn("platform_deleted_at", col("p_deleted_at"))
            .withColumn("created_at", col("p_created_at"))
            .withColumn(
                "credential_ids",
                sort_array(
                    array_distinct(
                        array_union(
                            coalesce(col("p_credentials"), expr("cast(array() as array<string>)")),
                            coalesce(
                                col("m_credentials"), expr("cast(array() as array<string>)"))))))
            .withColumn(
                "sources",
                expr(
                    "filter(array(case when on_platform then platform end,"
                        + " case when in_manifest then 'agent-manifest' end), x -> x is not null)"));

    Dataset<Row> owners = ownerIndex(identities);
    Dataset<Row> withOwner =
        merged
            .join(owners, lower(col("owner_ref")).equalTo(owners.col("match_key")), "left")
            .withColumn(
                "owner_match",
                when(col("owner_ref").isNull(), lit(OwnerMatch.NONE.value()))
                    .when(col("candidates").isNull(), lit(OwnerMatch.UNKNOWN.value()))
                    .otherwise(col("resolution")))
            .withColumn(
                "owner_identity_id",
                when(
                    col("owner_match").equalTo(OwnerMatch.MATCHED.value()),
                    element_at(col("candidates"), 1)))
            .withColumn(
                "owner_candidate_ids",
                when(
                    col("owner_match")
                        .isin(OwnerMatch.AMBIGUOUS.value(), OwnerMatch.CONFLICTING.value()),
                    col("candidates")));

    Dataset<Row> backups =
        withOwner
            .select(
                col("agent_id"),
                posexplode(col("backup_owner_refs")).as(new String[] {"pos", "ref"}))
            .join(owners, lower(trim(col("ref"))).equalTo(owners.col("match_key")))
            .filter(col("resolution").equalTo(OwnerMatch.MATCHED.value()))
            .groupBy("agent_id")
            .agg(
                expr("transform(sort_array(collect_list(struct(pos, candidates[0] as id))), x -> x.id)")
                    .as("backup_owner_identity_ids"));
    Dataset<Row> result = withOwner.join(backups, "agent_id", "left");
    return Contracts.conform(result, Tables.AGENTS);
  }

  /**
   * Every owner reference a person answers to (email, login, IdP object id, the address a guest was
   * invited as; lower case), with how a reference resolves: one person in one IdP, or the same
   * person in two IdPs that agree on whether they are gone, is MATCHED (to the first IdP's person,
   * see {@link Identities#IDENTITY_PROVIDERS}); two people in one IdP is AMBIGUOUS; two IdPs that
   * disagree is CONFLICTING.
   */
  private static Dataset<Row> ownerIndex(Dataset<Row> identities) {
    Dataset<Row> humans =
        identities.filter(
            col("kind")
                .equalTo("human")
                .and(col("source").isin(Identities.IDENTITY_PROVIDERS.toArray())));
    Column gone =
        coalesce(upper(col("status")).isin(Identities.GONE_STATUSES.toArray()), lit(false));
    Dataset<Row> keys =
        humans
            .select(
                col("identity_id"),
                col("source"),
                gone.as("gone"),
                explode(
                        array(
                            lower(trim(col("attributes").getItem("email"))),
                            lower(trim(col("attributes").getItem("login"))),
                            lower(trim(col("attributes").getItem("invited_as"))),
                            lower(col("native_id"))))
                    .as("match_key"))
            .filter(col("match_key").isNotNull().and(col("match_key").notEqual("")))
            .distinct();
    Column rank = lit(Identities.IDENTITY_PROVIDERS.size());
    for (int i = Identities.IDENTITY_PROVIDERS.size() - 1; i >= 0; i--) {
      rank =
          when(col("source").equalTo(Identities.IDENTITY_PROVIDERS.get(i)), lit(i)).otherwise(rank);
    }
    Dataset<Row> perSource =
        keys.groupBy("match_key", "source")
            .agg(
                sort_array(collect_set("identity_id")).as("ids"),
                max(col("gone").cast("int")).as("gone"))
            .withColumn("rank", rank);
    return perSource
        .groupBy("match_key")
        .agg(
            expr("flatten(transform(sort_array(collect_list(struct(rank, ids))), x -> x.ids))")
                .as("candidates"),
            max(size(col("ids"))).as("most_in_one_source"),
            countDistinct(col("gone")).as("gone_states"))
        .withColumn(
            "resolution",
            when(col("most_in_one_source").gt(1), lit(OwnerMatch.AMBIGUOUS.value()))
                .when(col("gone_states").gt(1), lit(OwnerMatch.CONFLICTING.value()))
                .otherwise(lit(OwnerMatch.MATCHED.value())))
        .drop("most_in_one_source", "gone_states");
  }

  /** Maps a manifest credential to the identity id it names. */
  static Column credentialId(Column c) {
    Column v = trim(c);
    return when(v.startsWith("arn:aws:"), IdPrefix.AWS.of(v))
        .when(v.rlike("^(AKIA|ASIA)[A-Z0-9]{12,}$"), IdPrefix.AWS_ACCESS_KEY.of(v))
        .when(v.startsWith("key_"), IdPrefix.OPENAI_API_KEY.of(v))
        .when(
            v.startsWith("svc_acct_").or(v.startsWith("user-svc")),
            IdPrefix.OPENAI_SERVICE_ACCOUNT.of(v))
        .when(v.rlike("^00u[A-Za-z0-9]+$"), IdPrefix.OKTA_USER.of(v))
        .when(v.rlike("^0oa[A-Za-z0-9]+$"), IdPrefix.OKTA_APP.of(v))
        .when(v.contains("@"), concat(lit("gcp:service_account:"), lower(v)))
        .otherwise(IdPrefix.UNKNOWN.of(v));
  }

  private static Column nonBlank(Column c) {
    return when(trim(c).equalTo(""), lit(null)).otherwise(c);
  }
}
