package io.rigserve.bench;

import com.google.protobuf.ByteString;
import com.typesafe.config.ConfigFactory;
import io.rigserve.proto.inference.GRPCInferenceServiceClient;
import io.rigserve.proto.inference.ModelInferRequest;
import io.rigserve.serving.demo.DemoModels;
import io.rigserve.serving.runtime.OnnxModel;
import io.rigserve.serving.runtime.OnnxRuntime;
import io.rigserve.serving.runtime.RuntimeSettings;
import io.rigserve.sharding.tensor.DataType;
import io.rigserve.sharding.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.grpc.GrpcClientSettings;

/**
 * Drives a running rig over REST and gRPC at given concurrencies for a bounded time, beside the
 * same model called in-process through ONNX Runtime, and prints throughput, p50/p90/p99 and the
 * latency each protocol adds over the baseline. Uses the demo model (input FP32 [1,4]). The
 * "-live" targets call the liveness endpoint: the transport's own floor, with no serving work.
 *
 * <pre>
 * java -cp ... io.rigserve.bench.LoadGenerator --host 127.0.0.1 --rest-port 8000 --grpc-port 8001 \
 *     --concurrency 1,4 --warmup 3s --duration 10s [--targets in-process,rest,grpc,rest-live,grpc-live] [--grpc-backend netty|pekko-http]
 * </pre>
 */
public final class LoadGenerator {

  private LoadGenerator() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = options(args);
    String host = opts.getOrDefault("host", "127.0.0.1");
    int restPort = Integer.parseInt(opts.getOrDefault("rest-port", "8000"));
    int grpcPort = Integer.parseInt(opts.getOrDefault("grpc-port", "8001"));
    String model = opts.getOrDefault("model", DemoModels.MLP_NAME);
    Duration warmup = Duration.parse("PT" + opts.getOrDefault("warmup", "3s").toUpperCase());
    Duration duration = Duration.parse("PT" + opts.getOrDefault("duration", "10s").toUpperCase());
    if (duration.toSeconds() > 600) throw new IllegalArgumentException("--duration is at most 600s");
    List<String> targets = List.of(opts.getOrDefault("targets", "in-process,rest,grpc").split(","));
    List<Integer> concurrencies = new ArrayList<>();
    for (String c : opts.getOrDefault("concurrency", "1").split(",")) concurrencies.add(Integer.parseInt(c.trim()));

    float[] input = {0.5f, -1.25f, 2.0f, 0.75f};
    byte[] raw = littleEndian(input);
    String json = "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[0.5,-1.25,2.0,0.75]}]}";
    ModelInferRequest grpcRequest = ModelInferRequest.newBuilder()
        .setModelName(model)
        .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("input").setDatatype("FP32").addShape(1).addShape(4))
        .addRawInputContents(ByteString.copyFrom(raw))
        .build();

    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bench",
        ConfigFactory.parseString("pekko.actor.provider = local\npekko.loglevel = WARNING").withFallback(ConfigFactory.load()));
    GRPCInferenceServiceClient grpc = GRPCInferenceServiceClient.create(
        GrpcClientSettings.connectToServiceAt(host, grpcPort, system).withTls(false)
            .withBackend(opts.getOrDefault("grpc-backend", "netty")), system);
    OnnxModel baseline = new OnnxRuntime(RuntimeSettings.from(ConfigFactory.load())).load(DemoModels.mlp());
    Tensor[] tensors = {new Tensor("input", DataType.FP32, new long[] {1, 4}, raw)};

    System.out.printf("model %s, warm-up %s, measured %s per run, %d cores%n",
        model, warmup, duration, Runtime.getRuntime().availableProcessors());
    System.out.println(LoadResult.header());
    try {
      for (int c : concurrencies) {
        Map<String, LoadLoop.Call> calls = Map.of(
            "in-process", new InProcessCall(baseline, tensors),
            "rest", RestCall.infer("http://" + host + ":" + restPort, model, json),
            "grpc", GrpcCall.infer(grpc, grpcRequest),
            "rest-live", RestCall.live("http://" + host + ":" + restPort),
            "grpc-live", GrpcCall.live(grpc));
        List<LoadResult> results = new ArrayList<>();
        for (String target : targets) {
          LoadLoop.Call call = calls.get(target);
          if (call == null) throw new IllegalArgumentException("unknown target " + target + ": " + calls.keySet());
          LoadResult r = LoadLoop.run(target, c, warmup, duration, call);
          System.out.println(r.row());
          results.add(r);
        }
        LoadResult base = results.stream().filter(r -> r.target().equals("in-process")).findFirst().orElse(null);
        for (LoadResult r : results) {
          if (base == null || r == base) continue;
          System.out.printf("  %-5s c=%d: p50 adds %.3f ms over in-process; throughput %.4f of in-process%n",
              r.target(), c, r.percentileMillis(50) - base.percentileMillis(50), r.throughput() / base.throughput());
        }
      }
    } finally {
      baseline.close();
      grpc.close();
      system.terminate();
    }
  }

  private static byte[] littleEndian(float[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) b.putFloat(v);
    return b.array();
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) throw new IllegalArgumentException("expected --option value, got " + args[i]);
      opts.put(args[i].substring(2), args[i + 1]);
    }
    return opts;
  }
}
