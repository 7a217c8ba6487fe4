package io.agentlake.jobs.generate;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;

/**
 * Generates a synthetic organisation's native exports (SPEC section 4) plus {@code
 * ground_truth.json}, for tests, demos and benchmarks. Same options, byte-identical tree: every
 * random choice comes from seed-keyed {@link Rng} streams, iteration orders are fixed and no clock
 * is read. CloudTrail is written slot by slot, so memory does not grow with days x events.
 *
 * <p>Planted scenarios, all judged as of the end date D (see {@link GroundTruth} for the rules):
 *
 * <ul>
 *   <li>Orphans: a SUSPENDED owner with no backup (successor = manager), a DEPROVISIONED owner
 *       whose first backup is gone and second active (successor = second backup), an owner that is
 *       not in Okta, an OpenAI service account with no manifest row and a Bedrock row with an empty
 *       owner cell (NO_OWNER), idle Bedrock/OpenAI agents last used 40-120 days before D with no
 *       CloudTrail event at all, an ended project, a Bedrock agent deleted on the platform whose
 *       role lives on and keeps working, and an OpenAI key used after its project was archived
 *       (DANGLING_CREDENTIAL). Some owner cells differ in case from the Okta login.
 *   <li>Unused grants (rds:*, ec2:Describe*, kms:Decrypt ... inline or managed) never called, not
 *       even denied; used grants called on every day; {@code s3:*} of which only GetObject and
 *       PutObject are used (data events, in the one account that logs them).
 *   <li>An ECS agent role allowed to assume {@code platform-admin} (AdministratorAccess, trust
 *       names the agent role), which it does daily, followed by calls as the admin session.
 *   <li>A role shared by two agents; an agent's IAM-user access key also used by a human from the
 *       CLI on another IP; {@code iam:PassRole} and {@code lambda:CreateFunction/InvokeFunction}
 *       split across two policies of one role; a permissions boundary that denies iam:* the user's
 *       inline policy allows; AccessDenied attempts for actions nobody was granted.
 *   <li>Entra ID: every person, as Microsoft Graph list pages, mirroring Okta, plus an owner only
 *       in Entra (resolves), an owner only in Entra disabled during the period
 *       (OWNER_DEPROVISIONED, its "Disable account" audit in the diagnostic-settings form) and an
 *       owner Okta has ACTIVE but Entra disabled (OWNER_STATUS_CONFLICT).
 *   <li>Format quirks: paginated and URL-encoded IAM export for one account, managed policies with
 *       several versions (non-default ones grant other things), digest files, secret-looking {@code
 *       debugData.token} in a few Okta events.
 * </ul>
 *
 * <p>Dangerous: the output is synthetic but shaped like real exports; never write it into a
 * location that holds real ones.
 */
public final class OrgGenerator {
  private OrgGenerator() {}

  public static GenerationSummary generate(GeneratorOptions o, Configuration conf)
      throws IOException {
    Org org = OrgBuilder.build(o);
    ExportSink sink = new ExportSink(o.outUri(), conf);
    new IamWriter(org, sink).write();
    new OktaWriter(org, sink).write();
    new EntraWriter(org, sink).write();
    new BedrockWriter(org, sink).write();
    new OpenAiWriter(org, sink).write();
    new ManifestWriter(org, sink).write();
    new ReviewDecisionsWriter(org, sink).write();
    long events = new CloudTrailWriter(org, sink).write();
    new GroundTruthWriter(org, sink).write();
    return new GenerationSummary(
        sink.files(), sink.bytes(), events, org.agents.size(), org.accounts.size());
  }
}
