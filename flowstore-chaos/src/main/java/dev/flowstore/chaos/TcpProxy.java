package dev.flowstore.chaos;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy in front of PostgreSQL that can cut connections while a {@code COMMIT} is in flight.
 * It accepts on a free loopback port and forwards every connection ("link") to the real server. It
 * reads the client's side of the PostgreSQL wire protocol message by message, so it knows when a
 * client commits: a simple query ({@code Q}) of COMMIT, or the extended protocol's Parse ({@code
 * P}) of COMMIT — and a Bind ({@code B}) of a named statement whose Parse was COMMIT (pgjdbc
 * prepares statements it runs often on the server, after which only Bind/Execute/Sync go over the
 * wire).
 *
 * <p>On each commit it asks its {@link Policy} what to do:
 *
 * <ul>
 *   <li>{@link Cut#BEFORE}: cut the link before the COMMIT reaches the server (the transaction
 *       cannot commit);
 *   <li>{@link Cut#AFTER_SEND}: forward the COMMIT through its Sync, then cut at once — the server
 *       commits (it has the bytes) but the client never hears back: the ambiguous case;
 *   <li>{@link Cut#AFTER_REPLY}: forward it, wait until the server answers, drop the answer and
 *       cut: committed for certain, yet the client sees a broken connection.
 * </ul>
 *
 * {@link #cutAll()} drops every link at once, whatever they are doing. Cutting closes both sockets;
 * the client's driver sees the connection fail, new connections go through the proxy again.
 */
public final class TcpProxy implements AutoCloseable {
  /** Where a commit's link is cut, or not. */
  public enum Cut {
    NONE,
    BEFORE,
    AFTER_SEND,
    AFTER_REPLY
  }

  /** Decides, per commit seen, whether and where to cut. */
  @FunctionalInterface
  public interface Policy {
    Cut onCommit();
  }

  private final ServerSocket listener;
  private final InetSocketAddress target;
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private final Thread acceptor;
  private volatile Policy policy = () -> Cut.NONE;
  private volatile boolean closed;
  private final AtomicLong commits = new AtomicLong();
  private final Map<Cut, AtomicLong> cuts = new ConcurrentHashMap<>();
  private final AtomicLong cutAlls = new AtomicLong();

  /** Starts a proxy on a free loopback port that forwards to {@code host:port}. */
  public TcpProxy(String host, int port) throws IOException {
    this.target = new InetSocketAddress(host, port);
    this.listener = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
    for (Cut c : Cut.values()) cuts.put(c, new AtomicLong());
    this.acceptor = Thread.ofPlatform().daemon().name("tcp-proxy-accept").start(this::accept);
  }

  /** The port it listens on (loopback). */
  public int port() {
    return listener.getLocalPort();
  }

  public void policy(Policy p) {
    this.policy = p;
  }

  /** Commits seen so far (on every link). */
  public long commits() {
    return commits.get();
  }

  /** Links cut at commits, by where. */
  public long cuts(Cut where) {
    return cuts.get(where).get();
  }

  /** How many times {@link #cutAll()} ran. */
  public long cutAlls() {
    return cutAlls.get();
  }

  /** Drops every open link now. */
  public void cutAll() {
    cutAlls.incrementAndGet();
    for (Link l : links) l.cut();
  }

  private void accept() {
    while (!closed) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket();
        try {
          server.connect(target, 5000);
        } catch (IOException e) {
          client.close();
          continue;
        }
        client.setTcpNoDelay(true);
        server.setTcpNoDelay(true);
        Link link = new Link(client, server);
        links.add(link);
        link.start();
      } catch (IOException e) {
        if (!closed) sleepQuietly(10);
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      listener.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    for (Link l : links) l.cut();
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One client connection and its connection to the server. */
  private final class Link {
    private final Socket client;
    private final Socket server;
    private final Map<String, Boolean> commitStatements = new ConcurrentHashMap<>();
    private volatile boolean cutOnReply;
    private volatile boolean dead;

    Link(Socket client, Socket server) {
      this.client = client;
      this.server = server;
    }

    void start() {
      Thread.ofVirtual().start(this::clientToServer);
      Thread.ofVirtual().start(this::serverToClient);
    }

    void cut() {
      if (dead) return;
      dead = true;
      links.remove(this);
      closeQuietly(client);
      closeQuietly(server);
    }

    private void closeQuietly(Socket s) {
      try {
        s.setSoLinger(true, 0);
      } catch (IOException ignored) {
        // closed already
      }
      try {
        s.close();
      } catch (IOException ignored) {
        // closed already
      }
    }

    private void serverToClient() {
      byte[] buf = new byte[64 * 1024];
      try (InputStream in = server.getInputStream();
          OutputStream out = client.getOutputStream()) {
        for (int n; (n = in.read(buf)) >= 0; ) {
          if (cutOnReply) {
            cut();
            return;
          }
          out.write(buf, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // the other side or a cut closed it
      } finally {
        cut();
      }
    }

    private void clientToServer() {
      try (DataInputStream in = new DataInputStream(client.getInputStream());
          OutputStream out = new BufferedOutputStream(server.getOutputStream(), 64 * 1024)) {
        // startup phase: untyped messages (SSLRequest, GSSENCRequest, then the StartupMessage)
        while (true) {
          int len = in.readInt();
          byte[] body = in.readNBytes(len - 4);
          if (body.length != len - 4) throw new EOFException();
          out.write(int32(len));
          out.write(body);
          out.flush();
          int code = ((body[0] & 0xff) << 24) | ((body[1] & 0xff) << 16) | ((body[2] & 0xff) << 8);
          code |= body[3] & 0xff;
          if (code != 80877103 && code != 80877104) break; // not SSL/GSS: the startup message
        }
        Cut pending = Cut.NONE;
        // why: a COMMIT pgjdbc prepares on the server comes as Parse and Bind in one batch; it is
        // one commit, so the batch (up to its Sync) is looked at once
        boolean commitInBatch = false;
        while (true) {
          int type = in.read();
          if (type < 0) return;
          int len = in.readInt();
          byte[] body = in.readNBytes(len - 4);
          if (body.length != len - 4) throw new EOFException();
          if (!commitInBatch && isCommit(type, body)) {
            commitInBatch = true;
            commits.incrementAndGet();
            Cut c = policy.onCommit();
            if (c != Cut.NONE) cuts.get(c).incrementAndGet();
            if (c == Cut.BEFORE) {
              out.flush();
              cut();
              return;
            }
            pending = c;
          }
          out.write(type);
          out.write(int32(len));
          out.write(body);
          boolean endOfBatch = type == 'S' || type == 'Q';
          if (endOfBatch) commitInBatch = false;
          if (pending != Cut.NONE && endOfBatch) {
            if (pending == Cut.AFTER_REPLY) cutOnReply = true;
            out.flush();
            if (pending == Cut.AFTER_SEND) {
              cut();
              return;
            }
            pending = Cut.NONE;
          } else if (in.available() == 0) {
            out.flush();
          }
        }
      } catch (IOException e) {
        // the other side or a cut closed it
      } finally {
        cut();
      }
    }

    private boolean isCommit(int type, byte[] body) {
      switch (type) {
        case 'Q' -> {
          return isCommitSql(cstring(body, 0));
        }
        case 'P' -> {
          String name = cstring(body, 0);
          String sql = cstring(body, name.getBytes(StandardCharsets.UTF_8).length + 1);
          boolean commit = isCommitSql(sql);
          if (!name.isEmpty()) commitStatements.put(name, commit);
          return commit;
        }
        case 'B' -> {
          String portal = cstring(body, 0);
          String statement = cstring(body, portal.getBytes(StandardCharsets.UTF_8).length + 1);
          return !statement.isEmpty() && commitStatements.getOrDefault(statement, false);
        }
        default -> {
          return false;
        }
      }
    }
  }

  static boolean isCommitSql(String sql) {
    String s = sql.strip().toUpperCase(Locale.ROOT);
    if (s.endsWith(";")) s = s.substring(0, s.length() - 1).strip();
    return s.equals("COMMIT") || s.equals("END") || s.startsWith("COMMIT ");
  }

  private static String cstring(byte[] b, int from) {
    int end = from;
    while (end < b.length && b[end] != 0) end++;
    return new String(b, from, Math.max(0, end - from), StandardCharsets.UTF_8);
  }

  private static byte[] int32(int v) {
    return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
  }
}
