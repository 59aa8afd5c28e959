package io.rigserve.serving.repository;

import static io.rigserve.serving.api.rest.RestAssertions.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.rigserve.serving.ServedModels;
import io.rigserve.serving.TestRig;
import io.rigserve.serving.TestRig.Reply;
import io.rigserve.serving.onnx.OnnxGraphBuilder;
import io.rigserve.serving.testmodels.HostileModels;
import io.rigserve.serving.testmodels.HostileModels.Place;
import io.rigserve.sharding.tensor.DataType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Uploads an attacker would send, over real HTTP to a real rig: each is refused, the rig serves on. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileUploadTest {

  private static final String MLP_REQUEST = "{\"inputs\":[{\"name\":\"features\",\"shape\":[1,4],\"datatype\":\"FP32\","
      + "\"data\":[1,2,3,4]},{\"name\":\"offset\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[0,0,0]}]}";

  private final AtomicInteger versions = new AtomicInteger();
  private Path repository;
  private TestRig rig;
  private String served;

  @BeforeAll
  void start() throws Exception {
    repository = Files.createTempDirectory("rigserve-hostile");
    ServedModels.writeRepository(repository);
    rig = TestRig.start(repository, "");
    served = rig.post("/v2/models/mlp/infer", MLP_REQUEST).body();
  }

  @AfterAll
  void stop() throws Exception {
    rig.close();
  }

  @AfterEach
  void theRigStillServesAndKeepsNothingOfTheUpload() throws Exception {
    Reply infer = rig.post("/v2/models/mlp/infer", MLP_REQUEST);
    assertEquals(200, infer.status(), infer.body());
    assertEquals(served, infer.body());
    assertFalse(Files.exists(repository.resolve("evil")), "a refused upload was placed");
    try (Stream<Path> staged = Files.list(repository.resolve(".staging"))) {
      assertEquals(0, staged.count(), "staging folders were left behind");
    }
  }

  @Test
  void aSparseInitializerReadingEtcPasswdIsRefused() throws Exception {
    assertError(400, "absolute path", upload(HostileModels.externalAt(Place.SPARSE_INITIALIZER_VALUES, "/etc/passwd")));
    assertError(400, "outside the model's folder",
        upload(HostileModels.externalAt(Place.SPARSE_INITIALIZER_VALUES, "../../../../../../../../etc/passwd")));
  }

  @ParameterizedTest
  @EnumSource(Place.class)
  void externalDataEscapingTheFolderIsRefusedWhereverTheTensorSits(Place place) throws Exception {
    assertError(400, "outside the model's folder", upload(HostileModels.externalAt(place, "../model.onnx.sha256")));
  }

  @Test
  void onnxRuntimesMemoryAddressTagIsRefused() throws Exception {
    assertError(400, "special external data location",
        upload(HostileModels.externalAt(Place.SPARSE_INITIALIZER_VALUES, "*/_ORT_MEM_ADDR_/*", "16", "4")));
  }

  @Test
  void anUploadOnnxRuntimeRefusesInTheTrialProcessIsRefusedWithItsReason() throws Exception {
    byte[] unknownOp = OnnxGraphBuilder.graph("unknown_op")
        .input("x", DataType.FP32, 3)
        .node("NoSuchOperator", List.of("x"), List.of("y"))
        .output("y", DataType.FP32, 3)
        .toBytes();
    Reply reply = upload(unknownOp);
    assertError(400, "ONNX Runtime cannot load the uploaded model", reply);
    assertError(400, "NoSuchOperator", reply);
  }

  private Reply upload(byte[] model) throws Exception {
    return rig.put("/v2/repository/models/evil/versions/" + versions.incrementAndGet(), model);
  }
}
