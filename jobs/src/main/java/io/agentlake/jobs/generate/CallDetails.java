package io.agentlake.jobs.generate;

import com.fasterxml.jackson.core.JsonGenerator;
import io.agentlake.jobs.generate.CloudTrailActivity.Ev;
import io.agentlake.jobs.generate.Org.Account;
import io.agentlake.jobs.generate.Org.Principal;
import java.io.IOException;
import java.time.Instant;

/** The service-specific parts of a CloudTrail record: request parameters, response, resources. */
final class CallDetails {
  private CallDetails() {}

  static void requestParameters(JsonGenerator g, Ev ev, String region, Account account, long seed)
      throws IOException {
    Principal p = ev.principal();
    String action = ev.action();
    switch (action) {
      case "secretsmanager:GetSecretValue" -> {
        g.writeObjectFieldStart("requestParameters");
        g.writeStringField(
            "secretId",
            "arn:aws:secretsmanager:"
                + region
                + ":"
                + account.id()
                + ":secret:agents/"
                + p.name
                + "-"
                + Rng.of(seed, "secret", p.arn()).alnum(6));
        g.writeEndObject();
      }
      case "ssm:GetParameter" -> {
        g.writeObjectFieldStart("requestParameters");
        g.writeStringField("name", "/agents/" + p.name + "/config");
        g.writeBooleanField("withDecryption", true);
        g.writeEndObject();
      }
      case "kms:Decrypt" -> {
        g.writeObjectFieldStart("requestParameters");
        g.writeStringField("encryptionAlgorithm", "SYMMETRIC_DEFAULT");
        g.writeEndObject();
      }
      case "dynamodb:DescribeTable" -> {
        g.writeObjectFieldStart("requestParameters");
        g.writeStringField("tableName", p.name + "-state");
        g.writeEndObject();
      }
      case "bedrock:InvokeModel" -> {
        g.writeObjectFieldStart("requestParameters");
        g.writeStringField(
            "modelId", ev.resource().substring(ev.resource().indexOf("foundation-model/") + 17));
        g.writeEndObject();
      }
      case "sts:AssumeRole" -> {
        g.writeObjectFieldStart("requestParameters");
        g.writeStringField("roleArn", ev.resource());
        g.writeStringField("roleSessionName", p.sessionName);
        g.writeNumberField("durationSeconds", 3600);
        g.writeEndObject();
      }
      case "ec2:DescribeInstances" -> {
        g.writeObjectFieldStart("requestParameters");
        g.writeObjectFieldStart("instancesSet");
        g.writeEndObject();
        g.writeObjectFieldStart("filterSet");
        g.writeEndObject();
        g.writeEndObject();
      }
      case "s3:ListAllMyBuckets" -> {
        g.writeObjectFieldStart("requestParameters");
        g.writeStringField("Host", "s3.amazonaws.com");
        g.writeEndObject();
      }
      case "s3:GetObject", "s3:PutObject" -> {
        g.writeObjectFieldStart("requestParameters");
        g.writeStringField("bucketName", bucket(ev));
        g.writeStringField("Host", bucket(ev) + ".s3." + region + ".amazonaws.com");
        g.writeStringField("key", objectKey(ev));
        g.writeEndObject();
      }
      case "iam:CreateAccessKey", "iam:CreateUser" -> {
        g.writeObjectFieldStart("requestParameters");
        g.writeStringField("userName", action.endsWith("CreateUser") ? "backup-admin" : p.name);
        g.writeEndObject();
      }
      default -> g.writeNullField("requestParameters");
    }
  }

  private static String bucket(Ev ev) {
    String arn = ev.resource().substring("arn:aws:s3:::".length());
    return arn.substring(0, arn.indexOf('/'));
  }

  private static String objectKey(Ev ev) {
    return "docs/" + ev.principal().name + "/page-" + (ev.epochSecond() % 9973) + ".json";
  }

  static void assumeRoleResponse(JsonGenerator g, Ev ev, Rng r, Account account)
      throws IOException {
    String roleArn = ev.resource();
    String roleName = roleArn.substring(roleArn.lastIndexOf('/') + 1);
    g.writeObjectFieldStart("responseElements");
    g.writeObjectFieldStart("credentials");
    g.writeStringField("accessKeyId", "ASIA" + r.upper(16));
    g.writeStringField("expiration", Instant.ofEpochSecond(ev.epochSecond() + 3600).toString());
    g.writeEndObject();
    g.writeObjectFieldStart("assumedRoleUser");
    g.writeStringField("assumedRoleId", "AROA" + r.upper(17) + ":" + ev.principal().sessionName);
    g.writeStringField(
        "arn",
        "arn:aws:sts::"
            + account.id()
            + ":assumed-role/"
            + roleName
            + "/"
            + ev.principal().sessionName);
    g.writeEndObject();
    g.writeEndObject();
  }

  static void resources(JsonGenerator g, Ev ev, Account account, String region, long seed)
      throws IOException {
    switch (ev.action()) {
      case "s3:GetObject", "s3:PutObject" -> {
        if (ev.error() != null) {
          return;
        }
        g.writeArrayFieldStart("resources");
        resource(g, "AWS::S3::Object", "arn:aws:s3:::" + bucket(ev) + "/" + objectKey(ev), null);
        resource(g, "AWS::S3::Bucket", "arn:aws:s3:::" + bucket(ev), account.id());
        g.writeEndArray();
      }
      case "sts:AssumeRole" -> {
        g.writeArrayFieldStart("resources");
        resource(g, "AWS::IAM::Role", ev.resource(), account.id());
        g.writeEndArray();
      }
      case "kms:Decrypt" -> {
        g.writeArrayFieldStart("resources");
        resource(
            g,
            "AWS::KMS::Key",
            "arn:aws:kms:"
                + region
                + ":"
                + account.id()
                + ":key/"
                + Rng.of(seed, "kms", account.id(), region).uuid(),
            account.id());
        g.writeEndArray();
      }
      default -> {}
    }
  }

  private static void resource(JsonGenerator g, String type, String arn, String accountId)
      throws IOException {
    g.writeStartObject();
    if (accountId != null) {
      g.writeStringField("accountId", accountId);
    }
    g.writeStringField("type", type);
    g.writeStringField("ARN", arn);
    g.writeEndObject();
  }
}
