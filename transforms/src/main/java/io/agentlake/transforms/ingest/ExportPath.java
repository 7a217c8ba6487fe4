package io.agentlake.transforms.ingest;

import io.agentlake.schemas.Sources;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Facts an export's path states about its records: the account, region and day of a delivered
 * CloudTrail file, the account folder of an IAM export, the project of an OpenAI project listing.
 * Pure string work: the path is never opened.
 */
final class ExportPath {

  /** {@code AWSLogs/[o-org/]<account>/CloudTrail/<region>/YYYY/MM/DD/}, as CloudTrail delivers. */
  private static final Pattern CLOUDTRAIL_DELIVERY =
      Pattern.compile(
          "(?:^|/)AWSLogs/(?:o-[a-z0-9]+/)?(\\d{12})/CloudTrail/([A-Za-z0-9-]+)/"
              + "(\\d{4})/(\\d{2})/(\\d{2})/");

  private static final Pattern IAM_ACCOUNT_FOLDER = Pattern.compile("(?:^|/)aws-iam/(\\d{12})/");

  private static final Pattern OPENAI_PROJECT_FOLDER = Pattern.compile("/projects/([^/]+)/");

  private ExportPath() {}

  /** CloudTrail digest files hold hashes of log files, not events. */
  static boolean isCloudTrailDigest(String path) {
    String name = path.substring(path.lastIndexOf('/') + 1);
    return path.contains("/CloudTrail-Digest/") || name.contains("CloudTrail-Digest");
  }

  static Map<String, String> context(String sourceType, String path) {
    Map<String, String> context = new LinkedHashMap<>();
    String p = path.replace('\\', '/');
    switch (sourceType) {
      case Sources.AWS_CLOUDTRAIL -> {
        Matcher m = CLOUDTRAIL_DELIVERY.matcher(p);
        if (m.find()) {
          context.put("account", m.group(1));
          context.put("region", m.group(2));
          context.put("day", m.group(3) + "-" + m.group(4) + "-" + m.group(5));
        }
      }
      case Sources.AWS_IAM -> {
        Matcher m = IAM_ACCOUNT_FOLDER.matcher(p);
        if (m.find()) {
          context.put("account", m.group(1));
        }
      }
      case Sources.OPENAI_ADMIN -> {
        Matcher m = OPENAI_PROJECT_FOLDER.matcher(p);
        if (m.find()) {
          context.put("project_id", m.group(1));
        }
      }
      default -> {}
    }
    return Map.copyOf(context);
  }
}
