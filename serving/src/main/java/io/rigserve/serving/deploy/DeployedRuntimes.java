package io.rigserve.serving.deploy;

import io.rigserve.cluster.topology.RigIdentity;
import io.rigserve.cluster.topology.RigView;
import io.rigserve.cluster.topology.TopologyCache;
import io.rigserve.serving.error.InvalidModel;
import io.rigserve.serving.model.DeploymentCache;
import io.rigserve.serving.repository.ModelArtifactCheck;
import io.rigserve.serving.runtime.OnnxModel;
import io.rigserve.serving.runtime.OnnxRuntime;
import io.rigserve.serving.transfer.ArtifactFetcher;
import io.rigserve.serving.transfer.ArtifactId;
import io.rigserve.sharding.placement.Deployment;
import io.rigserve.sharding.replica.PartitionRuntime;
import io.rigserve.sharding.replica.PartitionRuntimes;
import io.rigserve.sharding.replica.ReplicaDirectory;
import io.rigserve.sharding.replica.ReplicaId;
import io.rigserve.sharding.replica.ReplicaLocation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.AddressFromURIString;

/**
 * The runtimes of the replicas placed on this rig: a replica's partition file is fetched (from
 * the rigs that deployed it, then from rigs running the same partition), checked by sha256 and
 * kept on local disk, then loaded into an ONNX Runtime session; closing the replica closes the
 * session after its in-flight runs.
 *
 * <p>Any member may publish a deployment, so nothing in it is taken on trust: its declared
 * memory must fit this rig's budget, the file (counted as it arrives by the fetcher, then on
 * disk) must fit the upload limit and the declared memory, and the file passes the same ONNX
 * checks as an upload before ONNX Runtime opens it. A refusal leaves the replica failed with
 * the reason, which {@code /admin/models} shows.
 */
public final class DeployedRuntimes implements PartitionRuntimes {

  private final DeploymentCache deployments;
  private final ReplicaDirectory directory;
  private final TopologyCache topology;
  private final ArtifactFetcher fetcher;
  private final OnnxRuntime runtime;
  private final Executor blocking;
  private final long budgetBytes;
  private final long maxFileBytes;
  private final Map<ReplicaId, OnnxModel> open = new ConcurrentHashMap<>();

  /**
   * @param budgetBytes this rig's model memory: no partition declaring more is loaded here
   * @param maxFileBytes largest partition file accepted (the upload limit; the fetcher stops there)
   */
  public DeployedRuntimes(DeploymentCache deployments, ReplicaDirectory directory, TopologyCache topology,
      ArtifactFetcher fetcher, OnnxRuntime runtime, Executor blocking, long budgetBytes, long maxFileBytes) {
    this.deployments = deployments;
    this.directory = directory;
    this.topology = topology;
    this.fetcher = fetcher;
    this.runtime = runtime;
    this.blocking = blocking;
    this.budgetBytes = budgetBytes;
    this.maxFileBytes = maxFileBytes;
  }

  @Override
  public CompletionStage<PartitionRuntime> open(ReplicaId id) {
    Deployment d = deployments.get(id.model(), id.version()).orElse(null);
    if (d == null || id.partition() >= d.partitions()) {
      return CompletableFuture.failedFuture(new IllegalStateException(
          "no deployment of " + id.model() + "@" + id.version() + " with partition " + id.partition() + " is known here yet"));
    }
    long declared = d.partitionBytes()[id.partition()];
    if (declared > budgetBytes) {
      return CompletableFuture.failedFuture(new IllegalStateException("partition " + id.partition() + " of " + d.key()
          + " declares " + declared + " bytes of memory, more than this rig's budget of " + budgetBytes));
    }
    ArtifactId artifact = new ArtifactId(id.model(), id.version(), id.partition());
    return fetcher.fetch(artifact, d.partitionSha256()[id.partition()], peers(d, id.partition()))
        .thenApplyAsync(path -> {
          checkBeforeLoading(path, declared);
          OnnxModel model = runtime.load(path);
          OnnxModel previous = open.put(id, model);
          if (previous != null) previous.close();
          return (PartitionRuntime) model;
        }, blocking);
  }

  /** The file on disk is what counts: its size, then its content, checked like an upload. */
  private void checkBeforeLoading(Path file, long declared) {
    long size;
    try {
      size = Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file.getFileName(), e);
    }
    if (size > maxFileBytes || size > declared) {
      throw new IllegalStateException("partition file refused: " + size + " bytes, more than "
          + (size > maxFileBytes ? "the upload limit of " + maxFileBytes : "the " + declared + " bytes its deployment declares"));
    }
    try {
      // Stage files carry their weights inline (the deployer refuses others), so no external data at all.
      ModelArtifactCheck.checkSelfContained(file);
    } catch (InvalidModel e) {
      throw new IllegalStateException("partition file refused: " + e.getMessage(), e);
    }
  }

  @Override
  public void close(ReplicaId id) {
    OnnxModel model = open.remove(id);
    if (model != null) model.close();
  }

  /** The deploying rigs first, then rigs running this partition in any region, nearest first. */
  private List<String> peers(Deployment d, int partition) {
    Set<String> peers = new LinkedHashSet<>(List.of(d.origins()));
    List<String> hosts = new ArrayList<>();
    for (ReplicaLocation r : directory.snapshot().ofPartition(d.model(), d.version(), partition)) {
      if (r.isReady() && !r.address().isEmpty()) hosts.add(r.address());
    }
    topology.view().ifPresent(view -> {
      for (String host : hosts) {
        view.member(AddressFromURIString.parse(host))
            .flatMap(RigView::identity)
            .map(RigIdentity::dataPlaneUrl)
            .ifPresent(peers::add);
      }
    });
    return List.copyOf(peers);
  }
}
