import { useEffect } from 'react';
import { useAppStore, type PAGES } from '../stores/app';

/** g then a letter jumps to a page, as in many analyst tools: g a Alerts, g c Cases. */
const GO_KEYS: Record<string, (typeof PAGES)[number]> = {
  a: 'alerts',
  c: 'cases',
  w: 'waiting-tasks',
  m: 'my-tasks',
  s: 'search',
  d: 'dashboards',
};

export function useGlobalShortcuts(): void {
  useEffect(() => {
    let pendingG = false;
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (
        target &&
        (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))
      )
        return;
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (pendingG) {
        pendingG = false;
        const page = GO_KEYS[e.key];
        if (page) useAppStore.getState().setPage(page);
        return;
      }
      if (e.key === 'g') pendingG = true;
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
