package io.rigserve.bench.geo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * One direction of a proxied connection: every chunk read from {@code from} is written to
 * {@code to} a fixed delay after it was read. Chunks are pipelined (a long transfer is not slowed
 * down, only shifted in time), and while the link is cut nothing moves and nothing is dropped.
 */
final class DelayedPipe {

  /** Blocks while the link is cut. */
  interface Gate {
    void awaitOpen() throws InterruptedException;
  }

  private record Chunk(long dueNanos, byte[] bytes) {}

  private static final byte[] END = new byte[0];
  /** Bounds what one direction holds in flight: a sender beyond it waits, like a full TCP window. */
  private static final int QUEUED_CHUNKS = 1024;

  private final Socket from;
  private final Socket to;
  private final long delayNanos;
  private final Gate gate;
  private final BlockingQueue<Chunk> queue = new LinkedBlockingQueue<>(QUEUED_CHUNKS);

  private DelayedPipe(Socket from, Socket to, long delayMillis, Gate gate) {
    this.from = from;
    this.to = to;
    this.delayNanos = delayMillis * 1_000_000L;
    this.gate = gate;
  }

  static void start(Socket from, Socket to, long delayMillis, Gate gate) {
    DelayedPipe pipe = new DelayedPipe(from, to, delayMillis, gate);
    DelayProxy.daemon("read " + from.getRemoteSocketAddress(), pipe::read);
    DelayProxy.daemon("write " + to.getRemoteSocketAddress(), pipe::write);
  }

  private void read() {
    byte[] buffer = new byte[64 * 1024];
    try {
      InputStream in = from.getInputStream();
      for (int n; (n = in.read(buffer)) >= 0; ) {
        gate.awaitOpen();
        queue.put(new Chunk(System.nanoTime() + delayNanos, Arrays.copyOf(buffer, n)));
      }
      queue.put(new Chunk(System.nanoTime() + delayNanos, END));
    } catch (IOException | InterruptedException e) {
      closeBoth();
    }
  }

  private void write() {
    try {
      OutputStream out = to.getOutputStream();
      while (true) {
        Chunk chunk = queue.take();
        long wait = chunk.dueNanos() - System.nanoTime();
        if (wait > 0) Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
        gate.awaitOpen();
        if (chunk.bytes() == END) {
          // Artery and HTTP close whole connections: no half-close to carry over.
          closeBoth();
          return;
        }
        out.write(chunk.bytes());
        out.flush();
      }
    } catch (IOException | InterruptedException e) {
      closeBoth();
    }
  }

  private void closeBoth() {
    DelayProxy.closeQuietly(from);
    DelayProxy.closeQuietly(to);
  }
}
