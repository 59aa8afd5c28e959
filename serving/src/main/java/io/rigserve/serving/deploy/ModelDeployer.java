package io.rigserve.serving.deploy;

import io.rigserve.cluster.topology.RigIdentity;
import io.rigserve.cluster.topology.TopologyCache;
import io.rigserve.serving.error.InvalidInput;
import io.rigserve.serving.error.InvalidModel;
import io.rigserve.serving.model.ModelDescriptor;
import io.rigserve.serving.partition.OnnxPartitioner;
import io.rigserve.serving.partition.PartitionException;
import io.rigserve.serving.partition.PartitionPlan;
import io.rigserve.serving.partition.StagePlan;
import io.rigserve.serving.repository.ModelArtifactCheck;
import io.rigserve.serving.runtime.OnnxModel;
import io.rigserve.serving.runtime.OnnxRuntime;
import io.rigserve.serving.transfer.ArtifactId;
import io.rigserve.serving.transfer.ArtifactStore;
import io.rigserve.sharding.placement.Deployment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a model version on this rig's disk into a cluster deployment: checks it, loads it once
 * for its inputs and outputs, cuts it into K stages (given, or the fewest that fit the smallest
 * budget among the target regions' rigs), keeps each stage in the artifact store for other rigs
 * to fetch, and describes the desired state for the cluster. Blocking: run it off Pekko's
 * dispatchers.
 */
public final class ModelDeployer {

  private final OnnxRuntime runtime;
  private final OnnxPartitioner partitioner;
  private final ArtifactStore store;
  private final String selfDataPlane;
  private final TopologyCache topology;

  public ModelDeployer(OnnxRuntime runtime, OnnxPartitioner partitioner, ArtifactStore store,
      String selfDataPlane, TopologyCache topology) {
    this.runtime = runtime;
    this.partitioner = partitioner;
    this.store = store;
    this.selfDataPlane = selfDataPlane;
    this.topology = topology;
  }

  /** Cuts and stores the version and returns the deployment to publish (not yet published). */
  public Deployment prepare(String name, String version, Path modelFile, DeployParameters parameters) {
    ModelArtifactCheck.check(modelFile);
    ModelDescriptor whole;
    // In this process: a version on disk passed the isolated trial load at upload (TrialLoad), was
    // written by the rig, or was put there by the rig's operator.
    try (OnnxModel model = runtime.load(modelFile)) {
      whole = new ModelDescriptor(model.inputs(), model.outputs(), List.of());
    } catch (RuntimeException e) {
      throw new InvalidModel("ONNX Runtime cannot load " + name + "/" + version + ": " + e.getMessage(), e);
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(modelFile);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + modelFile, e);
    }
    PartitionPlan plan;
    try {
      plan = parameters.partitions().isPresent()
          ? partitioner.partition(bytes, parameters.partitions().getAsInt())
          : partitioner.partitionToFit(bytes, smallestBudget(parameters.regions()));
    } catch (PartitionException e) {
      throw new InvalidModel("cannot cut " + name + "/" + version + " as asked: " + e.getMessage(), e);
    }
    int k = plan.size();
    long[] memory = new long[k];
    String[] shas = new String[k];
    List<ModelDescriptor.Stage> stages = new ArrayList<>();
    for (StagePlan stage : plan.stages()) {
      if (!stage.externalDataFiles().isEmpty()) {
        throw new InvalidModel(name + "/" + version + " keeps weights in external data files " + stage.externalDataFiles()
            + ": such models cannot be spread over rigs yet; embed the weights in the model file");
      }
      shas[stage.index()] = store.put(new ArtifactId(name, version, stage.index()), stage.onnx());
      memory[stage.index()] = partitioner.settings().memoryFor(stage.weightBytes()) + stage.onnx().length;
      stages.add(new ModelDescriptor.Stage(stage.inputs(), stage.outputs()));
    }
    ModelDescriptor descriptor = new ModelDescriptor(whole.inputs(), whole.outputs(), stages, parameters.hedgeAfterMillis());
    return new Deployment(name, version, k, parameters.regions().toArray(new String[0]),
        parameters.replicasPerRegion(), memory, shas, new String[] {selfDataPlane}, descriptor.toBytes());
  }

  /** The smallest model-memory budget among the rigs of {@code regions} (every region when empty). */
  private long smallestBudget(List<String> regions) {
    return topology.view().stream()
        .flatMap(v -> v.members().stream())
        .filter(m -> regions.isEmpty() || regions.contains(m.region()))
        .flatMap(m -> m.identity().stream())
        .mapToLong(RigIdentity::modelMemoryBytes)
        .min()
        .orElseThrow(() -> new InvalidInput("no rig is known in regions " + regions));
  }
}
