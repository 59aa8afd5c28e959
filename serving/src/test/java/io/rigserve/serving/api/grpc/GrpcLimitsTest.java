package io.rigserve.serving.api.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.Codec;
import io.grpc.CompressorRegistry;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.rigserve.cluster.http.ClientText;
import io.rigserve.proto.inference.ModelInferRequest;
import io.rigserve.proto.inference.ModelReadyRequest;
import io.rigserve.proto.inference.ModelReadyResponse;
import io.rigserve.serving.RawGrpc;
import io.rigserve.serving.ServedModels;
import io.rigserve.serving.TestRig;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Hostile gRPC calls: each is refused with a non-INTERNAL status and the rig keeps serving. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GrpcLimitsTest {

  private TestRig rig;
  private RawGrpc grpc;

  @BeforeAll
  void start() throws Exception {
    Path repository = Files.createTempDirectory("rigserve-grpc-limits");
    ServedModels.writeRepository(repository);
    rig = TestRig.start(repository, "rigserve.serving.max-request-size = 1 MiB");
    grpc = new RawGrpc(rig.rig.grpcPort(), null);
  }

  @AfterAll
  void stop() throws Exception {
    grpc.close();
    rig.close();
  }

  @Test
  void aGzipBombIsRefusedUnimplementedWithoutBeingInflated() throws Exception {
    byte[] bomb = gzipOfZeros(1L << 29);
    assertTrue(bomb.length > 500_000 && bomb.length < (1 << 20), "bomb of " + bomb.length + " bytes");
    CompressorRegistry registry = CompressorRegistry.newEmptyInstance();
    registry.register(new Codec() {
      @Override
      public String getMessageEncoding() {
        return "gzip";
      }

      @Override
      public OutputStream compress(OutputStream os) {
        // Whatever message is written, the frame carries the bomb: half a megabyte on the wire, 512 MiB inflated.
        return new FilterOutputStream(os) {
          @Override
          public void write(int b) {
          }

          @Override
          public void write(byte[] b, int off, int len) {
          }

          @Override
          public void close() throws IOException {
            out.write(bomb);
            out.close();
          }
        };
      }

      @Override
      public InputStream decompress(InputStream is) {
        throw new UnsupportedOperationException();
      }
    });
    try (RawGrpc compressing = new RawGrpc(rig.rig.grpcPort(), registry)) {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> compressing.unary("ModelInfer",
          ModelInferRequest.newBuilder().setModelName("mlp").build().toByteArray(), new Metadata(),
          CallOptions.DEFAULT.withCompression("gzip")));
      assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode(), String.valueOf(e.getStatus()));
      assertTrue(e.getStatus().getDescription().contains("grpc-encoding"), String.valueOf(e.getStatus()));
    }
    assertStillServes();
  }

  @Test
  void malformedProtobufIsInvalidArgumentAndTheRigKeepsServing() {
    byte[] garbage = {(byte) 0x0a, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0x0f, 0x01};
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> grpc.unary("ModelInfer", garbage));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), String.valueOf(e.getStatus()));
    assertStillServes();
  }

  @Test
  void aMessageOverTheSizeLimitIsRefusedAndTheRigKeepsServing() {
    byte[] huge = new byte[2 << 20];
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> grpc.unary("ModelInfer", huge));
    assertTrue(e.getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED, String.valueOf(e.getStatus()));
    assertStillServes();
  }

  @Test
  void aShapeWhoseElementCountOverflowsIsInvalidArgument() {
    for (boolean raw : new boolean[] {true, false}) {
      ModelInferRequest.Builder request = ModelInferRequest.newBuilder().setModelName("cast");
      ModelInferRequest.InferInputTensor.Builder input = request.addInputsBuilder()
          .setName("ints").setDatatype("INT32").addShape(Integer.MAX_VALUE).addShape(Integer.MAX_VALUE)
          .addShape(Integer.MAX_VALUE);
      if (raw) request.addRawInputContents(ByteString.copyFrom(new byte[8]));
      else input.getContentsBuilder().addIntContents(1);
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
          () -> grpc.unary("ModelInfer", request.build().toByteArray()));
      assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), String.valueOf(e.getStatus()));
    }
    assertStillServes();
  }

  @Test
  void unknownMethodsAndServicesAreUnimplemented() {
    StatusRuntimeException method = assertThrows(StatusRuntimeException.class,
        () -> grpc.unary("inference.GRPCInferenceService/SystemSharedMemoryStatus", new byte[0]));
    assertEquals(Status.Code.UNIMPLEMENTED, method.getStatus().getCode(), String.valueOf(method.getStatus()));
    StatusRuntimeException service = assertThrows(StatusRuntimeException.class,
        () -> grpc.unary("other.Service/Call", new byte[0]));
    assertEquals(Status.Code.UNIMPLEMENTED, service.getStatus().getCode(), String.valueOf(service.getStatus()));
    for (String odd : new String[] {"A".repeat(10_000) + "/ModelInfer", "a<b>{c}|d/ModelInfer", "x/y"}) {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
          () -> grpc.unary(odd, new byte[0]));
      assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode(), () -> ClientText.echo(String.valueOf(e.getStatus())));
    }
    assertStillServes();
  }

  @Test
  void aHugeClientStringIsEchoedCutShortAndTheCallIsAnswered() {
    String name = "m".repeat(100_000);
    ModelInferRequest.Builder request = ModelInferRequest.newBuilder().setModelName(name);
    request.addInputsBuilder().setName("ints").setDatatype("INT32").addShape(1).getContentsBuilder().addIntContents(1);
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> grpc.unary("ModelInfer", request.build().toByteArray()));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode(), String.valueOf(e.getStatus()).substring(0, 200));
    assertTrue(e.getStatus().getDescription().length() <= 1100, "description of " + e.getStatus().getDescription().length());
    assertTrue(e.getStatus().getDescription().contains("m".repeat(128) + "…"), e.getStatus().getDescription());
    assertStillServes();
  }

  @Test
  void largeAndManyMetadataEntriesStillGetAnAnswerOfTheirOwn() throws Exception {
    Metadata large = new Metadata();
    large.put(Metadata.Key.of("x-large", Metadata.ASCII_STRING_MARSHALLER), "l".repeat(64_000));
    large.put(Metadata.Key.of("x-large-bin", Metadata.BINARY_BYTE_MARSHALLER), new byte[70_000]);
    for (int i = 0; i < 1000; i++) large.put(Metadata.Key.of("x-" + i, Metadata.ASCII_STRING_MARSHALLER), "v" + i);
    byte[] ready = grpc.unary("ModelReady",
        ModelReadyRequest.newBuilder().setName("mlp").build().toByteArray(), large, CallOptions.DEFAULT);
    assertTrue(ModelReadyResponse.parseFrom(ready).getReady());
    assertStillServes();
  }

  @Test
  void aHeaderOverTheHeaderLimitEndsOnlyTheSendersConnection() throws Exception {
    // Pekko's HTTP/2 server refuses such a header by closing that connection (GOAWAY): no per-stream answer.
    try (RawGrpc sender = new RawGrpc(rig.rig.grpcPort(), null)) {
      assertStillServes();
      Metadata big = new Metadata();
      big.put(Metadata.Key.of("x-big", Metadata.ASCII_STRING_MARSHALLER), "b".repeat(GrpcHeaderLimits.MAX_HEADER_VALUE_LENGTH + 1));
      assertThrows(StatusRuntimeException.class, () -> sender.unary(
          "ModelReady", ModelReadyRequest.newBuilder().setName("mlp").build().toByteArray(), big, CallOptions.DEFAULT));
      assertStillServes();
      byte[] again = sender.unary("ModelReady", ModelReadyRequest.newBuilder().setName("mlp").build().toByteArray());
      assertTrue(ModelReadyResponse.parseFrom(again).getReady());
    }
  }

  private void assertStillServes() {
    byte[] ready = grpc.unary("ModelReady", ModelReadyRequest.newBuilder().setName("mlp").build().toByteArray());
    try {
      assertTrue(ModelReadyResponse.parseFrom(ready).getReady());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] gzipOfZeros(long size) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(out, 1 << 16)) {
      byte[] zeros = new byte[1 << 20];
      for (long written = 0; written < size; written += zeros.length) gzip.write(zeros);
    }
    return out.toByteArray();
  }
}
