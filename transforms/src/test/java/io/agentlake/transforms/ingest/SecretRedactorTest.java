package io.agentlake.transforms.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class SecretRedactorTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode redact(String json) throws Exception {
    return SecretRedactor.redact(JSON.readTree(json));
  }

  @Test
  void secretNamedFieldsAreRedactedWhereverTheyAre() throws Exception {
    JsonNode out =
        redact(
            """
            {"password":"hunter2","debugContext":{"debugData":{"client_secret":"abc",
             "Authorization":"Basic dXNlcjpwYXNz","Cookie":"sid=1"}},
             "headers":[{"x-amz-security-token":"FQoGZXIvYXdz"}],
             "privateKey":"whatever","passwordData":"encrypted-blob"}
            """);
    assertThat(out.get("password").asText()).isEqualTo(SecretRedactor.REDACTED);
    JsonNode debug = out.at("/debugContext/debugData");
    assertThat(debug.get("client_secret").asText()).isEqualTo(SecretRedactor.REDACTED);
    assertThat(debug.get("Authorization").asText()).isEqualTo(SecretRedactor.REDACTED);
    assertThat(debug.get("Cookie").asText()).isEqualTo(SecretRedactor.REDACTED);
    assertThat(out.at("/headers/0/x-amz-security-token").asText())
        .isEqualTo(SecretRedactor.REDACTED);
    assertThat(out.get("privateKey").asText()).isEqualTo(SecretRedactor.REDACTED);
    assertThat(out.get("passwordData").asText()).isEqualTo(SecretRedactor.REDACTED);
  }

  @Test
  void stsCredentialsLoseTheSecretButKeepTheAccessKeyId() throws Exception {
    JsonNode out =
        redact(
            """
            {"credentials":{"accessKeyId":"ASIASTJKC5GCM7ZE6LUP","sessionToken":"IQoJb3JpZ2lu",
              "secretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY","expiration":"x"}}
            """);
    assertThat(out.at("/credentials/accessKeyId").asText()).isEqualTo("ASIASTJKC5GCM7ZE6LUP");
    assertThat(out.at("/credentials/expiration").asText()).isEqualTo("x");
    assertThat(out.at("/credentials/sessionToken").asText()).isEqualTo(SecretRedactor.REDACTED);
    assertThat(out.at("/credentials/secretAccessKey").asText()).isEqualTo(SecretRedactor.REDACTED);
  }

  @Test
  void identifiersAndLookAlikeFieldsAreKept() throws Exception {
    String json =
        """
        {"accessKeyId":"AKIAIOSFODNN7EXAMPLE","id":"key_abc","redacted_value":"sk-abc...def",
         "secretId":"arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf",
         "tokenType":"Bearer","password_enabled":"true","passwordChanged":"2022-04-04T16:00:22Z",
         "credentialType":"PASSWORD","api_key":{"id":"key_abc","type":"user"},
         "apiKey":"key_0123456789abcdef","credentials":["arn:aws:iam::1:role/a","okta:0oa1"],
         "empty_password":"","nullToken":null}
        """;
    assertThat(redact(json)).isEqualTo(JSON.readTree(json));
  }

  @Test
  void apiKeyFieldsAreRedactedOnlyWhenTheValueLooksLikeAKey() throws Exception {
    JsonNode out = redact("{\"apiKey\":\"A1b2C3d4E5f6G7h8I9j0\",\"x_api_key\":\"short\"}");
    assertThat(out.get("apiKey").asText()).isEqualTo(SecretRedactor.REDACTED);
    assertThat(out.get("x_api_key").asText()).isEqualTo("short");
  }

  @Test
  void secretShapedValuesAreRedactedUnderAnyKey() {
    String jwt =
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
    assertThat(SecretRedactor.redactText("Bearer " + jwt)).isEqualTo("Bearer [REDACTED:jwt]");
    assertThat(SecretRedactor.redactText("key sk-proj-AbCdEfGhIjKlMnOpQrStUvWx used"))
        .isEqualTo("key [REDACTED:openai_key] used");
    assertThat(SecretRedactor.redactText("sk-abc...def")).isEqualTo("sk-abc...def");
    assertThat(SecretRedactor.redactText("xoxb-1234567890-abcdefghij"))
        .isEqualTo("[REDACTED:slack_token]");
    assertThat(SecretRedactor.redactText("ghp_" + "a".repeat(36)))
        .isEqualTo("[REDACTED:github_token]");
    assertThat(
            SecretRedactor.redactText(
                "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY----- tail"))
        .isEqualTo("[REDACTED:private_key] tail");
    assertThat(
            SecretRedactor.redactText(
                "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
                    + "aws_access_key_id = AKIAIOSFODNN7EXAMPLE"))
        .isEqualTo(
            "aws_secret_access_key = [REDACTED:aws_secret_key]\n"
                + "aws_access_key_id = AKIAIOSFODNN7EXAMPLE");
  }

  @Test
  void brokenJsonTextLosesSecretNamedValuesToo() {
    String line =
        "{\"eventID\":\"e1\", \"sessionToken\": \"IQoJb3JpZ2lu\", oops, \"password\": \"hun";
    String out = SecretRedactor.redactText(line);
    assertThat(out)
        .contains("\"eventID\":\"e1\"")
        .contains("\"sessionToken\": \"[REDACTED]\"")
        .contains("\"password\": \"[REDACTED]")
        .doesNotContain("IQoJ")
        .doesNotContain("hun\"")
        .doesNotContain(": \"hun");
  }

  @Test
  void ssmParameterValuesReadWithDecryptionAreRedactedButNamesKept() throws Exception {
    String event =
        """
        {"eventName":"GetParameters","requestParameters":{"withDecryption":true,
         "names":["/prod/db/password-holder"]},
         "responseElements":{"parameters":[{"name":"/prod/db/password-holder",
           "type":"SecureString","value":"correct-horse-battery","version":3}]}}
        """;
    JsonNode out =
        new io.agentlake.transforms.sources.cloudtrail.CloudTrail()
            .redact(
                "cloudtrail_event",
                (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(event));
    assertThat(out.at("/responseElements/parameters/0/value").asText())
        .isEqualTo(SecretRedactor.REDACTED);
    assertThat(out.at("/responseElements/parameters/0/name").asText())
        .isEqualTo("/prod/db/password-holder");
    // the same field name in another event is not a secret
    JsonNode other =
        new io.agentlake.transforms.sources.cloudtrail.CloudTrail()
            .redact(
                "cloudtrail_event",
                (com.fasterxml.jackson.databind.node.ObjectNode)
                    JSON.readTree(
                        "{\"eventName\":\"PutMetricData\",\"responseElements\":{\"value\":\"42\"}}"));
    assertThat(other.at("/responseElements/value").asText()).isEqualTo("42");
  }
}
