package io.rigserve.serving.api.grpc;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;
import scala.Option;

/**
 * Limits each message of a streaming request rather than the whole body: a stream may carry any
 * number of requests over its life, but none larger than the limit. Reads the 5-byte gRPC
 * message headers (flag, 4-byte big-endian length) as they pass. From a header that declares
 * more than the limit on, the rest of the body is read and dropped, and the body fails once the
 * client has sent it (RESOURCE_EXHAUSTED, as for a unary call): failing at once would reset the
 * stream before the client sees a status. Answers to the messages before it still arrive.
 */
final class GrpcMessageLimit {

  private GrpcMessageLimit() {}

  static Source<ByteString, ?> apply(Source<ByteString, ?> body, long maxMessageBytes) {
    AtomicLong oversized = new AtomicLong(-1);
    Source<ByteString, ?> checked = body.statefulMapConcat(() -> {
      byte[] header = new byte[5];
      int[] headerBytes = {0};
      long[] bodyLeft = {0};
      return chunk -> {
        if (oversized.get() >= 0) return List.of();
        // A header is passed on only once whole and within the limit, so only whole messages pass before a refusal.
        ByteStringBuilder out = new ByteStringBuilder();
        for (int i = 0; i < chunk.size(); ) {
          if (bodyLeft[0] > 0) {
            int take = (int) Math.min(bodyLeft[0], chunk.size() - i);
            out.append(chunk.slice(i, i + take));
            bodyLeft[0] -= take;
            i += take;
            continue;
          }
          header[headerBytes[0]++] = chunk.apply(i++);
          if (headerBytes[0] < header.length) continue;
          headerBytes[0] = 0;
          long length = ((header[1] & 0xffL) << 24) | ((header[2] & 0xff) << 16) | ((header[3] & 0xff) << 8) | (header[4] & 0xff);
          if (length > maxMessageBytes) {
            oversized.set(length);
            break;
          }
          out.putBytes(header);
          bodyLeft[0] = length;
        }
        return out.length() == 0 ? List.<ByteString>of() : List.of(out.result());
      };
    });
    return checked.concatLazy(Source.lazySource(() -> oversized.get() >= 0
        ? Source.<ByteString>failed(new EntityStreamSizeException(maxMessageBytes, Option.apply(oversized.get())))
        : Source.<ByteString>empty()));
  }
}
