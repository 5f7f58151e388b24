import type { Store } from '../../store/open';
import { ServiceError } from '../../service-error';
import { readSetting, writeSetting } from './settings';

/**
 * Per-user layout state of the Cases page (TBL-2: column order, widths, visibility, pins, sort;
 * the queue panel; the last queue): opaque JSON the renderer owns, kept in `settings` under
 * `layout.<key>` for the user, through the audited write path.
 */
export type LayoutKey = 'cases.columns' | 'cases.queuePanel' | 'cases.lastQueue';

const MAX_LAYOUT_BYTES = 64 * 1024;

export function getLayout(store: Store, userId: string, key: LayoutKey): unknown {
  return readSetting(store, userId, `layout.${key}`) ?? null;
}

export function saveLayout(
  store: Store,
  actor: { id: string; login: string; tenantId: string },
  key: LayoutKey,
  value: unknown,
): void {
  const json = JSON.stringify(value ?? null);
  if (json.length > MAX_LAYOUT_BYTES) {
    throw new ServiceError(
      'BAD_REQUEST',
      `The layout is too large: ${json.length.toLocaleString('en')} bytes, at most ${MAX_LAYOUT_BYTES.toLocaleString('en')}`,
    );
  }
  writeSetting(store, actor.login, actor.id, `layout.${key}`, value ?? null, actor.tenantId);
}
