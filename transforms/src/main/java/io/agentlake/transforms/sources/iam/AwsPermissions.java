package io.agentlake.transforms.sources.iam;

import io.agentlake.schemas.vocabulary.Platform;
import io.agentlake.transforms.sources.PlatformSilver;
import io.agentlake.transforms.sources.SilverInputs;
import io.agentlake.transforms.sources.UsageObservability;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * AWS's share of the platform-neutral permission model. Its grants are the IAM export's policies
 * evaluated here ({@link IamPolicies}, {@link EffectivePermissions}: NotAction, permission
 * boundaries, Deny, the pinned {@link ActionCatalog}). Their use is CloudTrail's: {@code
 * sources.cloudtrail.CloudTrailDaily} aggregates it per day, and the job keeps those aggregates
 * incrementally ({@code CloudTrailAggregates}), so {@link #activity} and {@link #coverage} are the
 * interface's empty defaults.
 */
public final class AwsPermissions implements PlatformSilver {

  /** Actions CloudTrail never records: nothing in the logs can show their use. */
  static final List<String> NEVER_LOGGED = List.of("iam:passrole");

  /**
   * Actions CloudTrail records only as data events: the S3 actions on objects (every S3 action of
   * the bundled catalog whose resource types include {@code object}: GetObject, PutObject,
   * AbortMultipartUpload, ... but not the access-point actions whose names merely contain
   * "Object"), and {@code lambda:invokefunction}. A trail selects data events per resource type, so
   * S3 data events say nothing about Lambda invocations: each service needs data events of its own
   * to be observable.
   */
  static final List<String> DATA_EVENT_ONLY = dataEventOnly(ActionCatalog.bundled());

  /** What CloudTrail can and cannot show (read by {@code UnusedPrivileges}). */
  public static final UsageObservability OBSERVABILITY =
      new UsageObservability(
          Platform.AWS,
          "CloudTrail",
          true,
          List.of(),
          null,
          null,
          null,
          NEVER_LOGGED,
          DATA_EVENT_ONLY);

  static List<String> dataEventOnly(ActionCatalog catalog) {
    TreeSet<String> out = new TreeSet<>();
    for (ActionCatalog.Action a : catalog.actions()) {
      if (a.service().equalsIgnoreCase("s3") && a.resourceTypes().contains("object")) {
        out.add(a.name().toLowerCase(Locale.ROOT));
      }
    }
    out.add("lambda:invokefunction");
    return List.copyOf(out);
  }

  /** Registered in {@code Sources} through {@link AwsIamSilver#permissions()}. */
  AwsPermissions() {}

  @Override
  public Platform platform() {
    return Platform.AWS;
  }

  @Override
  public UsageObservability observability() {
    return OBSERVABILITY;
  }

  @Override
  public Dataset<Row> entitlements(SilverInputs in, LocalDate runDate) {
    return IamPolicies.entitlements(AwsIamSilver.attachments(in), runDate);
  }
}
