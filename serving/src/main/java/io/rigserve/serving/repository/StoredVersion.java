package io.rigserve.serving.repository;

import java.nio.file.Path;

/** One model version on this rig's disk: where its file is and the sha256 recorded beside it. */
public record StoredVersion(String name, String version, Path file, String sha256) {}
