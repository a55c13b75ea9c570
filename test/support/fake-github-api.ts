import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Who wrote a comment, as GitHub says it: `type` is `Bot` for the workflow token's github-actions[bot]. */
export interface CommentUser {
  login: string;
  type: 'Bot' | 'User';
}
export interface Comment {
  id: number;
  body: string;
  issue: number;
  user: CommentUser;
}

/** The author of every comment the workflow token writes. */
export const WORKFLOW_BOT: CommentUser = { login: 'github-actions[bot]', type: 'Bot' };

/** An issue as the alert issues use it. */
export interface Issue {
  number: number;
  title: string;
  body: string;
  labels: string[];
  state: 'open' | 'closed';
  user: CommentUser;
}

/**
 * A local stand-in for the GitHub REST endpoints the Action calls: issue comments (list, create, update) and issues
 * (list by label and state, create, update).
 */
export class FakeGitHubApi {
  readonly comments: Comment[] = [];
  readonly issues: Issue[] = [];
  readonly requests: string[] = [];
  /** Every request body, as sent. */
  readonly bodies: string[] = [];
  #server!: Server;
  #nextId = 1000;
  /** Tokens allowed to write; anything else gets 403 like a token without pull-requests: write. */
  readonly tokens = new Set<string>();

  static async start(): Promise<FakeGitHubApi> {
    const api = new FakeGitHubApi();
    api.#server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () =>
        api.#handle(req.method!, req.url!, req.headers.authorization ?? '', body, (status, json) => {
          res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
          res.end(JSON.stringify(json));
        }),
      );
    });
    await new Promise<void>((r) => api.#server.listen(0, '127.0.0.1', r));
    return api;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((r) => this.#server.close(() => r()));
  }

  /** A comment someone else wrote, as if posted on GitHub before the run. */
  addComment(issue: number, body: string, user: CommentUser): Comment {
    const c = { id: this.#nextId++, issue, body, user };
    this.comments.push(c);
    return c;
  }

  #handle(
    method: string,
    url: string,
    auth: string,
    body: string,
    reply: (status: number, json: unknown) => void,
  ): void {
    this.requests.push(`${method} ${url}`);
    this.bodies.push(body);
    if (!this.tokens.has(auth.replace(/^(token|Bearer) /i, ''))) return reply(401, { message: 'Bad credentials' });
    const path = new URL(url, 'http://x').pathname;
    const list = /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/.exec(path);
    const one = /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/.exec(path);
    const view = (c: Comment) => ({ id: c.id, body: c.body, user: c.user });
    if (list && method === 'GET') return reply(200, this.comments.filter((c) => c.issue === Number(list[1])).map(view));
    if (list && method === 'POST') {
      return reply(
        201,
        view(this.addComment(Number(list[1]), (JSON.parse(body) as { body: string }).body, WORKFLOW_BOT)),
      );
    }
    if (one && method === 'PATCH') {
      const c = this.comments.find((x) => x.id === Number(one[1]));
      if (!c) return reply(404, { message: 'Not Found' });
      c.body = (JSON.parse(body) as { body: string }).body;
      return reply(200, view(c));
    }
    return this.#issue(method, url, body, reply);
  }

  #issue(method: string, url: string, body: string, reply: (status: number, json: unknown) => void): void {
    const { pathname, searchParams } = new URL(url, 'http://x');
    const all = /^\/repos\/[^/]+\/[^/]+\/issues$/.test(pathname);
    const one = /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)$/.exec(pathname);
    const view = (i: Issue) => ({ ...i, labels: i.labels.map((name) => ({ name })) });
    if (all && method === 'GET') {
      const label = searchParams.get('labels');
      const state = searchParams.get('state') ?? 'open';
      const found = this.issues.filter(
        (i) => (!label || i.labels.includes(label)) && (state === 'all' || i.state === state),
      );
      return reply(200, found.map(view));
    }
    if (all && method === 'POST') {
      const b = JSON.parse(body) as { title: string; body: string; labels?: string[] };
      const issue: Issue = {
        number: this.#nextId++,
        title: b.title,
        body: b.body,
        labels: b.labels ?? [],
        state: 'open',
        user: WORKFLOW_BOT,
      };
      this.issues.push(issue);
      return reply(201, view(issue));
    }
    if (one && method === 'PATCH') {
      const issue = this.issues.find((i) => i.number === Number(one[1]));
      if (!issue) return reply(404, { message: 'Not Found' });
      Object.assign(issue, JSON.parse(body) as Partial<Pick<Issue, 'body' | 'state'>>);
      return reply(200, view(issue));
    }
    return reply(404, { message: 'Not Found' });
  }
}
