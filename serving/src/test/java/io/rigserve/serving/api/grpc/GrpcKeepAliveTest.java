package io.rigserve.serving.api.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rigserve.proto.inference.ModelReadyRequest;
import io.rigserve.proto.inference.ModelReadyResponse;
import io.rigserve.serving.RawGrpc;
import io.rigserve.serving.ServedModels;
import io.rigserve.serving.TestRig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The idle timeout of the gRPC port closes idle connections, not one with a call in progress. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GrpcKeepAliveTest {

  private static final Duration IDLE = Duration.ofSeconds(1);
  private TestRig rig;

  @BeforeAll
  void start() throws Exception {
    Path repository = Files.createTempDirectory("rigserve-grpc-keepalive");
    ServedModels.writeRepository(repository);
    rig = TestRig.start(repository, "rigserve.serving.idle-timeout = " + IDLE.toMillis() + "ms");
  }

  @AfterAll
  void stop() throws Exception {
    rig.close();
  }

  @Test
  void aCallWhoseRequestPausesLongerThanTheIdleTimeoutIsStillAnswered() throws Exception {
    // Nothing passes on the connection while the request's second half is held back (as flow
    // control holds back a large request on a busy rig): only the rig's pings keep it open.
    byte[] frame = RawGrpc.frame(ModelReadyRequest.newBuilder().setName("mlp").build().toByteArray());
    Source<ByteString, NotUsed> body = Source.single(ByteString.fromArray(frame, 0, 3))
        .concat(Source.single(ByteString.fromArray(frame, 3, frame.length - 3)).initialDelay(IDLE.multipliedBy(3)));
    HttpRequest call = HttpRequest.POST("http://127.0.0.1:" + rig.rig.grpcPort() + "/inference.GRPCInferenceService/ModelReady")
        .addHeader(RawHeader.create("te", "trailers"))
        .withEntity(HttpEntities.create(ContentTypes.parse("application/grpc"), body));
    ActorSystem<?> system = rig.rig.system();
    HttpResponse response = Source.single(call).concat(Source.maybe())
        .via(Http.get(system).connectionTo("127.0.0.1").toPort(rig.rig.grpcPort()).http2WithPriorKnowledge())
        .runWith(Sink.head(), system)
        .toCompletableFuture().get(20, TimeUnit.SECONDS);
    assertEquals(200, response.status().intValue());
    byte[] answer = response.entity().toStrict(10_000, system).toCompletableFuture().get(20, TimeUnit.SECONDS)
        .getData().toArray();
    assertTrue(answer.length > 5, "no message in the answer: the call failed (" + response + ")");
    assertTrue(ModelReadyResponse.parseFrom(ByteString.fromArray(answer, 5, answer.length - 5).toArray()).getReady());
  }
}
