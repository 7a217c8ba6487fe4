package io.agentlake.transforms.correlate;

import static io.agentlake.transforms.correlate.Entitlements.parseIso;
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
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.posexplode;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.timestamp_seconds;
import static org.apache.spark.sql.functions.transform;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.upper;
import static org.apache.spark.sql.functions.when;

import io.agentlake.schemas.Tables;
import io.agentlake.schemas.vocabulary.IdPrefix;
import io.agentlake.schemas.vocabulary.OwnerMatch;
import io.agentlake.transforms.Contracts;
import io.agentlake.transforms.Times;
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
   * {@code silver.agents}: Bedrock agents, OpenAI service accounts and manifest agents, merged on
   * (platform, native id) so a manifest row adds owner and purpose to the platform's record.
   */
  public static Dataset<Row> agents(Inventory inv, Dataset<Row> identities) {
    Dataset<Row> bedrock =
        inv.bedrockAgents()
            .groupBy("agentId")
            .agg(
                first("agentName", true).as("p_name"),
                first("description", true).as("p_purpose"),
                first("agentStatus", true).as("p_status"),
                first("createdAt", true).as("p_created"),
                first("agentResourceRoleArn", true).as("role_arn"))
            .select(
                lit("bedrock").as("platform"),
                col("agentId").as("native_id"),
                col("p_name"),
                col("p_purpose"),
                col("p_status"),
                lit(null).cast("timestamp").as("p_deleted_at"),
                parseIso(col("p_created")).as("p_created_at"),
                when(col("role_arn").isNotNull(), array(IdPrefix.AWS.of(col("role_arn"))))
                    .otherwise(expr("cast(array() as array<string>)"))
                    .as("p_credentials"),
                lit(null).cast("array<string>").as("p_owner_refs"),
                lit(true).as("on_platform"));
    Dataset<Row> projects = Identities.projectStatus(inv);
    Dataset<Row> keysBySa =
        inv.openaiApiKeys()
            .filter(col("owner.type").equalTo("service_account"))
            .groupBy(col("owner.service_account.id").as("sa_id"))
            .agg(sort_array(collect_set(IdPrefix.OPENAI_API_KEY.of(col("id")))).as("sa_keys"));
    Dataset<Row> openai =
        inv.openaiServiceAccounts()
            .withColumn("project_id", col("_context").getItem("project_id"))
            .join(projects, "project_id", "left")
            .join(keysBySa, col("id").equalTo(col("sa_id")), "left")
            .select(
                lit("openai").as("platform"),
                col("id").as("native_id"),
                col("name").as("p_name"),
                lit(null).cast("string").as("p_purpose"),
                col("project_status").as("p_status"),
                col("project_archived_at").as("p_deleted_at"),
                timestamp_seconds(col("created_at")).as("p_created_at"),
                coalesce(col("sa_keys"), expr("cast(array() as array<string>)"))
                    .as("p_credentials"),
                lit(null).cast("array<string>").as("p_owner_refs"),
                lit(true).as("on_platform"));

    Dataset<Row> manifest =
        inv.manifest()
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

    Dataset<Row> platform = bedrock.unionByName(openai).unionByName(entraAgents(inv, manifest));
    Dataset<Row> entraExported =
        inv.entraServicePrincipals().agg(count(lit(1)).gt(0).as("entra_exported"));

    Dataset<Row> merged =
        platform
            .join(manifest, new String[] {"platform", "native_id"}, "full_outer")
            .crossJoin(entraExported)
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
                when(
                        col("on_platform")
                            .isNull()
                            .and(
                                col("platform")
                                    .isin("bedrock", "openai")
                                    .or(
                                        col("platform")
                                            .equalTo("entra")
                                            .and(col("entra_exported")))),
                        lit("DELETED"))
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
   * Entra agents: every agent identity, and any other service principal (a Copilot Studio or
   * Foundry agent's, a managed identity an agent runs as) a manifest row names with platform {@code
   * entra} and the service principal's object id. Their credentials are the service principal
   * itself, its own secrets and certificates, and those of its application (an agent identity's
   * blueprint); their owners are its sponsors, then its owners, expanded in the export ({@code
   * $expand=sponsors}) or listed under {@code servicePrincipals/<id>/sponsors}.
   */
  private static Dataset<Row> entraAgents(Inventory inv, Dataset<Row> manifest) {
    Dataset<Row> named =
        manifest
            .filter(col("platform").equalTo("entra"))
            .select(col("native_id").as("named_id"))
            .distinct();
    Dataset<Row> credentials = Identities.entraCredentials(inv);
    Dataset<Row> byApp =
        credentials
            .filter(col("owner_app_id").isNotNull())
            .groupBy(col("owner_app_id").as("cred_app"))
            .agg(collect_set(IdPrefix.ENTRA_CREDENTIAL.of(col("key_id"))).as("app_credentials"));
    Dataset<Row> bySp =
        credentials
            .filter(col("owner_sp_id").isNotNull())
            .groupBy(col("owner_sp_id").as("cred_sp"))
            .agg(collect_set(IdPrefix.ENTRA_CREDENTIAL.of(col("key_id"))).as("sp_credentials"));
    Dataset<Row> sps = inv.entraServicePrincipals();
    Dataset<Row> refs =
        sps.select(col("id").as("parent"), lit(0).as("rank"), explode(col("sponsors.id")).as("ref"))
            .unionByName(
                sps.select(
                    col("id").as("parent"), lit(1).as("rank"), explode(col("owners.id")).as("ref")))
            .unionByName(
                inv.entraRelationships()
                    .filter(col("relation").isin("sponsors", "owners"))
                    .select(
                        col("parentId").as("parent"),
                        when(col("relation").equalTo("sponsors"), lit(0))
                            .otherwise(lit(1))
                            .as("rank"),
                        col("id").as("ref")))
            .filter(col("ref").isNotNull())
            .groupBy(lower(col("parent")).as("ref_parent"))
            .agg(
                expr("array_distinct(transform(sort_array(collect_set(struct(rank, ref))), x -> x.ref))")
                    .as("p_owner_refs"));
    Column none = expr("cast(array() as array<string>)");
    return sps.join(named, col("id").equalTo(col("named_id")), "left")
        .filter(Identities.isAgentIdentity().or(col("named_id").isNotNull()))
        .join(bySp, col("id").equalTo(col("cred_sp")), "left")
        .join(
            byApp,
            coalesce(col("agentIdentityBlueprintId"), col("appId")).equalTo(col("cred_app")),
            "left")
        .join(refs, lower(col("id")).equalTo(col("ref_parent")), "left")
        .select(
            lit("entra").as("platform"),
            col("id").as("native_id"),
            col("displayName").as("p_name"),
            lit(null).cast("string").as("p_purpose"),
            Identities.entraStatus().as("p_status"),
            parseIso(col("deletedDateTime")).as("p_deleted_at"),
            parseIso(col("createdDateTime")).as("p_created_at"),
            sort_array(
                    array_distinct(
                        concat(
                            array(IdPrefix.ENTRA_SERVICE_PRINCIPAL.of(col("id"))),
                            coalesce(col("sp_credentials"), none),
                            coalesce(col("app_credentials"), none))))
                .as("p_credentials"),
            col("p_owner_refs"),
            lit(true).as("on_platform"));
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
