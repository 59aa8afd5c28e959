package io.rigserve.serving.fuzz;

import io.rigserve.serving.ServedModels;
import io.rigserve.serving.TestRig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Model uploads under fuzz: byte and field mutations of valid ONNX models sent to
 * {@code PUT /v2/repository/models/{m}/versions/{v}}, some with hostile names, versions and
 * headers. Besides the common checks, an upload whose external data leaves the model's folder
 * (or names a location special to ONNX Runtime) must be refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UploadFuzzTest {

  private TestRig rig;
  private RigWatch watch;

  @BeforeAll
  void start() throws Exception {
    Path repository = Files.createTempDirectory("rigserve-fuzz-upload");
    ServedModels.writeRepository(repository);
    Files.write(repository.resolve("secret.bin"), new byte[64]);
    rig = TestRig.start(repository, "rigserve.repository.max-upload-size = 4 MiB");
    watch = RigWatch.of(rig);
  }

  @AfterAll
  void stop() throws Exception {
    watch.close();
    rig.close();
  }

  @Test
  void hostileModelUploadsAreRefusedOrStoredNeverCrashTheRigAndNeverEscapeTheModelFolder() throws Exception {
    int port = rig.rig.httpPort();
    FuzzRun.of("upload").run((i, in, findings) -> {
      OnnxMutations.Mutated model = OnnxMutations.mutate(in);
      String name = "fuzzed";
      String version = Integer.toString(i + 1);
      if (in.chance(0.08)) name = in.segment();
      if (in.chance(0.08)) version = in.segment();
      RawRequest request = new RawRequest("PUT", "/v2/repository/models/" + name + "/versions/" + version, model.bytes())
          .header("Content-Type", "application/octet-stream");
      if (in.chance(0.1)) request.withHostileHeaders(in);
      RawHttp.Answer answer = RawHttp.exchange(port, request.toBytes(), FuzzRun.PATIENCE);
      String input = model.what() + ": " + request;
      if (model.escapes() && answer.status() >= 200 && answer.status() < 300) {
        findings.add("upload with " + model.what().replaceAll(" at .*", "") + " outside the folder accepted ("
            + answer.status() + ")", i, input);
      }
      HttpVerdict.judge(answer, "PUT /v2/repository/models/{m}/versions/{v}, " + model.what().replaceAll(" at .*", ""), i, input,
          findings, true, false);
    }, 500, watch::assertSameAnswers);
  }
}
