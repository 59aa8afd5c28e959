package io.rigserve.bench.geo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The WAN as seen from one region's network namespace. It listens on the address of every rig
 * (its own region's included) and forwards each connection to the rig's transit address, holding
 * every chunk for half the pair's round trip in each direction, so the rigs' own RTT probes and
 * every message between them see the delay.
 *
 * <p>Commands on standard input: {@code cut REGION} stops moving bytes on every link to or from
 * that region, as a network partition does (nothing arrives, nothing is lost: TCP would
 * retransmit); {@code heal} resumes them. The proxy exits when its standard input closes, so it
 * never outlives whoever started it.
 *
 * <p>Arguments: {@code SELF_REGION ROUTE...}, each route
 * {@code listenHost:port=targetHost:port@peerRegion@oneWayMillis}.
 */
public final class DelayProxy {

  private final String self;
  private final Set<String> cut = ConcurrentHashMap.newKeySet();

  private DelayProxy(String self) {
    this.self = self;
  }

  /** One listening address and where (and how far) its connections go. */
  record Route(InetSocketAddress listen, InetSocketAddress target, String peerRegion, long oneWayMillis) {

    static Route parse(String spec) {
      String[] parts = spec.split("@");
      String[] ends = parts[0].split("=");
      if (parts.length != 3 || ends.length != 2) throw new IllegalArgumentException("bad route: " + spec);
      return new Route(address(ends[0]), address(ends[1]), parts[1], Long.parseLong(parts[2]));
    }

    private static InetSocketAddress address(String hostPort) {
      int colon = hostPort.lastIndexOf(':');
      return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: DelayProxy SELF_REGION listenHost:port=targetHost:port@peerRegion@oneWayMs ...");
      System.exit(2);
    }
    DelayProxy proxy = new DelayProxy(args[0]);
    List<ServerSocket> servers = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      Route route = Route.parse(args[i]);
      ServerSocket server = new ServerSocket();
      server.setReuseAddress(true);
      server.bind(route.listen(), 128);
      servers.add(server);
      daemon("accept " + route.listen(), () -> proxy.accept(server, route));
    }
    System.out.println("delay proxy " + args[0] + " listening on " + servers.size() + " addresses");
    System.out.flush();
    proxy.readCommands();
    System.exit(0);
  }

  private void readCommands() throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      String[] words = line.trim().split("\\s+");
      switch (words[0]) {
        case "cut" -> cut.add(words[1]);
        case "heal" -> cut.clear();
        case "quit" -> { return; }
        default -> System.err.println("unknown command: " + line);
      }
      System.out.println("ok " + line.trim());
      System.out.flush();
    }
  }

  /** Whether bytes may move between this region and {@code peer} now. */
  boolean open(String peer) {
    if (peer.equals(self)) return true;
    return !cut.contains(peer) && !cut.contains(self);
  }

  private void accept(ServerSocket server, Route route) {
    while (true) {
      Socket inbound;
      try {
        inbound = server.accept();
      } catch (IOException e) {
        return;
      }
      daemon("connect " + route.target(), () -> connect(inbound, route));
    }
  }

  private void connect(Socket inbound, Route route) {
    Socket outbound = new Socket();
    try {
      // The handshake crosses the link too: one round trip before the first byte can flow.
      Thread.sleep(2 * route.oneWayMillis());
      awaitOpen(route.peerRegion());
      inbound.setTcpNoDelay(true);
      outbound.setTcpNoDelay(true);
      outbound.connect(route.target(), 5_000);
    } catch (IOException | InterruptedException e) {
      closeQuietly(inbound);
      closeQuietly(outbound);
      return;
    }
    DelayedPipe.start(inbound, outbound, route.oneWayMillis(), () -> awaitOpen(route.peerRegion()));
    DelayedPipe.start(outbound, inbound, route.oneWayMillis(), () -> awaitOpen(route.peerRegion()));
  }

  private void awaitOpen(String peer) throws InterruptedException {
    while (!open(peer)) Thread.sleep(20);
  }

  static void daemon(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    t.start();
  }

  static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // already closed
    }
  }
}
