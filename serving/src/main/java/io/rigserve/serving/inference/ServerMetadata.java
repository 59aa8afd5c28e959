package io.rigserve.serving.inference;

import java.util.List;

/** What the protocol's server metadata call reports. */
public record ServerMetadata(String name, String version, List<String> extensions) {}
