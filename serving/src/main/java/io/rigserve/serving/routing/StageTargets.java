package io.rigserve.serving.routing;

import java.util.List;

/** The replicas of one partition that may answer now, best first. */
@FunctionalInterface
public interface StageTargets {

  List<StageTarget> candidates(String model, String version, int partition);
}
