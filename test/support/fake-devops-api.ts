import { send, type Exchange } from '../../emulator/http-util.ts';

/** An identity as Azure DevOps names a comment's author. */
export interface DevOpsIdentity {
  id: string;
  displayName: string;
  uniqueName: string;
}
export interface ThreadComment {
  id: number;
  parentCommentId: number;
  content: string;
  author: DevOpsIdentity;
  commentType: 'text' | 'system';
}
export interface Thread {
  id: number;
  pullRequest: number;
  status: string;
  comments: ThreadComment[];
  isDeleted: boolean;
}

/** Who the job's System.AccessToken is: the project's build service. */
export const BUILD_SERVICE: DevOpsIdentity = {
  id: '5c3d1e2f-0000-4000-8000-00000000b51d',
  displayName: 'platform Build Service (contoso)',
  uniqueName: 'Build\\5c3d1e2f-0000-4000-8000-00000000b51d',
};

/** Azure DevOps refuses a comment longer than this (400, "A discussion comment cannot be longer than 150000 ..."). */
export const DEVOPS_COMMENT_LIMIT = 150_000;

const THREADS = /^\/[^/]+\/[^/]+\/_apis\/git\/repositories\/([^/]+)\/pullrequests\/(\d+)\/threads(?:\/(\d+))?$/i;
const COMMENT =
  /^\/[^/]+\/[^/]+\/_apis\/git\/repositories\/([^/]+)\/pullrequests\/(\d+)\/threads\/(\d+)\/comments\/(\d+)$/i;

const error = (ex: Exchange, status: number, message: string, typeKey: string) =>
  send(ex, status, {
    $id: '1',
    innerException: null,
    message,
    typeName: typeKey,
    typeKey,
    errorCode: 0,
    eventId: 3000,
  });

/**
 * A local stand-in for the Azure DevOps REST endpoints the task calls (connectionData, and a pull request's threads:
 * list, create, update a comment, update a status), served on dev.azure.com through the emulator's proxy
 * (emulator.devopsApi). Its refusals are Azure DevOps's: 401 for an unknown token, 403 TF401027 for a token without
 * "Contribute to pull requests", 400 for a comment over 150,000 characters or a request without api-version.
 */
export class FakeDevOpsApi {
  readonly threads: Thread[] = [];
  readonly requests: string[] = [];
  /** Every Authorization header received, to check that no other token is ever sent. */
  readonly authorizations: string[] = [];
  /** The repository whose pull requests exist. */
  readonly repositoryId = '3e0b7a42-0000-4000-8000-0000000000e9';
  /** Whether the build service lacks "Contribute to pull requests": every write is 403 TF401027. */
  readOnly = false;
  #nextThread = 1;
  readonly #valid: (token: string) => boolean;

  /** `valid`: whether a token is one the agent gave a job (the emulator's System.AccessToken grants). */
  constructor(valid: (token: string) => boolean) {
    this.#valid = valid;
  }

  /** A thread someone else started, as if written on Azure DevOps before the run. */
  addThread(pullRequest: number, content: string, author: DevOpsIdentity): Thread {
    const thread = {
      id: this.#nextThread++,
      pullRequest,
      status: 'active',
      isDeleted: false,
      comments: [{ id: 1, parentCommentId: 0, content, author, commentType: 'text' as const }],
    };
    this.threads.push(thread);
    return thread;
  }

  readonly handle = (ex: Exchange): void => {
    const path = ex.url.pathname;
    this.requests.push(`${ex.method} ${path}`);
    const auth = ex.headers.authorization ?? '';
    this.authorizations.push(auth);
    const token = auth.replace(/^Bearer /i, '');
    if (!auth.match(/^Bearer /i) || !this.#valid(token)) {
      ex.res.writeHead(401, { 'content-type': 'text/html' });
      return void ex.res.end('<html><body>Access Denied</body></html>');
    }
    if (/^\/[^/]+\/_apis\/connectionData$/i.test(path) && ex.method === 'GET')
      return send(ex, 200, {
        authenticatedUser: { id: BUILD_SERVICE.id, providerDisplayName: BUILD_SERVICE.displayName },
      });
    const threads = THREADS.exec(path);
    const comment = COMMENT.exec(path);
    const match = threads ?? comment;
    if (!match || match[1]!.toLowerCase() !== this.repositoryId)
      return error(ex, 404, 'TF401019: The Git repository does not exist.', 'GitRepositoryNotFoundException');
    if (!ex.url.searchParams.get('api-version'))
      return error(ex, 400, 'No api-version was supplied for the request.', 'VssVersionNotSpecifiedException');
    const pullRequest = Number(match[2]);
    const body = ex.method === 'GET' ? {} : ex.json<Record<string, unknown>>();
    const mayWrite = () => {
      if (!this.readOnly) return true;
      error(
        ex,
        403,
        `TF401027: You need the Git 'PullRequestContribute' permission to perform this action. Details: identity '${BUILD_SERVICE.displayName}', scope 'repository'.`,
        'GitNeedsPermissionException',
      );
      return false;
    };
    const tooLong = (content: unknown) => {
      if (typeof content === 'string' && content.length <= DEVOPS_COMMENT_LIMIT) return false;
      error(
        ex,
        400,
        `A discussion comment cannot be longer than ${DEVOPS_COMMENT_LIMIT} characters.\r\nParameter name: comment.Content`,
        'InvalidArgumentValueException',
      );
      return true;
    };
    const ofPr = this.threads.filter((t) => t.pullRequest === pullRequest);
    if (threads && !threads[3] && ex.method === 'GET') return send(ex, 200, { value: ofPr, count: ofPr.length });
    if (threads && !threads[3] && ex.method === 'POST') {
      const comments = (body.comments ?? []) as { content?: unknown }[];
      if (!mayWrite() || tooLong(comments[0]?.content)) return;
      const thread = this.addThread(pullRequest, comments[0]!.content as string, BUILD_SERVICE);
      thread.status = String(body.status ?? 'active');
      return send(ex, 200, thread);
    }
    const thread = ofPr.find((t) => t.id === Number(match[3]));
    if (!thread) return error(ex, 404, 'The requested thread could not be found.', 'ThreadNotFoundException');
    if (threads && ex.method === 'PATCH') {
      if (!mayWrite()) return;
      if (body.status) thread.status = String(body.status);
      return send(ex, 200, thread);
    }
    if (comment && ex.method === 'PATCH') {
      const target = thread.comments.find((c) => c.id === Number(comment[4]));
      if (!target) return error(ex, 404, 'The requested comment could not be found.', 'CommentNotFoundException');
      // Only its author may edit a comment.
      if (target.author.id !== BUILD_SERVICE.id)
        return error(ex, 403, 'Only the author of a comment can edit it.', 'UnauthorizedAccessException');
      if (!mayWrite() || tooLong(body.content)) return;
      target.content = body.content as string;
      return send(ex, 200, target);
    }
    error(ex, 405, 'The requested resource does not support this method.', 'HttpMethodNotAllowed');
  };
}
