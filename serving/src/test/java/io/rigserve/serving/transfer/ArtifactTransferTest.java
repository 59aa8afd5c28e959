package io.rigserve.serving.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Rigs' data planes as real HTTP servers on loopback, each with its own artifact store. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ArtifactTransferTest {

  private final ActorTestKit kit = ActorTestKit.create("transfer",
      ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));
  private final byte[] content = new byte[3 * 1024 * 1024 + 17];
  private final ArtifactId id = new ArtifactId("net", "1", 2);
  private String sha;
  private String origin;
  private String corrupt;
  private String dead;

  @BeforeAll
  void startPeers() throws Exception {
    new Random(7).nextBytes(content);
    ArtifactStore originStore = new ArtifactStore(Files.createTempDirectory("origin"));
    sha = originStore.put(id, content);
    origin = serve(originStore);

    ArtifactStore corruptStore = new ArtifactStore(Files.createTempDirectory("corrupt"));
    byte[] damaged = content.clone();
    damaged[damaged.length / 2] ^= 1;
    corruptStore.put(id, damaged);
    corrupt = serve(corruptStore);

    ServerBinding gone = bind(new ArtifactStore(Files.createTempDirectory("gone")));
    dead = "http://127.0.0.1:" + gone.localAddress().getPort();
    gone.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  void stop() {
    kit.shutdownTestKit();
  }

  @Test
  void aFileFetchedFromAPeerIsReusedAfterARestartWithoutTheNetwork() throws Exception {
    Path dir = Files.createTempDirectory("rig");
    Path fetched = fetcher(new ArtifactStore(dir)).fetch(id, sha, List.of(origin)).toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertArrayEquals(content, Files.readAllBytes(fetched));

    ArtifactStore restarted = new ArtifactStore(dir);
    Path reused = fetcher(restarted).fetch(id, sha, List.of()).toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertEquals(fetched, reused);
  }

  @Test
  void aRestartedRigTakesAStampedFileAsVerifiedWhileItsSizeAndTimeAreUnchanged() throws Exception {
    Path dir = Files.createTempDirectory("rig");
    Path fetched = fetcher(new ArtifactStore(dir)).fetch(id, sha, List.of(origin)).toCompletableFuture().get(30, TimeUnit.SECONDS);
    // Changed in place behind the stamp's back, size and time kept: only a hash would notice.
    FileTime time = Files.getLastModifiedTime(fetched);
    byte[] changed = content.clone();
    changed[1] ^= 1;
    Files.write(fetched, changed);
    Files.setLastModifiedTime(fetched, time);

    assertEquals(Optional.of(fetched), new ArtifactStore(dir).valid(id, sha), "the stamp is trusted, the file not hashed");
    Files.setLastModifiedTime(fetched, FileTime.fromMillis(time.toMillis() + 1));
    assertEquals(Optional.empty(), new ArtifactStore(dir).valid(id, sha), "a file touched since its stamp is hashed again");
  }

  @Test
  void aDeadPeerOrOneSendingWrongBytesIsSkippedForTheNext() throws Exception {
    Path dir = Files.createTempDirectory("rig");
    Path fetched = fetcher(new ArtifactStore(dir)).fetch(id, sha, List.of(dead, corrupt, origin))
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertArrayEquals(content, Files.readAllBytes(fetched));
    try (Stream<Path> files = Files.walk(dir)) {
      assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".part")), "partial downloads were left behind");
    }
  }

  @Test
  void theFetcherCountsEveryByteReceivedAndHowEachFetchEnded() throws Exception {
    ArtifactStore store = new ArtifactStore(Files.createTempDirectory("rig"));
    ArtifactFetcher fetcher = fetcher(store);
    fetcher.fetch(id, sha, List.of(dead, corrupt, origin)).toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertEquals(2L * content.length, fetcher.bytesReceived(), "the wrong copy's bytes came over the network too");
    fetcher.fetch(id, sha, List.of(origin)).toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertEquals(2L * content.length, fetcher.bytesReceived(), "a valid local copy is not fetched again");

    ArtifactId other = new ArtifactId("net", "1", 3);
    assertThrows(ExecutionException.class, () ->
        fetcher.fetch(other, sha, List.of(dead, origin)).toCompletableFuture().get(30, TimeUnit.SECONDS));
    assertEquals(2L * content.length, fetcher.bytesReceived(), "a 404 carries no artifact bytes");
    assertEquals(1, fetcher.fetches(ArtifactFetcher.Outcome.FETCHED));
    assertEquals(1, fetcher.fetches(ArtifactFetcher.Outcome.LOCAL));
    assertEquals(1, fetcher.fetches(ArtifactFetcher.Outcome.UNAVAILABLE));
  }

  @Test
  void whenNoPeerHasAValidCopyTheFailureNamesTheArtifactAndEveryPeer() throws Exception {
    ArtifactStore store = new ArtifactStore(Files.createTempDirectory("rig"));
    ExecutionException e = assertThrows(ExecutionException.class, () ->
        fetcher(store).fetch(id, sha, List.of(dead, corrupt)).toCompletableFuture().get(30, TimeUnit.SECONDS));
    ArtifactFetcher.ArtifactUnavailable failure = assertInstanceOf(ArtifactFetcher.ArtifactUnavailable.class, e.getCause());
    assertTrue(failure.getMessage().contains("net@1/p2"), failure.getMessage());
    assertTrue(failure.getMessage().contains("sha256 mismatch"), failure.getMessage());
    assertTrue(failure.getMessage().contains(dead), failure.getMessage());
    assertTrue(store.valid(id, sha).isEmpty());
  }

  @Test
  void aDamagedLocalCopyIsFetchedAgain() throws Exception {
    Path dir = Files.createTempDirectory("rig");
    Path fetched = fetcher(new ArtifactStore(dir)).fetch(id, sha, List.of(origin)).toCompletableFuture().get(30, TimeUnit.SECONDS);
    byte[] damaged = content.clone();
    damaged[0] ^= 1;
    Files.write(fetched, damaged);

    Path again = fetcher(new ArtifactStore(dir)).fetch(id, sha, List.of(origin)).toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertArrayEquals(content, Files.readAllBytes(again));
  }

  @Test
  void anythingButAKnownArtifactIsAClientErrorWithAJsonBody() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    for (String[] call : new String[][] {
        {"GET", "/artifacts/net/1/9", "404"}, {"GET", "/artifacts/..%2f..%2fetc/1/0", "400"},
        {"GET", "/artifacts/net/1/-1", "404"}, {"GET", "/artifacts/net/1/99999999999", "404"},
        {"POST", "/artifacts/net/1/2", "404"}, {"GET", "/", "404"}}) {
      HttpResponse<String> response = client.send(HttpRequest.newBuilder(
              URI.create(origin + call[1])).method(call[0], HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(Integer.parseInt(call[2]), response.statusCode(), call[0] + " " + call[1]);
      assertTrue(response.body().startsWith("{\"error\":"), call[1] + ": " + response.body());
    }
  }

  private ArtifactFetcher fetcher(ArtifactStore store) {
    return new ArtifactFetcher(store, kit.system(), 64L << 20, Optional.empty(), () -> Set.of(origin, corrupt, dead));
  }

  private String serve(ArtifactStore store) throws Exception {
    return "http://127.0.0.1:" + bind(store).localAddress().getPort();
  }

  private ServerBinding bind(ArtifactStore store) throws Exception {
    return Http.get(kit.system()).newServerAt("127.0.0.1", 0).bind(new ArtifactRoutes(store).route())
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
