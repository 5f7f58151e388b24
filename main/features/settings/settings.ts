import { z } from 'zod';
import type { Store } from '../../store/open';
import { writeTransaction } from '../../store/write';

/** Per-user preferences of the UI (UI.md: remember what the analyst set up). */
export const uiPreferencesSchema = z.object({
  theme: z.enum(['dark', 'light']).default('dark'),
  sidebarCollapsed: z.boolean().default(false),
  demoOfferDismissed: z.boolean().default(false),
});
export type UiPreferences = z.infer<typeof uiPreferencesSchema>;

const UI_KEY = 'ui.preferences';

export function readSetting(store: Store, userId: string, key: string): unknown {
  const row = store.db
    .prepare('SELECT value FROM settings WHERE user_id = ? AND key = ?')
    .get(userId, key) as { value: string } | undefined;
  return row ? (JSON.parse(row.value) as unknown) : undefined;
}

export function writeSetting(
  store: Store,
  actor: string,
  userId: string,
  key: string,
  value: unknown,
  tenantId: string,
): void {
  writeTransaction(store, actor, (w) => {
    const before = readSetting(store, userId, key);
    if (before === undefined) {
      w.insert('setting', { userId, key, value, updatedAt: w.now }, { tenantId });
    } else {
      w.patch('setting', `${userId}:${key}`, { value }, { tenantId });
    }
  });
}

export function getUiPreferences(store: Store, userId: string): UiPreferences {
  const parsed = uiPreferencesSchema.safeParse(readSetting(store, userId, UI_KEY) ?? {});
  return parsed.success ? parsed.data : uiPreferencesSchema.parse({});
}

export function setUiPreferences(
  store: Store,
  actor: string,
  userId: string,
  tenantId: string,
  patch: Partial<UiPreferences>,
): UiPreferences {
  const next = uiPreferencesSchema.parse({ ...getUiPreferences(store, userId), ...patch });
  writeSetting(store, actor, userId, UI_KEY, next, tenantId);
  return next;
}
