package io.rigserve.serving.api.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.rigserve.proto.inference.ModelReadyRequest;
import io.rigserve.proto.inference.ModelReadyResponse;
import io.rigserve.serving.RawGrpc;
import io.rigserve.serving.ServedModels;
import io.rigserve.serving.TestRig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** What arrives on the gRPC port as raw bytes: malformed protobuf and oversized messages. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GrpcWireTest {

  private TestRig rig;
  private RawGrpc grpc;

  @BeforeAll
  void start() throws Exception {
    Path repository = Files.createTempDirectory("rigserve-grpc-wire");
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

  private void assertStillServes() {
    byte[] ready = grpc.unary("ModelReady", ModelReadyRequest.newBuilder().setName("mlp").build().toByteArray());
    try {
      assertTrue(ModelReadyResponse.parseFrom(ready).getReady());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
