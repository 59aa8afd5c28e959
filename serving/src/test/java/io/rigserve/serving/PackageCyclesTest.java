package io.rigserve.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Packages depend on each other one way, in every module: a package that needs another never is
 * needed by it, directly or through others. Reads the main sources of all modules (serving is the
 * module that sits beside all of them in the build), so a cycle anywhere fails this build.
 */
class PackageCyclesTest {

  private static final List<String> MODULES = List.of("cluster", "sharding", "serving", "bench");
  private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+);", Pattern.MULTILINE);
  // An import, or a qualified name written inline: either names a class of another package.
  private static final Pattern REFERENCE = Pattern.compile("\\b(io\\.rigserve(?:\\.[a-z]\\w*)+)\\.[A-Z]");

  @Test
  void noModuleHasAPackageCycle() {
    Path root = Path.of("").toAbsolutePath().getParent();
    List<Path> sources = MODULES.stream().map(m -> root.resolve(m).resolve("src/main/java")).toList();
    sources.forEach(s -> assertTrue(Files.isDirectory(s), "no sources at " + s));
    Set<Set<String>> cycles = new HashSet<>(cycles(dependencies(sources)));
    assertEquals(Set.of(), cycles, "package cycles (each a set of packages that reach each other)");
  }

  @Test
  void aCycleThroughAnImportOrAnInlineNameIsFound(@TempDir Path dir) throws IOException {
    write(dir, "a", "A", "import io.rigserve.b.B;\nclass A { B b; }");
    write(dir, "b", "B", "class B { io.rigserve.c.C c; }");
    write(dir, "c", "C", "import io.rigserve.a.A;\nclass C {}");
    write(dir, "d", "D", "import io.rigserve.a.A;\nclass D {}");
    assertEquals(List.of(Set.of("io.rigserve.a", "io.rigserve.b", "io.rigserve.c")),
        cycles(dependencies(List.of(dir))));
  }

  @Test
  void packagesThatDependOneWayHaveNoCycle(@TempDir Path dir) throws IOException {
    write(dir, "a", "A", "import io.rigserve.b.B;\nimport io.rigserve.b.inner.I;\nclass A {}");
    write(dir, "b", "B", "import io.rigserve.b.inner.I;\nclass B {}");
    write(dir, "b/inner", "I", "class I {}");
    assertEquals(List.of(), cycles(dependencies(List.of(dir))));
  }

  private static void write(Path dir, String pkg, String name, String body) throws IOException {
    Path folder = Files.createDirectories(dir.resolve(pkg));
    Files.writeString(folder.resolve(name + ".java"), "package io.rigserve." + pkg.replace('/', '.') + ";\n" + body);
  }

  /** Package to the other packages its classes name, from every source file below {@code sources}. */
  private static Map<String, Set<String>> dependencies(List<Path> sources) {
    Map<String, String> text = new TreeMap<>();
    for (Path s : sources) {
      try (Stream<Path> files = Files.walk(s)) {
        for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
          String src = Files.readString(f);
          Matcher m = PACKAGE.matcher(src);
          if (m.find()) text.merge(m.group(1), src, String::concat);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    Map<String, Set<String>> graph = new TreeMap<>();
    text.forEach((pkg, src) -> {
      Set<String> needs = new TreeSet<>();
      Matcher m = REFERENCE.matcher(src);
      while (m.find()) {
        String named = m.group(1);
        // io.rigserve.a.B.Inner names package io.rigserve.a: keep the longest known package.
        while (!text.containsKey(named) && named.contains(".")) named = named.substring(0, named.lastIndexOf('.'));
        if (text.containsKey(named) && !named.equals(pkg)) needs.add(named);
      }
      graph.put(pkg, needs);
    });
    return graph;
  }

  /** Strongly connected groups of more than one package (Tarjan), in the graph's order. */
  private static List<Set<String>> cycles(Map<String, Set<String>> graph) {
    return new Object() {
      final Map<String, Integer> index = new TreeMap<>();
      final Map<String, Integer> low = new TreeMap<>();
      final List<String> stack = new ArrayList<>();
      final List<Set<String>> found = new ArrayList<>();

      List<Set<String>> run() {
        graph.keySet().forEach(p -> { if (!index.containsKey(p)) visit(p); });
        return found;
      }

      void visit(String p) {
        index.put(p, index.size());
        low.put(p, index.get(p));
        stack.add(p);
        for (String q : graph.getOrDefault(p, Set.of())) {
          if (!index.containsKey(q)) {
            visit(q);
            low.put(p, Math.min(low.get(p), low.get(q)));
          } else if (stack.contains(q)) {
            low.put(p, Math.min(low.get(p), index.get(q)));
          }
        }
        if (low.get(p).equals(index.get(p))) {
          Set<String> group = new TreeSet<>();
          String q;
          do {
            q = stack.remove(stack.size() - 1);
            group.add(q);
          } while (!q.equals(p));
          if (group.size() > 1) found.add(group);
        }
      }
    }.run();
  }
}
