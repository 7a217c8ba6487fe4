package io.agentlake.transforms.sources;

import io.agentlake.schemas.SourceRecordType;
import io.agentlake.transforms.ingest.SourcePackage;
import io.agentlake.transforms.sources.bedrock.BedrockAgents;
import io.agentlake.transforms.sources.bedrock.BedrockSilver;
import io.agentlake.transforms.sources.cloudtrail.CloudTrail;
import io.agentlake.transforms.sources.cloudtrail.CloudTrailSilver;
import io.agentlake.transforms.sources.entra.EntraId;
import io.agentlake.transforms.sources.entra.EntraSilver;
import io.agentlake.transforms.sources.iam.AwsIam;
import io.agentlake.transforms.sources.iam.AwsIamSilver;
import io.agentlake.transforms.sources.manifest.AgentManifest;
import io.agentlake.transforms.sources.oktasystemlog.OktaSystemLog;
import io.agentlake.transforms.sources.oktausers.OktaUsers;
import io.agentlake.transforms.sources.oktausers.OktaUsersSilver;
import io.agentlake.transforms.sources.openai.OpenAiAdmin;
import io.agentlake.transforms.sources.openai.OpenAiSilver;
import io.agentlake.transforms.sources.reviews.ReviewDecisions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The sources agentlake reads (SPEC section 4), registered once. Each is one package beside this
 * class holding everything that is that source's own ({@link SourcePackage}); adding a source is a
 * new package and one line in {@link #SOURCES}.
 */
public final class Sources {

  /**
   * A registered source: its ingest ({@link SourcePackage}) and its share of silver ({@link
   * SourceSilver}), both in its package.
   */
  public record Source(SourcePackage ingest, SourceSilver silver) {
    Source(SourcePackage ingest) {
      this(ingest, SourceSilver.NONE);
    }
  }

  /** Every source, one line each, in the order a run ingests them. */
  private static final List<Source> SOURCES =
      List.of(
          new Source(new AwsIam(), new AwsIamSilver()),
          new Source(new CloudTrail(), new CloudTrailSilver()),
          new Source(new OktaUsers(), new OktaUsersSilver()),
          new Source(new OktaSystemLog()),
          new Source(new BedrockAgents(), new BedrockSilver()),
          new Source(new OpenAiAdmin(), new OpenAiSilver()),
          new Source(new EntraId(), new EntraSilver()),
          new Source(new AgentManifest()),
          new Source(new ReviewDecisions()));

  private static final List<SourcePackage> PACKAGES = SOURCES.stream().map(Source::ingest).toList();

  private static final Map<String, SourcePackage> BY_NAME = new LinkedHashMap<>();
  private static final Map<String, SourceRecordType> BY_RECORD_TYPE = new LinkedHashMap<>();

  static {
    for (SourcePackage source : PACKAGES) {
      if (BY_NAME.put(source.name(), source) != null) {
        throw new IllegalStateException("Two sources are called " + source.name() + " (a bug)");
      }
      for (SourceRecordType type : source.recordTypes()) {
        if (!type.sourceType().equals(source.name())
            || BY_RECORD_TYPE.put(type.recordType(), type) != null) {
          throw new IllegalStateException(
              "Record type " + type.recordType() + " is declared twice or elsewhere (a bug)");
        }
      }
    }
  }

  /**
   * Every platform that maps its own grants, activity and coverage into the platform-neutral silver
   * tables ({@link PlatformSilver}), from its source's {@link SourceSilver#permissions()}.
   */
  private static final List<PlatformSilver> PLATFORMS =
      SOURCES.stream().flatMap(s -> s.silver().permissions().stream()).toList();

  /**
   * What each platform's logs cannot show about the use of its grants, each declared in its
   * platform's package.
   */
  public static final List<UsageObservability> USAGE_OBSERVABILITY =
      PLATFORMS.stream().map(PlatformSilver::observability).toList();

  /** Source names (export folder names), in the order a run ingests them. */
  public static final List<String> ALL = List.copyOf(BY_NAME.keySet());

  private Sources() {}

  public static List<SourcePackage> packages() {
    return PACKAGES;
  }

  /** Every source, ingest and silver, in registration order. */
  public static List<Source> sources() {
    return SOURCES;
  }

  /** The platforms that map themselves into silver, in a fixed order. */
  public static List<PlatformSilver> platforms() {
    return PLATFORMS;
  }

  /** The source called {@code name}; see {@link #isKnownSource} to ask first. */
  public static SourcePackage of(String name) {
    SourcePackage source = BY_NAME.get(name);
    if (source == null) {
      throw new IllegalArgumentException(
          "Unknown source type '"
              + name
              + "': agentlake reads only "
              + ALL
              + ". Fix the exports folder name or the source mapping in the config.");
    }
    return source;
  }

  public static boolean isKnownSource(String name) {
    return BY_NAME.containsKey(name);
  }

  public static List<SourceRecordType> recordTypes() {
    return List.copyOf(BY_RECORD_TYPE.values());
  }

  public static List<SourceRecordType> recordTypesOf(String sourceType) {
    return of(sourceType).recordTypes();
  }

  public static Optional<SourceRecordType> recordType(String recordType) {
    return Optional.ofNullable(BY_RECORD_TYPE.get(recordType));
  }
}
