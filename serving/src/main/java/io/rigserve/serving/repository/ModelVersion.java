package io.rigserve.serving.repository;

/**
 * One version of a model in this rig's repository and its state in the cluster: READY (every
 * partition has a ready replica this rig can reach), LOADING (deployed, replicas still being
 * placed or loaded; the reason says which partitions) or UNAVAILABLE (not loaded, unloaded, or
 * refused, with the reason).
 */
public record ModelVersion(String name, String version, VersionState state, String reason, String sha256) {}
