import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A local stand-in for a Slack or Teams incoming webhook: keeps every POST's body, answers 200 (or `status`). */
export class WebhookReceiver {
  readonly bodies: string[] = [];
  /** The path part of the URL, the secret of a real incoming webhook. */
  readonly token = `T0-${crypto.randomUUID()}`;
  status = 200;
  #server!: Server;

  static async start(): Promise<WebhookReceiver> {
    const r = new WebhookReceiver();
    r.#server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        if (req.method === 'POST' && req.url === `/hooks/${r.token}`) r.bodies.push(body);
        res.writeHead(req.url === `/hooks/${r.token}` ? r.status : 404).end(r.status === 200 ? 'ok' : 'no');
      });
    });
    await new Promise<void>((resolve) => r.#server.listen(0, '127.0.0.1', resolve));
    return r;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/hooks/${this.token}`;
  }

  /** The texts posted so far. */
  texts(): string[] {
    return this.bodies.map((b) => (JSON.parse(b) as { text: string }).text);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
