package io.agentlake.jobs.cli;

import io.agentlake.jobs.Errors;
import io.agentlake.jobs.config.AgentlakeConfig;
import java.io.IOException;
import java.io.InputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Option;

/** The files every run command reads and writes besides the lake: its config and its report. */
final class RunFiles {

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "YAML config (kebab-case keys; see README). Flags override it.")
  String config;

  @Option(
      names = "--report",
      paramLabel = "FILE",
      description =
          "Also write the JSON run report here (a path or Hadoop URI), on success and on failure.")
  String reportFile;

  /** The YAML config (a path or Hadoop URI), or the defaults when none was given. */
  AgentlakeConfig load(Configuration hadoop) {
    if (config == null) {
      return AgentlakeConfig.defaults();
    }
    Path path = new Path(config);
    try (InputStream in = path.getFileSystem(hadoop).open(path)) {
      return AgentlakeConfig.load(config, in);
    } catch (java.io.FileNotFoundException e) {
      throw Errors.badConfig(config, "the file does not exist");
    } catch (IOException e) {
      throw Errors.storage("read", config, e);
    }
  }
}
