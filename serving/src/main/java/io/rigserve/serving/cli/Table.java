package io.rigserve.serving.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A plain-text table: a header row and left-aligned columns as wide as their widest cell. */
final class Table {

  private final List<String> header;
  private final List<List<String>> rows = new ArrayList<>();

  Table(String... header) {
    this.header = List.of(header);
  }

  Table row(Object... cells) {
    List<String> row = new ArrayList<>();
    for (Object c : cells) row.add(text(c));
    rows.add(row);
    return this;
  }

  void print(PrintWriter out) {
    int[] width = new int[header.size()];
    for (int i = 0; i < width.length; i++) width[i] = header.get(i).length();
    for (List<String> r : rows) {
      for (int i = 0; i < width.length && i < r.size(); i++) width[i] = Math.max(width[i], r.get(i).length());
    }
    line(out, header, width);
    for (List<String> r : rows) line(out, r, width);
    out.flush();
  }

  /** The text of a JSON field for a cell: "-" when missing or null, numbers without needless decimals. */
  static String field(JsonNode node, String name) {
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) return "-";
    if (v.isFloatingPointNumber()) return String.format(Locale.ROOT, "%.1f", v.asDouble());
    if (v.isArray()) {
      List<String> items = new ArrayList<>();
      v.forEach(e -> items.add(e.asText()));
      return items.isEmpty() ? "-" : String.join(",", items);
    }
    return v.asText();
  }

  private static void line(PrintWriter out, List<String> cells, int[] width) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < width.length; i++) {
      String c = i < cells.size() ? cells.get(i) : "";
      b.append(c);
      if (i < width.length - 1) b.append(" ".repeat(width[i] - c.length() + 2));
    }
    out.println(b.toString().stripTrailing());
  }

  private static String text(Object c) {
    return c == null ? "-" : c.toString();
  }
}
