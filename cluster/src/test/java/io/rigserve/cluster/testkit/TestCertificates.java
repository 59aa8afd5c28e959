package io.rigserve.cluster.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * TLS material made at test time by the operators' own script, {@code deploy/certs.sh}, found
 * from the module folder Maven runs tests in.
 */
public final class TestCertificates {

  private TestCertificates() {}

  /** Runs {@code certs.sh out rigs...}: a CA in {@code out} (reused if there) and one folder per rig. */
  public static Path make(Path out, String... rigs) {
    Path script = Path.of("..", "deploy", "certs.sh").toAbsolutePath().normalize();
    if (!Files.isExecutable(script)) {
      throw new IllegalStateException("no executable " + script + " (tests run from a module folder)");
    }
    List<String> command = new ArrayList<>(List.of(script.toString(), out.toString()));
    command.addAll(List.of(rigs));
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException("certs.sh failed: " + output);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + script, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while making certificates", e);
    }
    return out;
  }
}
