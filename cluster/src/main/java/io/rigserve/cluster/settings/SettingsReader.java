package io.rigserve.cluster.settings;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import java.util.List;

/** Reads typed values of one config section and names the full key in every error. */
public final class SettingsReader {

  private final Config section;
  private final String prefix;

  public SettingsReader(Config root, String path) {
    this.section = root.getConfig(path);
    this.prefix = path + ".";
  }

  public String string(String key) {
    try {
      return section.getString(key);
    } catch (ConfigException.WrongType e) {
      throw invalid(key, raw(key), "a string");
    }
  }

  public String oneOf(String key, List<String> accepted) {
    String value = string(key);
    if (!accepted.contains(value)) {
      throw invalid(key, value, "one of " + String.join(", ", accepted));
    }
    return value;
  }

  public int integer(String key, int min, int max, String accepted) {
    int value;
    try {
      value = section.getInt(key);
    } catch (ConfigException.WrongType | ConfigException.BadValue e) {
      throw invalid(key, raw(key), accepted);
    }
    if (value < min || value > max) {
      throw invalid(key, value, accepted);
    }
    return value;
  }

  public double number(String key, double min, double max, String accepted) {
    double value;
    try {
      value = section.getDouble(key);
    } catch (ConfigException.WrongType | ConfigException.BadValue e) {
      throw invalid(key, raw(key), accepted);
    }
    if (Double.isNaN(value) || value < min || value > max) {
      throw invalid(key, value, accepted);
    }
    return value;
  }

  /** A duration strictly greater than zero. */
  public Duration duration(String key) {
    return duration(key, null, "a duration greater than zero, such as 500ms or 30s");
  }

  /** A duration strictly greater than zero and at most {@code max}. */
  public Duration duration(String key, Duration max) {
    return duration(key, max, "a duration greater than zero and at most " + max.toSeconds() + "s, such as 500ms or 30s");
  }

  private Duration duration(String key, Duration max, String accepted) {
    Duration value;
    try {
      value = section.getDuration(key);
    } catch (ConfigException.WrongType | ConfigException.BadValue e) {
      throw invalid(key, raw(key), accepted);
    }
    if (value.isNegative() || value.isZero() || (max != null && value.compareTo(max) > 0)) {
      throw invalid(key, section.getString(key), accepted);
    }
    return value;
  }

  public boolean flag(String key) {
    try {
      return section.getBoolean(key);
    } catch (ConfigException.WrongType e) {
      throw invalid(key, raw(key), "true or false");
    }
  }

  /** A size strictly greater than zero. */
  public long bytes(String key, String accepted) {
    return bytes(key, 1, accepted);
  }

  /** A size of zero or more, for settings where 0 means "none" or "unbounded". */
  public long bytesOrZero(String key, String accepted) {
    return bytes(key, 0, accepted);
  }

  private long bytes(String key, long min, String accepted) {
    long value;
    try {
      value = section.getBytes(key);
    } catch (ConfigException.BadValue | ConfigException.WrongType e) {
      throw invalid(key, raw(key), accepted);
    }
    if (value < min) {
      throw invalid(key, value, accepted);
    }
    return value;
  }

  public Object raw(String key) {
    return section.getValue(key).unwrapped();
  }

  public InvalidSetting invalid(String key, Object value, String accepted) {
    return new InvalidSetting(prefix + key, value, accepted);
  }
}
