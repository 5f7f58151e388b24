import type { HandlerContext, HandlerMap } from '../../ipc/handler-context';
import { listCaseTags, listUsers } from './users';

export function directoryHandlers({ ws }: HandlerContext): HandlerMap<'users.list' | 'tags.list'> {
  return {
    'users.list': () => listUsers(ws.store),
    'tags.list': () => listCaseTags(ws.store),
  };
}
