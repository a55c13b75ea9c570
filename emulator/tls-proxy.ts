import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readBody, type Exchange } from './http-util.ts';

/** The per-machine test CA and the server certificate for the Azure host names (made by certs/make-test-ca.mjs). */
export const CERT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', '.certs');

/**
 * One HTTPS server for every emulated host, and a loopback CONNECT proxy in front of it: a client with HTTPS_PROXY
 * set reaches it under the real host names, and trusts it through NODE_EXTRA_CA_CERTS.
 */
export class TlsProxy {
  readonly #tls: HttpsServer;
  readonly #proxy: HttpServer;
  readonly #sockets = new Set<Socket>();
  readonly #tunnels: (host: string) => boolean;
  tlsPort = 0;
  proxyPort = 0;

  /** `handle` answers every request; `tunnels` says which host names the proxy connects (others fail like DNS). */
  private constructor(handle: (ex: Exchange) => Promise<void>, tunnels: (host: string) => boolean) {
    this.#tunnels = tunnels;
    this.#tls = createHttpsServer(
      {
        cert: readFileSync(join(CERT_DIR, 'server.pem')),
        key: readFileSync(join(CERT_DIR, 'server-key.pem')),
      },
      (req, res) => {
        void readBody(req)
          .then((rawBody) => {
            const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
            const url = new URL(req.url ?? '/', `https://${req.headers.host ?? 'localhost'}`);
            let parsed: unknown;
            const ex: Exchange = {
              method: req.method ?? 'GET',
              host,
              url,
              headers: req.headers,
              rawBody,
              res,
              json: <T>() => (parsed ??= rawBody ? JSON.parse(rawBody) : {}) as T,
            };
            return handle(ex);
          })
          .catch((e: unknown) => {
            if (!res.headersSent) {
              res.writeHead(500);
              res.end(String(e));
            }
          });
      },
    );
    this.#tls.on('connection', (s: Socket) => this.#track(s));
    this.#proxy = createHttpServer((_req, res) => {
      res.writeHead(403);
      res.end('only CONNECT is served');
    });
    this.#proxy.on('connect', (req, client: Socket, head: Buffer) => this.#tunnel(req.url ?? '', client, head));
    this.#proxy.on('connection', (s: Socket) => this.#track(s));
  }

  static async listen(handle: (ex: Exchange) => Promise<void>, tunnels: (host: string) => boolean): Promise<TlsProxy> {
    const server = new TlsProxy(handle, tunnels);
    await new Promise<void>((r) => server.#tls.listen(0, '127.0.0.1', r));
    await new Promise<void>((r) => server.#proxy.listen(0, '127.0.0.1', r));
    server.tlsPort = (server.#tls.address() as AddressInfo).port;
    server.proxyPort = (server.#proxy.address() as AddressInfo).port;
    return server;
  }

  get proxyUrl(): string {
    return `http://127.0.0.1:${this.proxyPort}`;
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await Promise.all([new Promise((r) => this.#tls.close(r)), new Promise((r) => this.#proxy.close(r))]);
  }

  #track(s: Socket): void {
    this.#sockets.add(s);
    s.on('close', () => this.#sockets.delete(s));
  }

  #tunnel(target: string, client: Socket, head: Buffer): void {
    if (!this.#tunnels(target.replace(/:\d+$/, '').toLowerCase())) {
      client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const upstream = connect(this.tlsPort, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    this.#track(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  }
}
