import * as DropdownMenu from '@radix-ui/react-dropdown-menu';
import { CloudOff, Moon, Search, Sun } from 'lucide-react';
import { useAppStore } from '../stores/app';
import { pageInfo } from './pages';
import { TaskList } from './TaskList';

export function Header() {
  const { page, info, updatePreferences } = useAppStore();
  if (!info) return null;
  const theme = info.preferences.theme;
  const initials = info.user.displayName
    .split(/\s+/)
    .map((w) => w[0] ?? '')
    .join('')
    .slice(0, 2)
    .toUpperCase();
  return (
    <header className="header">
      <h1 className="page-title">{pageInfo(page).label}</h1>
      <div className="quick-search" aria-disabled="true" title="Global search arrives with SRC-1">
        <Search size={14} aria-hidden />
        <span>Search</span>
        <kbd>Ctrl K</kbd>
      </div>
      <div className="header-right">
        <TaskList />
        {/* SYN-5: sync status; no server is configured yet, so the store is local only. */}
        <div
          className="sync-status"
          role="status"
          aria-label="Sync status: local store, no server configured"
        >
          <CloudOff size={14} aria-hidden />
          <span>Local only</span>
        </div>
        <button
          type="button"
          className="icon-btn"
          aria-label={theme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme'}
          onClick={() => void updatePreferences({ theme: theme === 'dark' ? 'light' : 'dark' })}
        >
          {theme === 'dark' ? <Sun size={16} aria-hidden /> : <Moon size={16} aria-hidden />}
        </button>
        <DropdownMenu.Root>
          <DropdownMenu.Trigger asChild>
            <button type="button" className="avatar" aria-label="Account menu">
              {initials}
            </button>
          </DropdownMenu.Trigger>
          <DropdownMenu.Portal>
            <DropdownMenu.Content className="menu" align="end" sideOffset={6}>
              <DropdownMenu.Label className="menu-label">
                {info.user.displayName}
                <span className="muted">{info.user.login}</span>
              </DropdownMenu.Label>
              <DropdownMenu.Separator className="menu-sep" />
              <DropdownMenu.Item
                className="menu-item"
                onSelect={() =>
                  void updatePreferences({ theme: theme === 'dark' ? 'light' : 'dark' })
                }
              >
                {theme === 'dark' ? 'Light theme' : 'Dark theme'}
              </DropdownMenu.Item>
              <DropdownMenu.Item
                className="menu-item"
                onSelect={() => useAppStore.getState().setPage('settings')}
              >
                Settings
              </DropdownMenu.Item>
              <DropdownMenu.Separator className="menu-sep" />
              <div className="menu-foot muted" title={info.storePath}>
                Store: {info.storePath}
              </div>
            </DropdownMenu.Content>
          </DropdownMenu.Portal>
        </DropdownMenu.Root>
      </div>
    </header>
  );
}
