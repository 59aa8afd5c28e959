package io.rigserve.serving.trust;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.rigserve.cluster.quarantine.QuarantineRegistry;
import io.rigserve.cluster.testkit.ClusterHarness;
import io.rigserve.cluster.testkit.Eventually;
import io.rigserve.serving.routing.StageTarget;
import io.rigserve.serving.runtime.OnnxModel;
import io.rigserve.serving.runtime.OnnxRuntime;
import io.rigserve.serving.runtime.RuntimeSettings;
import io.rigserve.serving.testmodels.TestModels;
import io.rigserve.serving.testmodels.TestTensors;
import io.rigserve.sharding.replica.ReplicaId;
import io.rigserve.sharding.replica.StageInput;
import io.rigserve.sharding.replica.StageResult;
import io.rigserve.sharding.tensor.Tensor;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The verifier over replicas that are real ONNX Runtime sessions of the test MLP run in-process,
 * with the quarantine map of a real one-rig cluster: who is blamed, what the client gets, and what
 * never counts against a rig.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StageVerifierTest {

  private static final ReplicaId REPLICA = new ReplicaId("mlp", "1", 0, 0);

  private final ClusterHarness harness = ClusterHarness.create();
  private ActorSystem<?> system;
  private OnnxModel model;
  private QuarantineRegistry quarantine;

  @BeforeAll
  void start() {
    system = harness.startRig(ClusterHarness.Region.US_EAST).system();
    quarantine = QuarantineRegistry.get(system);
    model = new OnnxRuntime(RuntimeSettings.from(ConfigFactory.load())).load(TestModels.twoHeadMlp());
  }

  @AfterAll
  void stop() {
    model.close();
    harness.close();
  }

  /** A replica on rig {@code rig}: the real session, its outputs changed by {@code fault}. */
  private class Replica implements StageTarget {
    final String rig;
    final Function<Tensor[], StageResult> answer;
    int runs;

    Replica(String rig, Function<Tensor[], StageResult> answer) {
      this.rig = rig;
      this.answer = answer;
    }

    @Override
    public String describe() {
      return rig;
    }

    @Override
    public String region() {
      return "us-east";
    }

    @Override
    public Optional<String> rig() {
      return Optional.of(rig);
    }

    @Override
    public synchronized CompletionStage<StageResult> run(StageInput input, Instant attemptDeadline) {
      runs++;
      return CompletableFuture.completedFuture(answer.apply(model.run(input.tensors(), input.outputs())));
    }

    StageResult.Output output(StageInput input) {
      return (StageResult.Output) answer.apply(model.run(input.tensors(), input.outputs()));
    }
  }

  private Replica honest(String rig) {
    return new Replica(rig, StageResult.Output::new);
  }

  private Replica liar(String rig) {
    return new Replica(rig, out -> new StageResult.Output(corrupt(out)));
  }

  private Replica otherHardware(String rig) {
    return new Replica(rig, out -> {
      Tensor[] changed = out.clone();
      for (int i = 0; i < changed.length; i++) changed[i] = FaultyRuntimes.scaleFloats(changed[i], 1 + 1e-6);
      return new StageResult.Output(changed);
    });
  }

  private static Tensor[] corrupt(Tensor[] out) {
    Tensor[] changed = new Tensor[out.length];
    for (int i = 0; i < out.length; i++) changed[i] = FaultyRuntimes.corrupt(out[i]);
    return changed;
  }

  private StageVerifier verifier(String settings, List<Replica> replicas) {
    TrustSettings trust = TrustSettings.from(ConfigFactory.parseString(settings).withFallback(ConfigFactory.load()));
    Map<String, String> owners = new java.util.HashMap<>();
    for (Replica r : replicas) owners.put(r.rig, r.rig.substring(0, r.rig.indexOf('-')));
    return new StageVerifier(trust, new TrustLedger(trust.agreementsPerStrike()),
        (m, v, p) -> new ArrayList<StageTarget>(replicas), a -> owners.getOrDefault(a, a), quarantine, "gateway",
        "us-east", new Random(1));
  }

  private static StageInput input(float first) {
    return new StageInput(new Tensor[] {
        TestTensors.fp32(TestModels.MLP_FEATURES, new long[] {1, 4}, first, 0.5f, -1f, 2f),
        TestTensors.fp32(TestModels.MLP_OFFSET, new long[] {1, 3}, 0f, 0f, 0f)}, new String[0]);
  }

  private static StageResult answer(StageVerifier verifier, Replica served, StageInput input) throws Exception {
    return verifier.answered(REPLICA, served.rig, input, served.output(input)).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void verifiedBeforeAnsweringAWrongAnswerIsReplacedByTheMajorityAndItsRigQuarantinedAtTheThreshold() throws Exception {
    Replica liar = liar("mallory-1");
    Replica bob = honest("bob-1");
    Replica carol = honest("carol-1");
    StageVerifier verifier = verifier("rigserve.trust.model-rates = \"mlp=1.0\"", List.of(bob, carol, liar));

    StageInput input = input(1f);
    StageResult first = answer(verifier, liar, input);
    assertInstanceOf(StageResult.Output.class, first);
    assertArrayEquals(TestTensors.fp32Values(bob.output(input).tensors()[0]),
        TestTensors.fp32Values(((StageResult.Output) first).tensors()[0]), "the client gets the majority's answer");
    assertEquals(1.0, verifier.ledger().of("mallory-1").strikes());
    assertFalse(quarantine.isQuarantined("mallory-1"), "one strike is below the threshold of 2");

    answer(verifier, liar, input(2f));
    Eventually.await(Duration.ofSeconds(5), "quarantined", () -> quarantine.isQuarantined("mallory-1"));
    var q = quarantine.of("mallory-1").orElseThrow();
    assertEquals("mallory", q.owner());
    assertEquals("gateway", q.decidedBy());
    assertEquals(0, q.wrongAnswersFound(), "verified before answering, no wrong answer reached a client");
    assertTrue(q.reason().contains("2 arbitrations lost"), q.reason());
    assertEquals(0.0, verifier.ledger().of("bob-1").strikes());
    assertEquals(0.0, verifier.ledger().of("carol-1").strikes());
    assertEquals(2, verifier.ledger().totals().disagreed(), "two arbitrations, each struck the liar");
    assertEquals(0, verifier.ledger().totals().agreed());
    quarantine.release("mallory-1").toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void anHonestRigWhoseFloatsDifferSlightlyAgreesAndIsNeverStruck() throws Exception {
    Replica dave = otherHardware("dave-1");
    Replica erin = honest("erin-1");
    StageVerifier verifier = verifier("rigserve.trust.model-rates = \"mlp=1.0\"", List.of(erin, dave));

    for (int i = 0; i < 50; i++) {
      StageInput input = input(i * 0.37f - 5f);
      StageResult.Output served = dave.output(input);
      StageResult answered = verifier.answered(REPLICA, "dave-1", input, served).toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertEquals(served, answered, "the answer stands");
    }
    assertEquals(50, verifier.ledger().of("dave-1").agreements());
    assertEquals(0.0, verifier.ledger().of("dave-1").strikes());
    assertEquals(0, verifier.ledger().of("dave-1").disagreementsLost());
    assertEquals(50, verifier.ledger().totals().agreed(), "one agreed check per answer, though two rigs agreed in each");
    assertEquals(0, verifier.ledger().totals().disagreed());
  }

  @Test
  void aDisagreementNoThirdOwnerCanSettleIsRecordedNotPunishedAndNotServed() throws Exception {
    Replica liar = liar("frank-1");
    Replica grace = honest("grace-1");
    StageVerifier verifier = verifier("rigserve.trust.model-rates = \"mlp=1.0\"", List.of(grace, liar));

    StageResult result = answer(verifier, liar, input(1f));

    assertInstanceOf(StageResult.Failed.class, result, "verified before answering: no answer two owners dispute");
    assertEquals(0.0, verifier.ledger().of("frank-1").strikes());
    assertEquals(0.0, verifier.ledger().of("grace-1").strikes());
    assertEquals(1, verifier.ledger().of("frank-1").unsettled());
    assertEquals(1, verifier.report().unsettled().size());
    assertEquals("frank-1", verifier.report().unsettled().get(0).served());
    assertEquals(1, verifier.ledger().totals().unsettled());
    assertEquals(0, verifier.ledger().totals().disagreed());
  }

  @Test
  void aSampledCheckRunsAfterTheAnswerAndCountsTheWrongAnswerTheClientGot() throws Exception {
    Replica liar = liar("heidi-1");
    Replica ivan = honest("ivan-1");
    Replica judy = honest("judy-1");
    StageVerifier verifier = verifier("rigserve.trust.probation-rate = 1.0\nrigserve.trust.strike-threshold = 100",
        List.of(ivan, judy, liar));

    StageInput input = input(3f);
    StageResult.Output wrong = liar.output(input);
    StageResult answered = verifier.answered(REPLICA, "heidi-1", input, wrong).toCompletableFuture().get(1, TimeUnit.SECONDS);
    assertEquals(wrong, answered, "the answer goes on at once, unchecked");

    Eventually.await(Duration.ofSeconds(5), "the check settled", () -> verifier.ledger().of("heidi-1").disagreementsLost() == 1);
    assertEquals(1, verifier.ledger().of("heidi-1").wrongAnswersFound());
    assertEquals(1.0, verifier.ledger().of("heidi-1").wrongAnswersEstimated(), 1e-9, "sampled at rate 1.0: one for one");
    assertEquals(2, verifier.report().checkRuns(), "a re-run and an arbitration");
  }

  @Test
  void aCheckerThatRefusesTheInputOrRunsOutOfTimeIsNoEvidenceAgainstAnyone() throws Exception {
    Replica kim = honest("kim-1");
    Replica refusing = new Replica("leo-1", out -> new StageResult.Failed(StageResult.Reason.INVALID_INPUT, "bad shape"));
    Replica late = new Replica("mia-1", out -> new StageResult.Failed(StageResult.Reason.DEADLINE_EXCEEDED, "too late"));
    for (Replica checker : List.of(refusing, late)) {
      StageVerifier verifier = verifier("rigserve.trust.model-rates = \"mlp=1.0\"", List.of(checker, kim));

      StageInput input = input(1f);
      StageResult result = answer(verifier, kim, input);

      assertArrayEquals(kim.output(input).tensors(), ((StageResult.Output) result).tensors(), "the answer stands");
      for (String rig : List.of("kim-1", checker.rig)) {
        assertEquals(0.0, verifier.ledger().of(rig).strikes(), rig);
        assertEquals(0, verifier.ledger().of(rig).checks(), rig);
      }
    }
  }

  @Test
  void checksBeyondTheBoundAreDroppedNotQueued() throws Exception {
    Replica nina = honest("nina-1");
    Replica stuck = new Replica("otto-1", out -> null) {
      @Override
      public CompletionStage<StageResult> run(StageInput input, Instant attemptDeadline) {
        return new CompletableFuture<>(); // never answers
      }
    };
    StageVerifier verifier = verifier("rigserve.trust.probation-rate = 1.0\nrigserve.trust.max-checks-in-flight = 2",
        List.of(stuck, nina));

    for (int i = 0; i < 5; i++) answer(verifier, nina, input(i));

    assertEquals(3, verifier.report().checksDropped());
    assertEquals(2, verifier.report().checkRuns());
  }
}
