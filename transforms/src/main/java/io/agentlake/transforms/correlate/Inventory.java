package io.agentlake.transforms.correlate;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The latest snapshot of every inventory source, as bronze rows (see {@link Snapshots#latest}).
 * Grouped so the identity graph takes one argument instead of eleven.
 */
public record Inventory(
    Dataset<Row> iamUsers,
    Dataset<Row> iamGroups,
    Dataset<Row> iamRoles,
    Dataset<Row> iamPolicies,
    Dataset<Row> credentialReport,
    Dataset<Row> oktaUsers,
    Dataset<Row> bedrockAgents,
    Dataset<Row> openaiProjects,
    Dataset<Row> openaiServiceAccounts,
    Dataset<Row> openaiApiKeys,
    Dataset<Row> openaiUsers,
    Dataset<Row> manifest) {}
