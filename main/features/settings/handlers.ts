import type { HandlerContext, HandlerMap } from '../../ipc/handler-context';
import { getUiPreferences, setUiPreferences } from './settings';
import { getLayout, saveLayout } from './layout';
import { countCases } from '../cases/cases';
import { APP_VERSION } from '../../version';

export function settingsHandlers({
  ws,
  env,
}: HandlerContext): HandlerMap<
  'app.getInfo' | 'preferences.update' | 'layout.get' | 'layout.save'
> {
  const { store, user } = ws;
  return {
    'app.getInfo': () => ({
      version: APP_VERSION,
      storePath: store.file,
      mode: env.mode,
      caseCount: countCases(store),
      alertCount: (store.db.prepare('SELECT count(*) AS n FROM alerts').get() as { n: number }).n,
      user: { id: user.id, login: user.login, displayName: user.displayName },
      preferences: getUiPreferences(store, user.id),
    }),
    'preferences.update': (patch) =>
      setUiPreferences(store, user.login, user.id, user.tenantId, patch),
    'layout.get': ({ key }) => getLayout(store, user.id, key),
    'layout.save': ({ key, value }) => {
      saveLayout(store, user, key, value);
      return { ok: true as const };
    },
  };
}
