package io.agentlake.jobs.ingest;

import java.io.Serializable;

/** One file found under the exports root, with the source type its folder names. */
public record ExportFile(String sourceType, String uri, long size, long modificationTime)
    implements Serializable {}
