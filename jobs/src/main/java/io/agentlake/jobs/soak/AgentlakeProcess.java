package io.agentlake.jobs.soak;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code agentlake} command running in a child JVM: the same java binary, classpath and JVM
 * options as this process (plus any {@link Launcher#withJvmOptions added}), so the soak and the
 * process-level tests can SIGKILL a real run at any moment — nothing in the child gets to clean up,
 * which is the point. Its stdout and stderr go, merged, to a log file and are watched for the stage
 * lines {@code nightly} prints ({@code .. ingest}, {@code .. correlate}, ...), so a caller knows
 * which stage the child had reached when it was killed.
 *
 * <p>Dangerous: a child left running keeps writing the lake after its caller has moved on; always
 * close it (try-with-resources), which kills it if it is still alive. Children still alive when
 * this JVM exits are killed by a shutdown hook; if this JVM is itself SIGKILLed they live on.
 */
public final class AgentlakeProcess implements AutoCloseable {

  /** The child had printed no stage line yet (JVM start, Spark session, lease). */
  public static final String BEFORE = "before";

  /** The child exited on its own before it was killed. */
  public static final String FINISHED = "finished";

  /** The stage names a run prints, in order. */
  public static final List<String> STAGES =
      List.of("prepare", "ingest", "gate", "correlate", "analyze", "publish");

  private static final Pattern STEP =
      Pattern.compile("\\.\\. (" + String.join("|", STAGES) + ")\\b");

  /** Longest stage line, so a line split across two reads is still found. */
  private static final int OVERLAP = 32;

  private final Process process;
  private final long startedNanos;
  private final Path log;
  private final StringBuilder output = new StringBuilder();
  private final Map<String, Long> stageStartMillis = new LinkedHashMap<>();
  private final Thread pump;
  private volatile String stage = BEFORE;
  private volatile long exitedAfterMillis = -1;

  /** Children still running, killed if this JVM exits first (a SIGKILL of it cannot be). */
  private static final java.util.Set<Process> LIVE =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> LIVE.forEach(Process::destroyForcibly), "agentlake-child-reaper"));
  }

  private AgentlakeProcess(Process process, long startedNanos, Path log) {
    LIVE.add(process);
    this.process = process;
    this.startedNanos = startedNanos;
    this.log = log;
    process
        .onExit()
        .thenRun(
            () -> {
              LIVE.remove(process);
              if (exitedAfterMillis < 0) {
                exitedAfterMillis = millisSinceStart();
              }
            });
    this.pump = new Thread(this::pump, "agentlake-child-" + process.pid());
    pump.setDaemon(true);
    pump.start();
  }

  /** How to start children like this process. */
  public static Launcher launcher() {
    return Launcher.current();
  }

  public long pid() {
    return process.pid();
  }

  public Path log() {
    return log;
  }

  /** The last stage line the child printed, {@link #BEFORE} if none yet. */
  public String stage() {
    return stage;
  }

  /** When each stage line appeared, in milliseconds since the child started. */
  public synchronized Map<String, Long> stageStartMillis() {
    return new LinkedHashMap<>(stageStartMillis);
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public long millisSinceStart() {
    return (System.nanoTime() - startedNanos) / 1_000_000;
  }

  /** The exit code of a child that has exited (137 or similar after a SIGKILL). */
  public int exitCode() {
    return process.exitValue();
  }

  /** How long the child ran, start to exit; -1 while it runs. */
  public long durationMillis() {
    return exitedAfterMillis;
  }

  /** Everything the child printed so far (stdout and stderr, merged). */
  public synchronized String output() {
    return output.toString();
  }

  /**
   * SIGKILLs the child (on Linux {@link Process#destroyForcibly} is SIGKILL) and waits until it is
   * gone. Returns the stage it had reached, or {@link #FINISHED} if it had already exited.
   */
  public String kill() {
    String reached = process.isAlive() ? stage : FINISHED;
    process.destroyForcibly();
    awaitExit(Duration.ofMinutes(1));
    return reached;
  }

  /**
   * Waits for the child to exit on its own and returns its exit code; kills it and throws when it
   * takes longer than {@code timeout}.
   */
  public int waitFor(Duration timeout) {
    if (!awaitExit(timeout)) {
      process.destroyForcibly();
      awaitExit(Duration.ofMinutes(1));
      throw new IllegalStateException(
          "agentlake child "
              + process.pid()
              + " did not finish in "
              + timeout
              + " and was killed; its output is in "
              + log);
    }
    return process.exitValue();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
    awaitExit(Duration.ofMinutes(1));
  }

  private boolean awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        return false;
      }
      if (exitedAfterMillis < 0) {
        exitedAfterMillis = millisSinceStart();
      }
      pump.join(TimeUnit.SECONDS.toMillis(30));
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new IllegalStateException("interrupted while waiting for agentlake child", e);
    }
  }

  private void pump() {
    byte[] buffer = new byte[8192];
    try (InputStream in = process.getInputStream();
        OutputStream file = Files.newOutputStream(log)) {
      int n;
      while ((n = in.read(buffer)) > 0) {
        file.write(buffer, 0, n);
        file.flush();
        append(new String(buffer, 0, n, StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      // The child was killed mid-write, or the log could not be written: what was read is kept.
      append("\n[agentlake-process: output no longer readable: " + e + "]\n");
    }
  }

  private synchronized void append(String text) {
    int from = Math.max(0, output.length() - OVERLAP);
    output.append(text);
    Matcher m = STEP.matcher(output);
    m.region(from, output.length());
    while (m.find()) {
      if (m.start() >= from) {
        String name = m.group(1);
        stageStartMillis.putIfAbsent(name, millisSinceStart());
        stage = name;
      }
    }
  }

  /**
   * The command line a child is started with. {@link #current()} copies this process: its java
   * binary, {@code java.class.path} (under the launcher the shaded jar plus Spark's classpath;
   * under surefire the test classpath) and JVM options, minus a debugger agent (its port would
   * clash). Options added later win over inherited ones ({@code -Xmx}, {@code -XX:...}: the JVM
   * takes the last).
   */
  public record Launcher(
      String java, String classpath, List<String> jvmOptions, Map<String, String> environment) {

    public Launcher {
      jvmOptions = List.copyOf(jvmOptions);
      environment = Map.copyOf(environment);
    }

    public static Launcher current() {
      String java =
          ProcessHandle.current()
              .info()
              .command()
              .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      List<String> options = new ArrayList<>();
      for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
        if (!arg.startsWith("-agentlib:jdwp") && !arg.startsWith("-Xrunjdwp")) {
          options.add(arg);
        }
      }
      Map<String, String> env = new LinkedHashMap<>();
      env.put("SPARK_LOCAL_IP", System.getenv().getOrDefault("SPARK_LOCAL_IP", "127.0.0.1"));
      return new Launcher(java, System.getProperty("java.class.path"), options, env);
    }

    /** This launcher with {@code options} after the inherited ones. */
    public Launcher withJvmOptions(List<String> options) {
      List<String> all = new ArrayList<>(jvmOptions);
      all.addAll(options);
      return new Launcher(java, classpath, all, environment);
    }

    /** The full command line for {@code agentlake <args>}. */
    public List<String> command(List<String> args) {
      List<String> command = new ArrayList<>();
      command.add(java);
      command.addAll(jvmOptions);
      command.add("-cp");
      command.add(classpath);
      command.add("io.agentlake.jobs.cli.Agentlake");
      command.addAll(args);
      return command;
    }

    /** Starts {@code agentlake <args>}; its merged output goes to {@code log}. */
    public AgentlakeProcess start(List<String> args, Path log) {
      ProcessBuilder pb = new ProcessBuilder(command(args)).redirectErrorStream(true);
      pb.environment().putAll(environment);
      pb.redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
      try {
        Files.createDirectories(log.toAbsolutePath().getParent());
        long started = System.nanoTime();
        return new AgentlakeProcess(pb.start(), started, log);
      } catch (IOException e) {
        throw new UncheckedIOException("could not start " + java + " for agentlake " + args, e);
      }
    }

    private static java.io.File nullDevice() {
      return new java.io.File(
          System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }
  }
}
