import type { ButtonClick, Clicker, HomeView, IncomingMessage, UseCases } from '../../src/app/inbound.ts';
import type { Card } from '../../src/ports/chat.ts';

/**
 * A recording stand-in for the inbound interface: the boundary the Slack adapter is tested against,
 * not our logic. `hold()` keeps every call pending until `release()`, to prove acks never wait on it.
 */
export type Recorded =
  | { kind: 'handleMessage'; msg: IncomingMessage }
  | { kind: 'handleClick'; click: ButtonClick }
  | { kind: 'denyRequest'; requestId: string; clicker: Clicker; reason: string }
  | { kind: 'renderHome'; userId: string; teamId: string };

export interface RecordingUseCases extends UseCases {
  calls: Recorded[];
  home: HomeView;
  /** What handleClick answers: the card that replaces the clicked one (undefined: leave it). */
  spent: Card | undefined;
  /** Make the next calls throw this error (after recording them). */
  failWith: Error | undefined;
  hold(): void;
  release(): void;
  next<K extends Recorded['kind']>(
    kind: K,
    where?: (r: Extract<Recorded, { kind: K }>) => boolean,
  ): Promise<Extract<Recorded, { kind: K }>>;
}

export function recordingUseCases(): RecordingUseCases {
  const calls: Recorded[] = [];
  const waiters: { match: (r: Recorded) => boolean; resolve: (r: Recorded) => void }[] = [];
  let gate: Promise<void> | undefined;
  let open: (() => void) | undefined;

  const uc: RecordingUseCases = {
    calls,
    home: { sections: [{ title: 'Your roles', lines: ['• admin of billing (until 14:00)'] }] },
    failWith: undefined,
    spent: undefined,
    hold() {
      gate = new Promise((r) => {
        open = r;
      });
    },
    release() {
      open?.();
      gate = undefined;
    },
    next(kind, where = () => true) {
      const match = (r: Recorded) => r.kind === kind && where(r as never);
      const seen = calls.find(match);
      if (seen) return Promise.resolve(seen as never);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${kind} call within 5 s`)), 5_000);
        waiters.push({
          match,
          resolve: (r) => {
            clearTimeout(timer);
            resolve(r as never);
          },
        });
      });
    },
    handleMessage: (msg) => record({ kind: 'handleMessage', msg }),
    handleClick: async (click) => {
      await record({ kind: 'handleClick', click });
      return uc.spent;
    },
    denyRequest: (requestId, clicker, reason) => record({ kind: 'denyRequest', requestId, clicker, reason }),
    renderHome: async (userId, teamId) => {
      await record({ kind: 'renderHome', userId, teamId });
      return uc.home;
    },
  };

  async function record(r: Recorded): Promise<void> {
    calls.push(r);
    for (const w of [...waiters])
      if (w.match(r)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(r);
      }
    if (gate) await gate;
    if (uc.failWith) throw uc.failWith;
  }
  return uc;
}
