package io.rigserve.serving.api.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class GrpcMessageLimitTest {

  private static final ActorTestKit KIT = ActorTestKit.create();

  @AfterAll
  static void stop() {
    KIT.shutdownTestKit();
  }

  @Test
  void messagesUpToTheLimitPassWhateverTheChunksAndTheirTotal() throws Exception {
    ByteString body = message(100).concat(message(100)).concat(message(0)).concat(message(100));
    assertEquals(body, run(oneByteChunks(body), 100));
    assertEquals(body, run(List.of(body), 100));
  }

  @Test
  void aMessageDeclaredOverTheLimitFailsTheBodyOnceItEndsAndNothingOfItPasses() {
    ByteString before = message(10);
    // Declares 4 GiB - 1 but carries 20 bytes: the length alone decides, nothing is held.
    ByteString lying = ByteString.fromArray(new byte[] {0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff})
        .concat(ByteString.fromArray(new byte[20]));
    List<ByteString> passed = new ArrayList<>();
    ExecutionException e = assertThrows(ExecutionException.class, () -> GrpcMessageLimit
        .apply(Source.from(oneByteChunks(before.concat(lying))), 64)
        .runWith(Sink.foreach(passed::add), KIT.system()).toCompletableFuture().get(10, TimeUnit.SECONDS));
    assertInstanceOf(EntityStreamSizeException.class, e.getCause());
    assertEquals(before, passed.stream().reduce(ByteString.emptyByteString(), ByteString::concat),
        "the whole messages before the oversized one, and not a byte of its body");
  }

  private static ByteString run(List<ByteString> chunks, long max) throws Exception {
    return GrpcMessageLimit.apply(Source.from(chunks), max)
        .runFold(ByteString.emptyByteString(), ByteString::concat, KIT.system())
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static ByteString message(int length) {
    ByteBuffer b = ByteBuffer.allocate(5 + length);
    b.put((byte) 0).putInt(length);
    for (int i = 0; i < length; i++) b.put((byte) i);
    return ByteString.fromArray(b.array());
  }

  private static List<ByteString> oneByteChunks(ByteString body) {
    List<ByteString> out = new ArrayList<>();
    for (int i = 0; i < body.size(); i++) out.add(body.slice(i, i + 1));
    return out;
  }
}
