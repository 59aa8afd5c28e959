package io.rigserve.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Debian's {@code chromium}, headless, driven over the DevTools protocol with the JDK's own
 * WebSocket client: open a page, evaluate JavaScript in it. Listens on loopback only, with a
 * temporary profile that is deleted on close.
 */
final class HeadlessChromium implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);

  private final Process process;
  private final Path profile;
  private final WebSocket socket;
  private final Map<Integer, CompletableFuture<JsonNode>> calls = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();

  private HeadlessChromium(Process process, Path profile, WebSocket socket) {
    this.process = process;
    this.profile = profile;
    this.socket = socket;
  }

  /** The chromium command on the PATH, if there is one. */
  static Optional<Path> binary() {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(java.io.File.pathSeparator)) {
      for (String name : new String[] {"chromium", "chromium-browser"}) {
        Path candidate = Path.of(dir, name);
        if (Files.isExecutable(candidate)) return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  static HeadlessChromium start(Path binary) throws Exception {
    Path profile = Files.createTempDirectory("rigserve-chromium");
    Process process = new ProcessBuilder(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-dev-shm-usage", "--no-first-run", "--window-size=1400,1000", "--no-default-browser-check", "--disable-extensions",
        "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
        "--user-data-dir=" + profile, "about:blank")
        .redirectErrorStream(true).start();
    CompletableFuture<String> browserUrl = new CompletableFuture<>();
    Thread output = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = lines.readLine()) != null; ) {
          Matcher m = LISTENING.matcher(line);
          if (m.find()) browserUrl.complete(m.group(1));
        }
      } catch (IOException ignored) {
        // the process ended
      }
      browserUrl.completeExceptionally(new IllegalStateException("chromium ended before it listened"));
    }, "chromium-output");
    output.setDaemon(true);
    output.start();
    try {
      URI browser = URI.create(browserUrl.get(30, TimeUnit.SECONDS));
      HttpClient http = HttpClient.newHttpClient();
      String list = http.send(HttpRequest.newBuilder(URI.create("http://" + browser.getAuthority() + "/json/list")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      String pageUrl = null;
      for (JsonNode target : JSON.readTree(list)) {
        if (target.path("type").asText().equals("page")) pageUrl = target.get("webSocketDebuggerUrl").asText();
      }
      if (pageUrl == null) throw new IllegalStateException("chromium shows no page: " + list);
      HeadlessChromium[] self = new HeadlessChromium[1];
      WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create(pageUrl), new WebSocket.Listener() {
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
          text.append(data);
          if (last) {
            self[0].onMessage(text.toString());
            text.setLength(0);
          }
          ws.request(1);
          return null;
        }
      }).get(15, TimeUnit.SECONDS);
      self[0] = new HeadlessChromium(process, profile, socket);
      return self[0];
    } catch (Exception e) {
      process.destroyForcibly();
      throw e;
    }
  }

  private void onMessage(String message) {
    try {
      JsonNode reply = JSON.readTree(message);
      if (!reply.has("id")) return; // an event: none subscribed to
      CompletableFuture<JsonNode> call = calls.remove(reply.get("id").asInt());
      if (call != null) call.complete(reply);
    } catch (IOException e) {
      throw new IllegalStateException("not JSON from chromium: " + message, e);
    }
  }

  /** One DevTools call; its {@code result}, or an error when chromium answered with one. */
  JsonNode call(String method, ObjectNode params) throws Exception {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    calls.put(id, reply);
    ObjectNode request = JSON.createObjectNode().put("id", id).put("method", method);
    request.set("params", params);
    socket.sendText(JSON.writeValueAsString(request), true).get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    JsonNode answer = reply.get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    if (answer.has("error")) throw new IllegalStateException(method + " failed: " + answer.get("error"));
    return answer.get("result");
  }

  void navigate(String url) throws Exception {
    call("Page.navigate", JSON.createObjectNode().put("url", url));
  }

  /** The value of a JavaScript expression in the page (JSON-compatible values only). */
  JsonNode evaluate(String expression) throws Exception {
    JsonNode result = call("Runtime.evaluate", JSON.createObjectNode().put("expression", expression).put("returnByValue", true));
    if (result.has("exceptionDetails")) throw new IllegalStateException("the page threw: " + result.get("exceptionDetails"));
    return result.path("result").path("value");
  }

  /** A PNG of what the page shows now. */
  byte[] screenshot() throws Exception {
    return java.util.Base64.getDecoder().decode(call("Page.captureScreenshot", JSON.createObjectNode()).get("data").asText());
  }

  @Override
  public void close() throws Exception {
    socket.abort();
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    try (Stream<Path> files = Files.walk(profile)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
