package io.rigserve.serving.fuzz;

import io.grpc.CallOptions;
import io.grpc.Codec;
import io.grpc.CompressorRegistry;
import io.grpc.Metadata;
import io.grpc.Status;
import io.rigserve.proto.inference.ModelInferRequest;
import io.rigserve.serving.RawGrpc;
import io.rigserve.serving.ServedModels;
import io.rigserve.serving.TestRig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The gRPC port under fuzz with a real gRPC client: field mutations of valid
 * {@code ModelInferRequest}s (typed and raw contents, shapes, parameters, outputs), byte
 * mutations of them, random bytes framed as messages of every method and of unknown ones,
 * hostile metadata, and compressed frames that lie (garbage or a bomb flagged as gzip).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GrpcFuzzTest {

  private static final List<String> METHODS = List.of("ServerLive", "ServerReady", "ModelReady", "ServerMetadata",
      "ModelMetadata", "ModelInfer");
  /** Server faults: a status a client can cause must never be one of these. */
  private static final Set<Status.Code> FAULTS = Set.of(Status.Code.INTERNAL, Status.Code.UNKNOWN, Status.Code.DATA_LOSS,
      Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED);
  /** Longest status message worth sending; anything longer echoes the client's input back. */
  private static final int LONGEST_MESSAGE = 16 * 1024;
  /** 64 MiB of zeros as gzip: about 64 KiB on the wire. */
  private static final byte[] BOMB = gzip(64 << 20);

  private TestRig rig;
  private RigWatch watch;
  private final List<RawGrpc> clients = new CopyOnWriteArrayList<>();
  private ThreadLocal<RawGrpc> honest;
  private ThreadLocal<RawGrpc> lying;

  @BeforeAll
  void start() throws Exception {
    Path repository = Files.createTempDirectory("rigserve-fuzz-grpc");
    ServedModels.writeRepository(repository);
    rig = TestRig.start(repository, "rigserve.serving.max-request-size = 1 MiB");
    watch = RigWatch.of(rig);
    int port = rig.rig.grpcPort();
    // One connection per client thread, so a connection one input breaks is seen by that input alone.
    honest = ThreadLocal.withInitial(() -> track(new RawGrpc(port, null)));
    CompressorRegistry lies = CompressorRegistry.newEmptyInstance();
    lies.register(new LyingGzip());
    lying = ThreadLocal.withInitial(() -> track(new RawGrpc(port, lies)));
  }

  private RawGrpc track(RawGrpc client) {
    clients.add(client);
    return client;
  }

  @AfterAll
  void stop() throws Exception {
    for (RawGrpc c : clients) c.close();
    watch.close();
    rig.close();
  }

  @Test
  void hostileGrpcRequestsGetClientStatusesInTimeAndTheRigAnswersValidRequestsAsBefore() throws Exception {
    FuzzRun.of("grpc").run((i, in, findings) -> {
      String method = RigWatch.INFER_METHOD;
      byte[] message;
      Metadata headers = new Metadata();
      CallOptions options = CallOptions.DEFAULT;
      RawGrpc client = honest.get();
      String category;
      int kind = in.below(20);
      ModelInferRequest valid = in.pick(InferRequestMutations.VALID);
      if (kind < 10) {
        category = "ModelInfer, mutated fields";
        message = InferRequestMutations.mutate(valid, in).toByteArray();
      } else if (kind < 13) {
        category = "ModelInfer, mutated bytes";
        message = in.mutate(valid.toByteArray());
      } else if (kind < 15) {
        category = "random bytes to a method";
        method = "inference.GRPCInferenceService/" + in.pick(METHODS);
        message = in.bytes();
      } else if (kind < 16) {
        category = "unknown method";
        method = in.pick("inference.GRPCInferenceService/" + in.pick("Nope", "modelInfer", "ModelInfer/x", "", "ModelStreamInfer",
            "RepositoryIndex", "A".repeat(10_000)), "inference.Other/ModelInfer", "grpc.reflection.v1alpha.ServerReflection/"
            + "ServerReflectionInfo", "x/y", "/", in.randomCodePoints(8).replace("/", "") + "/ModelInfer");
        message = in.bytes();
      } else if (kind < 19) {
        category = "hostile metadata";
        message = valid.toByteArray();
        hostileMetadata(headers, in);
      } else {
        category = "lying gzip frame";
        client = lying.get();
        options = options.withCompression("gzip");
        message = in.chance(0.1) ? BOMB : in.chance(0.5) ? in.bytes() : in.mutate(gzipOf(valid.toByteArray()));
      }
      RawGrpc.Result r = client.call(method, message, headers, options, FuzzRun.PATIENCE);
      String input = category + " " + method + " " + Findings.shown(new String(message, 0, Math.min(200, message.length),
          StandardCharsets.ISO_8859_1)) + " (" + message.length + " bytes) metadata " + headers.keys();
      if (r.hung()) {
        findings.add(category + ": no status within " + FuzzRun.PATIENCE.toSeconds() + " s", i, input);
      } else if (FAULTS.contains(r.status().getCode()) && !malformedPath(method, r.status())) {
        findings.add(category + ": " + r.status().getCode() + " " + gist(r.status().getDescription()), i, input);
      } else if (r.status().getDescription() != null && r.status().getDescription().length() > LONGEST_MESSAGE) {
        findings.add(category + ": status message of " + r.status().getDescription().length() + " chars echoes the input", i, input);
      }
    }, 500, watch::assertSameAnswers);
  }

  private static void hostileMetadata(Metadata headers, HostileInputs in) {
    int n = in.chance(0.1) ? in.pick(100, 1000) : 1 + in.below(4);
    for (int k = 0; k < n; k++) {
      String key = in.chance(0.5) ? in.pick("authorization", "grpc-timeout-x", "x-request-id", "user-agent-x", "cookie",
          "x-forwarded-for", "inference-header-content-length", "x-" + k) : "x-" + Long.toHexString(in.random.nextLong()) + k;
      if (in.chance(0.3)) {
        headers.put(Metadata.Key.of(key + Metadata.BINARY_HEADER_SUFFIX, Metadata.BINARY_BYTE_MARSHALLER), in.bytes());
      } else {
        String value = in.chance(0.1) ? "v".repeat(in.pick(4_000, 8_192, 9_000, 16_384, 64_000)) : printable(in.string());
        headers.put(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER), value);
      }
    }
  }

  /** Only printable ASCII is legal in an ASCII metadata value; the client would refuse the rest. */
  private static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) b.append(c >= 0x20 && c < 0x7f ? c : '?');
    return b.toString();
  }

  private static String gist(String description) {
    if (description == null) return "";
    String g = description.replaceAll("'[^']*'", "'…'").replaceAll("[0-9]+", "#");
    return g.length() > 100 ? g.substring(0, 100) : g;
  }

  private static byte[] gzip(int zeros) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      byte[] block = new byte[1 << 20];
      for (int written = 0; written < zeros; written += block.length) gz.write(block);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toByteArray();
  }

  private static byte[] gzipOf(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(bytes);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toByteArray();
  }

  /** Announces gzip but passes the message through as given: the frame is whatever the fuzzer made it. */
  private static final class LyingGzip implements Codec {
    @Override
    public String getMessageEncoding() {
      return "gzip";
    }

    @Override
    public OutputStream compress(OutputStream os) {
      return os;
    }

    @Override
    public InputStream decompress(InputStream is) {
      return is;
    }
  }

  /**
   * A method path with a space, a control character or a byte beyond ASCII is no URI path, so
   * HTTP/2 calls the request malformed (RFC 9113, 8.1.1) and a server ends it with a protocol
   * error, which a gRPC client reports as INTERNAL whatever the server does. Pekko ends the
   * sender's connection rather than the stream; the watch checks that the rig serves on.
   */
  private static boolean malformedPath(String method, Status status) {
    boolean uriPath = method.chars().allMatch(c -> c > 0x20 && c < 0x7f);
    return !uriPath && status.getCode() == Status.Code.INTERNAL;
  }
}
