package io.rigserve.serving.repository;

/** Whether a model version serves: READY, LOADING, or UNAVAILABLE (with the reason). */
public enum VersionState {
  READY,
  LOADING,
  UNAVAILABLE
}
