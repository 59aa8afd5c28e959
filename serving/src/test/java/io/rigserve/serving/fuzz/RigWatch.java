package io.rigserve.serving.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.Metadata;
import io.grpc.Status;
import io.rigserve.proto.inference.ModelInferRequest;
import io.rigserve.proto.inference.ModelInferRequest.InferInputTensor;
import io.rigserve.serving.RawGrpc;
import io.rigserve.serving.TestRig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Watches one rig through a fuzz run: before it, records the rig's answers to valid requests on
 * every surface (REST and gRPC inference, model metadata, a partition file on the data plane,
 * management liveness); during and after it, checks that the rig still answers them, in time,
 * with the very same bytes.
 */
final class RigWatch implements AutoCloseable {

  static final String REST_INFER = """
      {"id": "watch", "inputs": [
        {"name": "features", "shape": [2, 4], "datatype": "FP32", "data": [0.5, -1, 2, 0.25, -3, 1.5, 0, 4]},
        {"name": "offset", "shape": [2, 3], "datatype": "FP32", "data": [0.1, 0.2, -0.3, 1, -1, 0]}]}""";

  static final ModelInferRequest GRPC_INFER = ModelInferRequest.newBuilder()
      .setModelName("mlp").setId("watch")
      .addInputs(InferInputTensor.newBuilder().setName("features").setDatatype("FP32").addShape(1).addShape(4))
      .addInputs(InferInputTensor.newBuilder().setName("offset").setDatatype("FP32").addShape(1).addShape(3))
      .addRawInputContents(fp32(0.5f, -1f, 2f, 0.25f))
      .addRawInputContents(fp32(0.1f, 0.2f, -0.3f))
      .build();

  static final String INFER_METHOD = "inference.GRPCInferenceService/ModelInfer";
  static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final TestRig rig;
  private final String bearer;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(FuzzRun.PATIENCE).build();
  private final RawGrpc grpc;
  private byte[] restInfer;
  private byte[] metadata;
  private byte[] grpcInfer;
  private byte[] artifact;

  private RigWatch(TestRig rig, String bearer) {
    this.rig = rig;
    this.bearer = bearer;
    this.grpc = new RawGrpc(rig.rig.grpcPort(), null);
  }

  /** Starts watching {@code rig}: its answers now are the ones it must keep giving. */
  static RigWatch of(TestRig rig) throws Exception {
    return of(rig, null);
  }

  /** Watches a rig that wants {@code Authorization: Bearer <bearer>} on inference (null: none). */
  static RigWatch of(TestRig rig, String bearer) throws Exception {
    RigWatch watch = new RigWatch(rig, bearer);
    watch.restInfer = watch.expect(200, "POST", rig.baseUrl() + "/v2/models/mlp/infer", REST_INFER);
    watch.metadata = watch.expect(200, "GET", rig.baseUrl() + "/v2/models/mlp", null);
    watch.grpcInfer = watch.grpcInfer();
    watch.artifact = watch.expect(200, "GET", watch.dataPlane() + "/artifacts/mlp/1/0", null);
    return watch;
  }

  String dataPlane() {
    return "http://127.0.0.1:" + rig.rig.rigSettings().dataPlanePort();
  }

  /** Every valid request answered in time with the bytes recorded at the start; throws otherwise. */
  void assertSameAnswers() {
    try {
      expect(200, "GET", rig.baseUrl() + "/v2/health/live", null);
      expect(200, "GET", rig.baseUrl() + "/v2/health/ready", null);
      assertArrayEquals(restInfer, expect(200, "POST", rig.baseUrl() + "/v2/models/mlp/infer", REST_INFER),
          "REST inference answers differently");
      assertArrayEquals(metadata, expect(200, "GET", rig.baseUrl() + "/v2/models/mlp", null),
          "model metadata reads differently");
      assertArrayEquals(grpcInfer, grpcInfer(), "gRPC inference answers differently");
      assertArrayEquals(artifact, expect(200, "GET", dataPlane() + "/artifacts/mlp/1/0", null),
          "the data plane serves a different partition file");
      expect(200, "GET", "http://127.0.0.1:" + rig.rig.managementPort() + "/alive", null);
    } catch (AssertionError e) {
      throw e;
    } catch (Exception e) {
      throw new AssertionError("a valid request failed: " + e, e);
    }
  }

  private byte[] expect(int status, String method, String url, String json) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(FuzzRun.PATIENCE);
    if (bearer != null) request.header("Authorization", "Bearer " + bearer);
    if (json == null) request.method(method, HttpRequest.BodyPublishers.noBody());
    else request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
    HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(status, response.statusCode(), method + " " + url + ": " + new String(response.body()));
    return response.body();
  }

  private byte[] grpcInfer() throws InterruptedException {
    Metadata headers = new Metadata();
    if (bearer != null) headers.put(AUTHORIZATION, "Bearer " + bearer);
    RawGrpc.Result r = grpc.call(INFER_METHOD, GRPC_INFER.toByteArray(), headers, CallOptions.DEFAULT, FuzzRun.PATIENCE);
    assertEquals(Status.Code.OK, r.status().getCode(), "gRPC inference: " + r.status());
    return r.message();
  }

  static ByteString fp32(float... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) b.putFloat(v);
    return ByteString.copyFrom(b.array());
  }

  @Override
  public void close() throws InterruptedException {
    grpc.close();
  }
}
