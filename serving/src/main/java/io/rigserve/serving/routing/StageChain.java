package io.rigserve.serving.routing;

import java.time.Duration;
import java.util.List;

/**
 * What the router needs of a model version: its stages in order, the model's outputs (what a
 * request asking for none gets), and how long a stage waits before a second copy goes to the
 * next replica (zero: never).
 */
public record StageChain(List<Stage> stages, List<String> outputs, Duration hedgeAfter) {

  /** One stage: the tensors it reads (request inputs or earlier stages' outputs) and writes. */
  public record Stage(List<String> inputs, List<String> outputs) {
    public Stage {
      inputs = List.copyOf(inputs);
      outputs = List.copyOf(outputs);
    }
  }

  public StageChain {
    stages = List.copyOf(stages);
    outputs = List.copyOf(outputs);
  }
}
