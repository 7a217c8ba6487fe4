package io.agentlake.jobs.cli;

import io.agentlake.jobs.AgentlakeException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code agentlake} command line. The same entry point serves the launcher (local Spark) and
 * {@code spark-submit} on a cluster. Usage errors print one line and exit 2; errors a user can act
 * on print problem, cause and fix and exit 1 (retry may help) or 3 (fix the input first); nothing
 * prints a bare stack trace unless {@code AGENTLAKE_DEBUG=1}.
 */
@Command(
    name = "agentlake",
    mixinStandardHelpOptions = true,
    versionProvider = Agentlake.Version.class,
    description =
        "Finds orphaned AI agents, unused privileges and explainable risk in your exports.",
    subcommands = {
      GenerateCommand.class,
      NightlyCommand.class,
      IngestCommand.class,
      GateCommand.class,
      CorrelateCommand.class,
      AnalyzeCommand.class,
      PublishCommand.class,
      SqlCommand.class,
      DemoCommand.class,
      BenchCommand.class,
      BenchEntitlementsCommand.class,
      SoakCommand.class,
      MaintainCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Agentlake implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs a command line and returns its exit code (tests call this instead of main). */
  public static int execute(String... args) {
    return execute(new PrintWriter(System.err, true), args);
  }

  /** As {@link #execute(String...)}, with usage and error messages sent to {@code err}. */
  public static int execute(PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new Agentlake());
    cli.setErr(err);
    cli.setParameterExceptionHandler(Agentlake::usageError);
    cli.setExecutionExceptionHandler(Agentlake::executionError);
    return cli.execute(args);
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(),
        "a command is needed: one of " + String.join(", ", spec.subcommands().keySet()));
  }

  private static int usageError(CommandLine.ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    PrintWriter err = cmd.getErr();
    String name = cmd.getCommandSpec().qualifiedName();
    String message = firstLine(e.getMessage());
    if (e instanceof CommandLine.UnmatchedArgumentException u
        && cmd.getCommandSpec().subcommands().size() > 0
        && !u.getUnmatched().isEmpty()
        && !u.getUnmatched().get(0).startsWith("-")) {
      message =
          "unknown command '"
              + u.getUnmatched().get(0)
              + "'; commands are "
              + String.join(", ", cmd.getCommandSpec().subcommands().keySet());
    }
    err.println(name + ": " + message + " (see '" + name + " --help')");
    return AgentlakeException.USAGE;
  }

  private static int executionError(
      Exception e, CommandLine cmd, CommandLine.ParseResult parseResult) {
    PrintWriter err = cmd.getErr();
    AgentlakeException known = io.agentlake.jobs.Errors.find(e);
    if ("1".equals(System.getenv("AGENTLAKE_DEBUG"))) {
      e.printStackTrace(err);
    }
    if (known != null) {
      err.println(known.render());
      return known.exitCode();
    }
    err.println(
        "agentlake: "
            + cmd.getCommandName()
            + " failed unexpectedly: "
            + e.getClass().getSimpleName()
            + ": "
            + firstLine(String.valueOf(e.getMessage())));
    String sparkLog = System.getProperty("agentlake.spark.log");
    if (sparkLog != null) {
      err.println("  log:   Spark's warnings and errors are in " + sparkLog);
    }
    err.println(
        "  fix:   re-run with AGENTLAKE_DEBUG=1 for the stack trace, and report it if it persists");
    return AgentlakeException.RETRYABLE;
  }

  private static String firstLine(String text) {
    String s = text.strip();
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /** Version from the jar manifest when packaged. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Agentlake.class.getPackage().getImplementationVersion();
      return new String[] {"agentlake " + (v == null ? "(development build)" : v)};
    }
  }
}
