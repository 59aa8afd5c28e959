package io.rigserve.cluster.settings;

/**
 * A setting that stops the start: its full key, the value found and what would have been
 * accepted, so the operator can fix the configuration from the message alone.
 */
public final class InvalidSetting extends IllegalArgumentException {

  private final String key;

  public InvalidSetting(String key, Object value, String accepted) {
    super("invalid setting " + key + " = '" + value + "': expected " + accepted);
    this.key = key;
  }

  /** The full configuration key, such as {@code rigserve.cluster.region-down-grace}. */
  public String key() {
    return key;
  }
}
