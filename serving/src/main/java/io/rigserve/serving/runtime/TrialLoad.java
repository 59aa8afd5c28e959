package io.rigserve.serving.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rigserve.serving.model.TensorSpecJson;
import io.rigserve.sharding.tensor.TensorSpec;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a model the rig does not trust yet (an upload) in a child JVM on the same classpath, so
 * that ONNX Runtime crashing on it (a segfault in native code kills a whole process) costs the
 * child, not the rig. The child is bounded in time, Java heap, direct memory and, where prlimit(1)
 * exists, virtual address space, which is the only bound on ONNX Runtime's native memory; its
 * output is read up to a cap. It prints the model's inputs and outputs as JSON on stdout.
 */
public final class TrialLoad {

  /** The inputs and outputs ONNX Runtime reported for the model. */
  public record Signature(List<TensorSpec> inputs, List<TensorSpec> outputs) {}

  private static final Logger log = LoggerFactory.getLogger(TrialLoad.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path PRLIMIT = Path.of("/usr/bin/prlimit");
  // The child's exit when ONNX Runtime refused the model with a reason (printed as {"error": ...}).
  private static final int REFUSED = 3;
  // Starts the answer's line: libraries (logging set-up, the JVM) may print to stdout before it.
  private static final String ANSWER = "rigserve-trial-load:";
  // Enough for a signature of thousands of tensors; a child printing more is misbehaving.
  private static final int MAX_STDOUT = 1 << 20;
  private static final int MAX_STDERR_TAIL = 4096;
  private static final Pattern SIGNAL = Pattern.compile("#\\s+(SIG[A-Z]+)");

  private final TrialLoadSettings settings;
  private final RuntimeSettings runtime;

  public TrialLoad(TrialLoadSettings settings, RuntimeSettings runtime) {
    this.settings = settings;
    this.runtime = runtime;
    if (settings.addressSpace() > 0 && !Files.isExecutable(PRLIMIT)) {
      log.warn("prlimit is not installed: trial loads of uploads run without a bound on native memory");
    }
  }

  /**
   * Loads {@code modelFile} in a child process and returns its signature. Blocking (about a
   * second of JVM start, plus the load): call it off Pekko's dispatchers.
   *
   * @throws ModelLoadException with the reason when ONNX Runtime refuses the model, crashes on
   *     it, exceeds a bound, or takes longer than the timeout
   */
  public Signature run(Path modelFile) {
    Path scratch;
    try {
      scratch = Files.createTempDirectory("rigserve-trial-");
    } catch (IOException e) {
      throw new IllegalStateException("cannot create a folder for a trial load: " + e.getMessage(), e);
    }
    try {
      return run(modelFile.toAbsolutePath(), scratch);
    } finally {
      deleteQuietly(scratch);
    }
  }

  private Signature run(Path modelFile, Path scratch) {
    Path crashReport = scratch.resolve("crash.log");
    Process child;
    try {
      child = new ProcessBuilder(command(modelFile, scratch, crashReport))
          .directory(scratch.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start a trial load process: " + e.getMessage(), e);
    }
    BoundedReader stdout = BoundedReader.start(child.getInputStream(), MAX_STDOUT, false);
    BoundedReader stderr = BoundedReader.start(child.getErrorStream(), MAX_STDERR_TAIL, true);
    boolean finished;
    try {
      finished = child.waitFor(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      kill(child);
      Thread.currentThread().interrupt();
      throw new ModelLoadException("the trial load was interrupted");
    }
    if (!finished) {
      kill(child);
      long ms = settings.timeout().toMillis();
      throw new ModelLoadException("ONNX Runtime did not finish loading the model within "
          + (ms < 1000 ? ms + " ms" : ms / 1000 + " s"));
    }
    int exit = child.exitValue();
    String out = stdout.await();
    String err = stderr.await();
    if ((exit == 0 || exit == REFUSED) && !stdout.overflowed()) {
      JsonNode answer = parse(out);
      if (answer != null && exit == REFUSED && answer.path("error").isTextual()) {
        throw new ModelLoadException(answer.get("error").asText());
      }
      if (answer != null && exit == 0 && answer.has("inputs")) {
        return new Signature(TensorSpecJson.fromJson(answer.get("inputs")), TensorSpecJson.fromJson(answer.get("outputs")));
      }
    }
    if (Files.exists(crashReport)) {
      String signal = signalIn(crashReport);
      log.warn("trial load of {} crashed ({}), exit code {}: {}", modelFile, signal, exit, err.strip());
      throw new ModelLoadException("ONNX Runtime crashed while loading the model (" + signal
          + " in the trial process, exit code " + exit + ")");
    }
    log.warn("trial load of {} failed with exit code {}: {}", modelFile, exit, err.strip());
    if (stdout.overflowed()) {
      throw new ModelLoadException("the trial load printed more than " + MAX_STDOUT + " bytes");
    }
    throw new ModelLoadException("the trial load of the model failed (the trial process exited with code " + exit
        + (err.contains("OutOfMemoryError") || err.contains("bad_alloc") ? ", out of memory" : "") + ")");
  }

  private List<String> command(Path modelFile, Path scratch, Path crashReport) {
    List<String> cmd = new ArrayList<>();
    if (settings.addressSpace() > 0 && Files.isExecutable(PRLIMIT)) {
      cmd.addAll(List.of(PRLIMIT.toString(), "--as=" + settings.addressSpace(), "--core=0", "--"));
    }
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of(
        "-Xmx" + settings.heap(),
        "-XX:MaxDirectMemorySize=" + settings.directMemory(),
        // Small reservations keep the JVM within the address-space bound; C1 only starts fast.
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:ReservedCodeCacheSize=32m",
        "-XX:CompressedClassSpaceSize=64m", "-Xss1m",
        "-XX:-CreateCoredumpOnCrash", "-XX:ErrorFile=" + crashReport,
        // ONNX Runtime unpacks its native library here; the folder is deleted after the trial.
        "-Djava.io.tmpdir=" + scratch,
        "-cp", absoluteClassPath(),
        TrialLoad.class.getName(),
        modelFile.toString(),
        Integer.toString(runtime.intraOpThreads()),
        Integer.toString(runtime.interOpThreads()),
        runtime.optimizationLevel()));
    return cmd;
  }

  // The child runs in another folder: relative classpath entries (java -jar lib/...) must be absolute.
  private static String absoluteClassPath() {
    List<String> entries = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (!entry.isEmpty()) entries.add(Path.of(entry).toAbsolutePath().toString());
    }
    return String.join(File.pathSeparator, entries);
  }

  private static void kill(Process child) {
    child.descendants().forEach(ProcessHandle::destroyForcibly);
    child.destroyForcibly();
    try {
      child.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // The JVM's crash report names the signal near its top: "#  SIGSEGV (0xb) at pc=...".
  private static String signalIn(Path crashReport) {
    try (InputStream in = Files.newInputStream(crashReport)) {
      Matcher m = SIGNAL.matcher(new String(in.readNBytes(4096), StandardCharsets.UTF_8));
      return m.find() ? m.group(1) : "a fatal error";
    } catch (IOException e) {
      return "a fatal error";
    }
  }

  private static JsonNode parse(String out) {
    int at = out.lastIndexOf("\n" + ANSWER);
    if (at < 0) {
      return null;
    }
    try {
      JsonNode node = JSON.readTree(out.substring(at + 1 + ANSWER.length()));
      return node != null && node.isObject() ? node : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> all = Files.walk(dir)) {
      all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      log.warn("cannot delete the trial load folder {}: {}", dir, e.getMessage());
    }
  }

  /**
   * The child: {@code TrialLoad <model> <intra-op threads> <inter-op threads> <optimization level>}.
   * Prints {@value #ANSWER} and JSON on a line of its own, and exits 0 with {"inputs": [...],
   * "outputs": [...]}, or {@value #REFUSED} with {"error": "..."}.
   */
  public static void main(String[] args) {
    // Only the answer goes to stdout from here on; anything else goes to stderr.
    PrintStream answer = System.out;
    System.setOut(System.err);
    ObjectNode result = JSON.createObjectNode();
    int exit = 0;
    try {
      OnnxRuntime ort = new OnnxRuntime(new RuntimeSettings(
          Integer.parseInt(args[1]), Integer.parseInt(args[2]), args[3]));
      try (OnnxModel model = ort.load(Path.of(args[0]))) {
        result.set("inputs", TensorSpecJson.toJson(model.inputs()));
        result.set("outputs", TensorSpecJson.toJson(model.outputs()));
      }
    } catch (RuntimeException e) {
      result.removeAll();
      result.put("error", String.valueOf(e.getMessage()));
      exit = REFUSED;
    }
    answer.print("\n" + ANSWER + result + "\n");
    answer.flush();
    System.exit(exit);
  }

  /** Drains a child's stream on its own thread, keeping at most {@code cap} bytes (head or tail). */
  private static final class BoundedReader {
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private final Thread thread;
    private volatile boolean overflowed;

    private BoundedReader(InputStream in, int cap, boolean tail) {
      thread = new Thread(() -> drain(in, cap, tail), "trial-load-output");
      thread.setDaemon(true);
    }

    static BoundedReader start(InputStream in, int cap, boolean tail) {
      BoundedReader r = new BoundedReader(in, cap, tail);
      r.thread.start();
      return r;
    }

    private void drain(InputStream in, int cap, boolean tail) {
      byte[] buffer = new byte[8192];
      try (in) {
        for (int n; (n = in.read(buffer)) >= 0; ) {
          synchronized (kept) {
            if (kept.size() + n <= cap) {
              kept.write(buffer, 0, n);
            } else if (tail) {
              byte[] all = kept.toByteArray();
              kept.reset();
              int keep = Math.max(0, cap - n);
              kept.write(all, Math.max(0, all.length - keep), Math.min(keep, all.length));
              kept.write(buffer, Math.max(0, n - cap), Math.min(n, cap));
            } else {
              overflowed = true;
            }
          }
        }
      } catch (IOException e) {
        // The child died or was killed: what was read so far is all there is.
      }
    }

    String await() {
      try {
        thread.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      synchronized (kept) {
        return kept.toString(StandardCharsets.UTF_8);
      }
    }

    boolean overflowed() {
      return overflowed;
    }
  }
}
