package io.rigserve.serving;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.rigserve.cluster.security.SecuritySettings;
import io.rigserve.serving.logging.LogFormat;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import sun.misc.Signal;

/** Starts one rig from application.conf / reference.conf and the RIGSERVE_* environment. */
public final class Main {

  private Main() {}

  public static void main(String[] args) throws Exception {
    Config config = ConfigFactory.load();
    try {
      LogFormat.from(config).apply();
    } catch (IllegalArgumentException e) {
      System.err.println("rigserve: " + e.getMessage());
      System.exit(2);
      return;
    }
    RigProcess process;
    try {
      // A rig the cluster downs (say, after its region was cut off) builds a new actor system and
      // rejoins; its REST and gRPC listeners stay bound throughout.
      process = RigProcess.start(config);
    } catch (IllegalArgumentException e) {
      System.err.println("rigserve: " + e.getMessage());
      System.exit(2);
      return;
    } catch (ExecutionException e) {
      System.err.println("rigserve: " + e.getCause().getMessage());
      System.exit(2);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    // SIGTERM: stop accepting requests, drain in-flight ones, leave the cluster, exit 0.
    Signal.handle(new Signal("TERM"), signal -> process.stop().whenComplete((done, error) -> {
      stopped.countDown();
      System.exit(error == null ? 0 : 1);
    }));
    printWelcome(process);
    stopped.await();
  }

  private static void printWelcome(RigProcess process) {
    Rig rig = process.current();
    String host = rig.settings().httpHost();
    boolean tls = SecuritySettings.from(rig.system().settings().config()).clientTlsDir().isPresent();
    String rest = (tls ? "https://" : "http://") + host + ":" + process.httpPort();
    System.out.printf("""

        rigserve rig up: region %s, cluster node %s:%d
          REST (Open Inference Protocol): %s/v2
          gRPC (inference.GRPCInferenceService): %s:%d
          management: http://%s:%d (/ready, /cluster/members, /admin/cluster, /admin/regions)
          model repository: %s
        Try:
          curl -s %s/v2/models/demo
          curl -s -X POST %s/v2/models/demo/infer -H 'Content-Type: application/json' \\
            -d '{"inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","data":[1.0,2.0,3.0,4.0]}]}'
        Stop with Ctrl-C.

        """,
        rig.rigSettings().region(), rig.rigSettings().host(), rig.rigSettings().port(),
        rest, host, process.grpcPort(), rig.rigSettings().managementBindHost(), rig.managementPort(),
        rig.settings().repositoryPath(), rest, rest);
  }
}
