package io.agentlake.transforms.sources.oktausers;

import static io.agentlake.transforms.Times.parseIso;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.map;
import static org.apache.spark.sql.functions.trim;

import io.agentlake.schemas.vocabulary.EdgeType;
import io.agentlake.schemas.vocabulary.IdPrefix;
import io.agentlake.transforms.correlate.IdentityEdges;
import io.agentlake.transforms.sources.IdentityRow;
import io.agentlake.transforms.sources.SilverInputs;
import io.agentlake.transforms.sources.SourceSilver;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Okta's users: the workforce identity provider's people, who agents' owners are matched against
 * first, and their managers (MANAGED_BY, by {@code profile.managerId} or the manager's login).
 */
public final class OktaUsersSilver implements SourceSilver {

  @Override
  public Optional<Dataset<Row>> identities(SilverInputs in) {
    return Optional.of(
        users(in)
            .select(
                IdentityRow.of(IdPrefix.OKTA_USER.of(col("id")), "human", OktaUsers.NAME)
                    .nativeId(col("id"))
                    .displayName(lower(trim(coalesce(col("profile.email"), col("profile.login")))))
                    .status(col("status"))
                    .createdAt(parseIso(col("created")))
                    .statusChangedAt(parseIso(col("statusChanged")))
                    .lastSeenAt(parseIso(col("lastLogin")))
                    .attributes(
                        map(
                            lit("login"),
                            lower(trim(col("profile.login"))),
                            lit("email"),
                            lower(trim(col("profile.email"))),
                            lit("manager"),
                            col("profile.manager"),
                            lit("managerId"),
                            col("profile.managerId"),
                            lit("department"),
                            col("profile.department")))
                    .columns()));
  }

  @Override
  public boolean identityProvider() {
    return true;
  }

  @Override
  public Optional<Dataset<Row>> edges(SilverInputs in) {
    Dataset<Row> people = users(in);
    Dataset<Row> byLogin =
        people.select(
            lower(trim(col("profile.login"))).as("mgr_login"), col("id").as("mgr_by_login"));
    return Optional.of(
        IdentityEdges.edge(
            people
                .join(
                    byLogin, lower(trim(col("profile.manager"))).equalTo(col("mgr_login")), "left")
                .withColumn("manager_id", coalesce(col("profile.managerId"), col("mgr_by_login")))
                .filter(col("manager_id").isNotNull()),
            IdPrefix.OKTA_USER.of(col("id")),
            EdgeType.MANAGED_BY,
            IdPrefix.OKTA_USER.of(col("manager_id")),
            OktaUsers.NAME,
            concat(
                lit("profile.manager "),
                coalesce(col("profile.manager"), col("profile.managerId"))),
            false));
  }

  private static Dataset<Row> users(SilverInputs in) {
    return in.latest(OktaUsers.USER.recordType(), "id");
  }
}
