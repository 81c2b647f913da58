// A TCP proxy on loopback that can stall: in front of a subgraph (a slow institution) or of a store
// (a paused database), paused it holds every byte in both directions, as a stopped process would,
// and resumed it lets them through. Scripted slowness without timing a real process.
import net from 'node:net';

export interface StallingProxy {
  port: number;
  /** Connections whose client side has closed so far. */
  readonly closedByClient: number;
  /** Every byte the clients sent through it so far (what an eavesdropper on the wire would read). */
  readonly fromClients: Buffer;
  /** Chunks held since the last pause (something arrived while paused). */
  readonly held: number;
  /** Stops forwarding on every connection, current and new, until resumed. */
  pause(): void;
  resume(): void;
  /** Resets every open connection and refuses every new one, as a stopped service would; `false` serves again. */
  refuse(refusing: boolean): void;
  close(): Promise<void>;
}

export async function startStallingProxy(target: { host: string; port: number }): Promise<StallingProxy> {
  const sockets = new Set<net.Socket>();
  let paused = false;
  let refusing = false;
  let closedByClient = 0;
  // Bytes that arrived while paused, in order, with where they go.
  let held: [net.Socket, Buffer][] = [];
  const sent: Buffer[] = [];
  const forward = (from: net.Socket, to: net.Socket, record = false) =>
    from.on('data', (chunk: Buffer) => {
      if (record) sent.push(chunk);
      if (paused) held.push([to, chunk]);
      else to.write(chunk);
    });
  const server = net.createServer((client) => {
    if (refusing) return void client.resetAndDestroy();
    const upstream = net.connect(target);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    forward(client, upstream, true);
    forward(upstream, client);
    client.on('close', () => {
      closedByClient++;
      upstream.destroy();
    });
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    get closedByClient() {
      return closedByClient;
    },
    get fromClients() {
      return Buffer.concat(sent);
    },
    get held() {
      return held.length;
    },
    pause() {
      paused = true;
    },
    refuse(value) {
      refusing = value;
      // A stopped service's open connections end too.
      if (value) for (const socket of sockets) socket.resetAndDestroy();
    },
    resume() {
      paused = false;
      for (const [to, chunk] of held) if (!to.destroyed) to.write(chunk);
      held = [];
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
