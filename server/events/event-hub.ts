import { z } from 'zod';
import { SESSIONS_CHANNEL } from '../auth/accounts';
import { CHANGES_CHANNEL } from '../store/change-log';
import type { Database } from '../store/database';

/**
 * What one instance must hear from the others goes through PostgreSQL LISTEN/NOTIFY (one
 * listening connection per instance), never process memory: a tenant's new change (a poke for
 * waiting clients, issue 15) and a user whose sessions were killed or who was locked.
 */

const changeSchema = z.object({ tenant: z.string(), seq: z.number() });
const sessionSchema = z.object({ userId: z.string() });

export type ChangeNotice = z.infer<typeof changeSchema>;

export class EventHub {
  private readonly changeListeners = new Set<(notice: ChangeNotice) => void>();
  private readonly sessionListeners = new Set<(userId: string) => void>();
  private readonly lostListeners = new Set<() => void>();
  private unsubscribe: (() => Promise<void>)[] = [];

  constructor(private readonly db: Database) {}

  async start(): Promise<void> {
    this.unsubscribe.push(
      await this.db.listen(CHANGES_CHANNEL, (payload) => {
        const notice = changeSchema.safeParse(safeJson(payload));
        if (notice.success) for (const listener of this.changeListeners) listener(notice.data);
      }),
      await this.db.listen(SESSIONS_CHANNEL, (payload) => {
        const notice = sessionSchema.safeParse(safeJson(payload));
        if (notice.success)
          for (const listener of this.sessionListeners) listener(notice.data.userId);
      }),
    );
    // Notifications sent while the connection was down are lost: streams re-check themselves.
    this.db.onListenerLost(() => {
      for (const listener of this.lostListeners) listener();
    });
  }

  onChange(listener: (notice: ChangeNotice) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  onSessionsRevoked(listener: (userId: string) => void): () => void {
    this.sessionListeners.add(listener);
    return () => this.sessionListeners.delete(listener);
  }

  onListenerLost(listener: () => void): () => void {
    this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  async stop(): Promise<void> {
    for (const unsubscribe of this.unsubscribe) await unsubscribe();
    this.unsubscribe = [];
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
