package io.rigserve.serving.api.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rigserve.proto.inference.ModelInferRequest;
import io.rigserve.proto.inference.ModelInferResponse;
import io.rigserve.proto.inference.ModelStreamInferResponse;
import io.rigserve.serving.error.InvalidInput;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class StreamInferTest {

  private static final ActorTestKit KIT = ActorTestKit.create();

  @AfterAll
  static void stop() {
    KIT.shutdownTestKit();
  }

  @Test
  void noMoreThanTheConcurrencyRunAtOnceAndEveryRequestIsAnswered() throws Exception {
    AtomicInteger running = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    List<ModelInferRequest> requests = IntStream.range(0, 50)
        .mapToObj(i -> ModelInferRequest.newBuilder().setModelName("m").setId("r" + i).build()).toList();
    List<ModelStreamInferResponse> answers = StreamInfer.run(Source.from(requests), 3, request -> {
          most.accumulateAndGet(running.incrementAndGet(), Math::max);
          return CompletableFuture.supplyAsync(() -> {
            running.decrementAndGet();
            return ModelInferResponse.newBuilder().setId(request.getId()).build();
          }, CompletableFuture.delayedExecutor(5, TimeUnit.MILLISECONDS));
        })
        .runWith(Sink.seq(), KIT.system()).toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertEquals(50, answers.size());
    assertEquals(3, most.get(), "three at once, never more");
    assertEquals(IntStream.range(0, 50).mapToObj(i -> "r" + i).sorted().toList(),
        answers.stream().map(a -> a.getInferResponse().getId()).sorted().toList());
  }

  @Test
  void aFailedOrThrowingRequestBecomesItsOwnErrorMessageAndLaterOnesAreAnswered() throws Exception {
    List<ModelInferRequest> requests = List.of(
        ModelInferRequest.newBuilder().setModelName("m").setModelVersion("1").setId("fails").build(),
        ModelInferRequest.newBuilder().setModelName("m").setId("throws").build(),
        ModelInferRequest.newBuilder().setModelName("m").setId("ok").build());
    List<ModelStreamInferResponse> answers = StreamInfer.run(Source.from(requests), 1, request -> {
          if (request.getId().equals("throws")) throw new InvalidInput("thrown at once");
          CompletionStage<ModelInferResponse> answer = request.getId().equals("fails")
              ? CompletableFuture.failedFuture(new InvalidInput("bad shape"))
              : CompletableFuture.completedFuture(ModelInferResponse.newBuilder().setId("ok").setModelName("m").build());
          return answer;
        })
        .runWith(Sink.seq(), KIT.system()).toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertEquals(3, answers.size());
    assertEquals("INVALID_ARGUMENT: bad shape", answers.get(0).getErrorMessage());
    assertEquals("fails", answers.get(0).getInferResponse().getId());
    assertEquals("1", answers.get(0).getInferResponse().getModelVersion());
    assertTrue(answers.get(1).getErrorMessage().contains("thrown at once"), answers.get(1).getErrorMessage());
    assertEquals("throws", answers.get(1).getInferResponse().getId());
    assertEquals("", answers.get(2).getErrorMessage());
    assertEquals("ok", answers.get(2).getInferResponse().getId());
  }
}
