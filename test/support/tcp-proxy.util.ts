import { createServer, connect, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  /** ws:// URL of the proxy, for a LiveKit URL that should go through it. */
  url: string;
  port: number;
  /** Cuts every connection and refuses new ones for `ms`: a real outage for what goes through it. */
  cut(ms: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * A TCP proxy to 127.0.0.1:`targetPort`. Pointing a client's LiveKit signal URL at it lets a test
 * really cut the client's connection to the SFU (the browser's offline emulation does not).
 */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let server: Server;
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server = createServer((client) => {
        const upstream = connect(targetPort, '127.0.0.1');
        sockets.add(client).add(upstream);
        const drop = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
        client.pipe(upstream).pipe(client);
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      sockets.clear();
      server.close(() => resolve());
    });
  const port = await listen(0);
  return {
    url: `ws://127.0.0.1:${port}`,
    port,
    async cut(ms) {
      await stop();
      await new Promise((r) => setTimeout(r, ms));
      await listen(port);
    },
    close: stop,
  };
}
