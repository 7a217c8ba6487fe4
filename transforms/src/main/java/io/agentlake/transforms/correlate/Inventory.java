package io.agentlake.transforms.correlate;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The latest snapshot of every inventory source, as bronze rows (see {@link Snapshots#latest}).
 * Grouped so the identity graph takes one argument instead of fifteen. {@code entraDirectoryAudits}
 * is every directory audit event in bronze (they are events, not snapshots): the identity graph
 * takes the time an account was disabled from them.
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
    Dataset<Row> entraUsers,
    Dataset<Row> entraServicePrincipals,
    Dataset<Row> entraApplications,
    Dataset<Row> entraRelationships,
    Dataset<Row> entraDirectoryAudits,
    Dataset<Row> entraLastSignIns,
    Dataset<Row> manifest) {}
