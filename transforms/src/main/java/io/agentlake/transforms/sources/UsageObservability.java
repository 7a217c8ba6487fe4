package io.agentlake.transforms.sources;

import io.agentlake.schemas.vocabulary.Platform;
import java.util.List;

/**
 * What a platform's activity logs can show about the use of its grants, so that {@code
 * UnusedPrivileges} judges every platform with one rule set and never calls UNUSED what the logs
 * cannot see.
 *
 * @param platform the platform
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
 */
public record UsageObservability(
    Platform platform,
    boolean permissionLevel,
    List<String> anyResourceServices,
    String unresolvedServicePrefix,
    String seenReason,
    String unresolvedReason) {

  public UsageObservability {
    anyResourceServices = List.copyOf(anyResourceServices);
  }
}
