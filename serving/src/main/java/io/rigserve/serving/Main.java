package io.rigserve.serving;

import com.typesafe.config.ConfigFactory;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.CoordinatedShutdown;
import sun.misc.Signal;

/** Starts one rig from application.conf / reference.conf and the RIGSERVE_* environment. */
public final class Main {

  private Main() {}

  public static void main(String[] args) throws Exception {
    Rig rig;
    try {
      rig = Rig.start(ConfigFactory.load()).toCompletableFuture().get(120, TimeUnit.SECONDS);
    } catch (IllegalArgumentException e) {
      System.err.println("rigserve: " + e.getMessage());
      System.exit(2);
      return;
    }
    // SIGTERM: drain, leave the cluster, exit 0 (the JVM's own hook would exit 143).
    Signal.handle(new Signal("TERM"), signal ->
        rig.stop().whenComplete((done, error) -> System.exit(error == null ? 0 : 1)));
    printWelcome(rig);
    rig.system().getWhenTerminated().toCompletableFuture().join();
  }

  private static void printWelcome(Rig rig) {
    String host = rig.settings().httpHost();
    String rest = "http://" + host + ":" + rig.httpPort();
    System.out.printf("""

        rigserve rig up: region %s, cluster node %s:%d
          REST (Open Inference Protocol): %s/v2
          gRPC (inference.GRPCInferenceService): %s:%d
          model repository: %s
        Try:
          curl -s %s/v2/models/demo
          curl -s -X POST %s/v2/models/demo/infer -H 'Content-Type: application/json' \\
            -d '{"inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","data":[1.0,2.0,3.0,4.0]}]}'
        Stop with Ctrl-C.

        """,
        rig.rigSettings().region(), rig.rigSettings().host(), rig.rigSettings().port(),
        rest, host, rig.grpcPort(), rig.settings().repositoryPath(), rest, rest);
    CoordinatedShutdown.get(rig.system()); // make sure the JVM hook is registered for Ctrl-C
  }
}
