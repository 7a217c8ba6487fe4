package io.agentlake.jobs.generate;

/** What a generator run wrote: file and byte counts plus the size of the organisation. */
public record GenerationSummary(
    long files, long bytes, long cloudTrailEvents, int agents, int accounts) {}
