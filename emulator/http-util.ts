import type { IncomingMessage, ServerResponse } from 'node:http';

/** One request as the emulator's handlers see it. */
export interface Exchange {
  readonly method: string;
  readonly host: string;
  readonly url: URL;
  readonly headers: IncomingMessage['headers'];
  readonly rawBody: string;
  readonly res: ServerResponse;
  json<T = Record<string, unknown>>(): T;
  /** Sees every answer (status and body) before it is written: for conformance tests. */
  observe?: (status: number, body: unknown) => void;
}

export function send(ex: Exchange, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  if (ex.res.headersSent) return;
  ex.observe?.(status, body);
  const payload = body === undefined || body === null ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  ex.res.writeHead(status, {
    ...(payload ? { 'Content-Type': 'application/json; charset=utf-8' } : {}),
    'Content-Length': String(Buffer.byteLength(payload)),
    'x-ms-request-id': crypto.randomUUID(),
    ...headers,
  });
  ex.res.end(payload);
}

/** The error envelope Key Vault uses: `{error:{code,message,innererror?}}`. */
export function kvError(code: string, message: string, innerCode?: string): unknown {
  return { error: { code, message, ...(innerCode ? { innererror: { code: innerCode } } : {}) } };
}

export class HttpError extends Error {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Record<string, string>;
  constructor(status: number, body: unknown, headers: Record<string, string> = {}) {
    super(`HTTP ${status}`);
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

export const fail = (status: number, code: string, message: string, innerCode?: string): never => {
  throw new HttpError(status, kvError(code, message, innerCode));
};

export const epoch = (ms: number): number => Math.floor(ms / 1000);

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export const newVersion = (): string => crypto.randomUUID().replaceAll('-', '');

export const b64url = (buf: Buffer): string => buf.toString('base64url');
