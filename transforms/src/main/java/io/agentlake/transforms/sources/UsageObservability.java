package io.agentlake.transforms.sources;

import io.agentlake.schemas.vocabulary.Platform;
import java.util.List;

/**
 * What a platform's activity logs can show about the use of its grants, so that {@code
 * UnusedPrivileges} judges every platform with one rule set and never calls UNUSED what the logs
 * cannot see. Each platform declares its own in its package.
 *
 * @param platform the platform
 * @param logName the logs in words, for the reasons given ("CloudTrail")
 * @param permissionLevel the logs name the permission used (AWS: CloudTrail names the action); when
 *     false they name only the resource called (Entra ID sign-ins), so a grant is matched on its
 *     service (the resource) and a match is NOT_OBSERVABLE, never USED
 * @param anyResourceServices services whose grants act through any resource (Entra directory
 *     roles): matched on any activity of the principal
 * @param unresolvedServicePrefix a service starting with it names a resource the export could not
 *     resolve: no activity can match it, so it is NOT_OBSERVABLE, never UNUSED (null: none)
 * @param seenReason the reason given when a grant's resource was called but the permission cannot
 *     be seen
 * @param unresolvedReason the reason given for an unresolved resource
 * @param neverLogged permissions (lower case, exact) the logs never record (AWS {@code
 *     iam:passrole}): NOT_OBSERVABLE unless used
 * @param dataEventOnly permissions (lower case, exact) the logs record only as data events, which a
 *     trail selects per service (AWS S3 object-level actions, {@code lambda:invokefunction}): a row
 *     for one of them, or for a glob within one service that covers one ({@code s3:*}, {@code
 *     s3:Get*}), is NOT_OBSERVABLE when the account had no data events of its service in the window
 */
public record UsageObservability(
    Platform platform,
    String logName,
    boolean permissionLevel,
    List<String> anyResourceServices,
    String unresolvedServicePrefix,
    String seenReason,
    String unresolvedReason,
    List<String> neverLogged,
    List<String> dataEventOnly) {

  public UsageObservability {
    anyResourceServices = List.copyOf(anyResourceServices);
    neverLogged = List.copyOf(neverLogged);
    dataEventOnly = List.copyOf(dataEventOnly);
  }

  /** The reason given for a {@link #neverLogged} permission. */
  public String neverLoggedReason() {
    return logName + " never records this action, so use cannot be seen";
  }

  /** The reason given for a {@link #dataEventOnly} permission, before the service's name. */
  public String dataEventOnlyReasonPrefix() {
    return logName + " records these actions only as data events; the account had no ";
  }
}
