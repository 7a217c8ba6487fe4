package io.agentlake.transforms.sources.oktausers;

import io.agentlake.schemas.SourceRecordType;
import io.agentlake.schemas.SourceRecordType.TimeFormat;
import io.agentlake.schemas.vocabulary.Platform;
import io.agentlake.transforms.ingest.SourcePackage;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.types.StructType;

/** Okta users, as {@code GET /api/v1/users} returns them: a JSON array, or one user per line. */
public final class OktaUsers implements SourcePackage {

  public static final String NAME = "okta-users";

  public static final SourceRecordType USER =
      new SourceRecordType(
          NAME,
          "okta_user",
          "okta_users",
          StructType.fromDDL(
              "id STRING, status STRING, created STRING, activated STRING, statusChanged STRING,"
                  + " lastLogin STRING, lastUpdated STRING, passwordChanged STRING,"
                  + " type STRUCT<id: STRING>,"
                  + " profile STRUCT<login: STRING, email: STRING, firstName: STRING,"
                  + "   lastName: STRING, displayName: STRING, title: STRING, department: STRING,"
                  + "   manager: STRING, managerId: STRING, employeeNumber: STRING,"
                  + "   userType: STRING>"),
          List.of("id", "status"),
          "statusChanged",
          TimeFormat.ISO_8601,
          List.of("id"),
          false);

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Optional<Platform> platform() {
    return Optional.of(Platform.OKTA);
  }

  @Override
  public List<SourceRecordType> recordTypes() {
    return List.of(USER);
  }

  @Override
  public String accepts() {
    return "the JSON array of Okta's List Users API (GET /api/v1/users), or its users as NDJSON";
  }
}
