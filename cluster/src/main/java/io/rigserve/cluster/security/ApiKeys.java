package io.rigserve.cluster.security;

import io.rigserve.cluster.settings.InvalidSetting;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The API keys clients may present, read once from {@code rigserve.security.api-keys-file}: one
 * key per line, {@code key} or {@code name:key}; blank lines and {@code #} comments are ignored.
 * A key without a name is called {@code key-<8 hex digits of its SHA-256>}. Only names ever reach a
 * log; keys are kept as digests.
 */
public final class ApiKeys {

  private static final String SETTING = "rigserve.security.api-keys-file";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /** No keys configured: inference is open. */
  public static final ApiKeys NONE = new ApiKeys(List.of());

  private record Key(String name, SecretDigest digest) {}

  private final List<Key> keys;

  private ApiKeys(List<Key> keys) {
    this.keys = List.copyOf(keys);
  }

  public static ApiKeys read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + SETTING + " " + file, e);
    }
    return parse(file, lines);
  }

  static ApiKeys parse(Path file, List<String> lines) {
    List<Key> keys = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) continue;
      int colon = line.indexOf(':');
      String key = (colon < 0 ? line : line.substring(colon + 1)).strip();
      if (key.isEmpty()) {
        throw invalid(file, "line " + (i + 1) + " has a name but no key");
      }
      SecretDigest digest = SecretDigest.of(key);
      String name = colon < 0 ? "key-" + digest.shortName() : line.substring(0, colon).strip();
      if (!NAME.matcher(name).matches()) {
        throw invalid(file, "line " + (i + 1) + " names its key with other than 1-64 letters, digits, '.', '_', '-'");
      }
      if (!names.add(name)) {
        throw invalid(file, "line " + (i + 1) + " repeats the name " + name);
      }
      keys.add(new Key(name, digest));
    }
    if (keys.isEmpty()) {
      throw invalid(file, "it holds no key (an empty file would lock every client out)");
    }
    return new ApiKeys(keys);
  }

  private static InvalidSetting invalid(Path file, String why) {
    return new InvalidSetting(SETTING, file, "a file of API keys, one \"key\" or \"name:key\" per line; " + why);
  }

  public boolean isEmpty() {
    return keys.isEmpty();
  }

  public List<String> names() {
    return keys.stream().map(Key::name).toList();
  }

  /**
   * The name of the key {@code presented} is, if any. Every key is compared, whether or not an
   * earlier one matched, so the time taken does not tell which key (or how many) matched.
   */
  Optional<String> nameOf(SecretDigest presented) {
    String found = null;
    for (Key k : keys) {
      if (k.digest().matches(presented) && found == null) found = k.name();
    }
    return Optional.ofNullable(found);
  }
}
