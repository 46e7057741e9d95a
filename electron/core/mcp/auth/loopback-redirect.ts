import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CodedError } from '../../../../shared/ipc/errors';

/** `connection: close`: a browser must not reuse this socket for the next flow's listener on the same port. */
const HTML_HEADERS = { 'content-type': 'text/html; charset=utf-8', connection: 'close' };

const PAGE = (title: string, text: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body style="font-family:system-ui;margin:3rem"><h1>${title}</h1><p>${text}</p></body></html>`;

/**
 * The loopback listener one browser sign-in redirects to (RFC 8252 §7.3):
 * `http://127.0.0.1:<port>/callback` on 127.0.0.1 only, for one flow. Takes
 * the port asked for when it is free (so a registered redirect URI keeps
 * working), else any. Resolves with the code once a redirect carrying the
 * expected `state` arrives; rejects on an `error` redirect, on `close()`, or
 * after `timeoutMs`.
 */
export class LoopbackRedirect {
  /** The listener, from its creation (also while `listen()` is still binding) until `finish()` closes it. */
  private server: Server | null = null;
  private settle: { resolve: (code: string) => void; reject: (error: Error) => void } | null = null;
  private timer: NodeJS.Timeout | null = null;
  readonly code: Promise<string>;
  private expectedState: string | null = null;
  /** Why the flow ended (a cancel, the redirect, the timeout); null while it runs. */
  private endedBecause: string | null = null;
  /** Settles when the flow ends: a bind still under way gives up then. */
  private readonly ended: Promise<void>;
  private markEnded: () => void = () => undefined;
  url = '';

  constructor(private readonly timeoutMs: number) {
    this.code = new Promise<string>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    this.code.catch(() => undefined);
    this.ended = new Promise<void>((resolve) => {
      this.markEnded = resolve;
    });
  }

  /** True once the flow ended (cancelled, answered or timed out): nothing should be opened for it any more. */
  get closed(): boolean {
    return this.endedBecause !== null;
  }

  /**
   * Listens; returns the redirect URI. `preferredPort` is tried first. Rejects
   * with `CANCELLED` when `close()` comes first (also while a port is being
   * retried); the listener is closed then.
   */
  async listen(preferredPort?: number): Promise<string> {
    this.throwIfEnded();
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname !== '/callback') {
        res.writeHead(404, { connection: 'close' }).end();
        return;
      }
      const state = url.searchParams.get('state');
      if (this.expectedState !== null && state !== this.expectedState) {
        res.writeHead(400, HTML_HEADERS).end(PAGE('Sign-in not recognised', 'This sign-in link is not the one Tandem is waiting for. Start the sign-in again from Tandem.'));
        return;
      }
      const error = url.searchParams.get('error');
      const code = url.searchParams.get('code');
      if (error || !code) {
        const why = url.searchParams.get('error_description') ?? error ?? 'no authorization code';
        res.writeHead(200, HTML_HEADERS).end(PAGE('Sign-in failed', `The server said: ${why.replace(/[<>&"]/g, '')}. You can close this tab.`));
        this.finish(new Error(error === 'access_denied' ? 'Access was denied in the browser' : `The authorization server said: ${why}`));
        return;
      }
      res.writeHead(200, HTML_HEADERS).end(PAGE('Signed in', 'Tandem is signed in. You can close this tab.'));
      this.finish(null, code);
    });
    this.server = server;
    // A bind that completes after the flow ended (close() raced it) is let go at once; a late bind error is not a crash.
    server.on('listening', () => {
      if (this.closed) stopServer(server);
    });
    server.on('error', () => undefined);
    const ended = this.ended.then(() => 'ended' as const);
    /** Binds `port`; rejects with the bind error, or with CANCELLED once the flow ended (the listener is closed then). */
    const bind = async (port: number): Promise<void> => {
      let onError: (error: Error) => void = () => undefined;
      const bound = new Promise<'bound'>((resolve, reject) => {
        onError = reject;
        server.once('error', onError);
        server.listen(port, '127.0.0.1', () => resolve('bound'));
      });
      bound.catch(() => undefined);
      try {
        await Promise.race([bound, ended]);
      } finally {
        server.off('error', onError);
      }
      if (this.closed) stopServer(server);
      this.throwIfEnded();
    };
    let bound = false;
    // The previous flow's listener may be a moment from letting the port go.
    for (let attempt = 0; preferredPort && !bound && attempt < 5; attempt++) {
      try {
        await bind(preferredPort);
        bound = true;
      } catch {
        this.throwIfEnded();
        if (attempt === 4) break;
        await Promise.race([new Promise((resolve) => setTimeout(resolve, 40)), ended]);
        this.throwIfEnded();
      }
    }
    if (!bound) {
      try {
        await bind(0);
      } catch (error) {
        this.throwIfEnded();
        throw error;
      }
    }
    this.timer = setTimeout(() => this.finish(new Error(`Nobody finished signing in within ${Math.round(this.timeoutMs / 60_000)} min`)), this.timeoutMs);
    this.timer.unref();
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`;
    return this.url;
  }

  /** The `state` the redirect must carry (anti-CSRF). */
  expectState(state: string): void {
    this.expectedState = state;
  }

  close(reason = 'The sign-in was cancelled'): void {
    this.finish(new Error(reason));
  }

  private throwIfEnded(): void {
    if (this.endedBecause !== null) throw new CodedError('CANCELLED', this.endedBecause);
  }

  private finish(error: Error | null, code?: string): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.endedBecause ??= error ? error.message : 'The sign-in already finished';
    this.markEnded();
    const settle = this.settle;
    this.settle = null;
    if (settle) {
      if (error) settle.reject(error);
      else settle.resolve(code!);
    }
    // Stop listening now (the port is free for the next flow); the answer page already on its way still goes out.
    const server = this.server;
    this.server = null;
    if (server) stopServer(server);
  }
}

function stopServer(server: Server): void {
  server.close();
  server.closeIdleConnections();
}
