package io.agentlake.jobs.generate;

import java.util.List;

/**
 * How an IAM action shows up in CloudTrail: event source, event name, read-only flag, and whether
 * it is a data event. Only the actions the generator calls need an entry; the rest follow the
 * {@code <prefix>.amazonaws.com} / action-name rule.
 */
final class Calls {
  private Calls() {}

  record Shape(
      String action, String eventSource, String eventName, boolean readOnly, boolean data) {}

  /** Attempted by agents without permission, so CloudTrail shows AccessDenied. */
  static final List<String> DENY_POOL =
      List.of(
          "iam:ListUsers",
          "organizations:ListAccounts",
          "iam:CreateUser",
          "cloudtrail:StopLogging",
          "guardduty:ListDetectors");

  static Shape shape(String action) {
    String prefix = action.substring(0, action.indexOf(':'));
    String name = action.substring(action.indexOf(':') + 1);
    return switch (action) {
      case "s3:GetObject" -> new Shape(action, "s3.amazonaws.com", "GetObject", true, true);
      case "s3:PutObject" -> new Shape(action, "s3.amazonaws.com", "PutObject", false, true);
      case "lambda:InvokeFunction" ->
          new Shape(action, "lambda.amazonaws.com", "Invoke", false, true);
      case "s3:ListAllMyBuckets" ->
          new Shape(action, "s3.amazonaws.com", "ListBuckets", true, false);
      case "cloudwatch:DescribeAlarms" ->
          new Shape(action, "monitoring.amazonaws.com", name, true, false);
      default ->
          new Shape(
              action,
              prefix + ".amazonaws.com",
              name,
              name.startsWith("Get")
                  || name.startsWith("Describe")
                  || name.startsWith("List")
                  || name.equals("Decrypt")
                  || name.equals("InvokeModel")
                  || name.equals("AssumeRole"),
              false);
    };
  }

  /** Whether CloudTrail can ever show a use of this action pattern in the given account. */
  static boolean observable(String pattern, boolean accountLogsDataEvents) {
    String p = pattern.toLowerCase(java.util.Locale.ROOT);
    if (p.equals("iam:passrole") || p.equals("lambda:invokefunction")) {
      return false;
    }
    if (p.equals("s3:getobject") || p.equals("s3:putobject") || p.equals("s3:*")) {
      return accountLogsDataEvents;
    }
    return true;
  }

  /** IAM action glob match: case-insensitive, {@code *} any run, {@code ?} one character. */
  static boolean matches(String pattern, String action) {
    String regex =
        pattern
            .toLowerCase(java.util.Locale.ROOT)
            .replace(".", "\\.")
            .replace("?", ".")
            .replace("*", ".*");
    return action.toLowerCase(java.util.Locale.ROOT).matches(regex);
  }
}
