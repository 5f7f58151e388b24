import { PanelLeftClose, PanelLeftOpen, ShieldHalf } from 'lucide-react';
import { useAppStore } from '../stores/app';
import { PAGE_INFO } from './pages';

export function Sidebar() {
  const { page, setPage, info, updatePreferences } = useAppStore();
  const collapsed = info?.preferences.sidebarCollapsed ?? false;
  return (
    <nav className="sidebar" aria-label="Main">
      <div className="brand">
        <ShieldHalf size={20} aria-hidden />
        {!collapsed && <span>Watchfloor</span>}
      </div>
      <ul>
        {PAGE_INFO.map((p) => (
          <li key={p.page}>
            <button
              type="button"
              className={`nav-item ${page === p.page ? 'active' : ''}`}
              aria-current={page === p.page ? 'page' : undefined}
              aria-label={p.label}
              title={collapsed ? p.label : undefined}
              onClick={() => setPage(p.page)}
            >
              <p.icon size={16} aria-hidden />
              {!collapsed && <span>{p.label}</span>}
            </button>
          </li>
        ))}
      </ul>
      <button
        type="button"
        className="nav-item collapse-toggle"
        aria-label={collapsed ? 'Expand sidebar' : 'Collapse sidebar'}
        onClick={() => void updatePreferences({ sidebarCollapsed: !collapsed })}
      >
        {collapsed ? (
          <PanelLeftOpen size={16} aria-hidden />
        ) : (
          <PanelLeftClose size={16} aria-hidden />
        )}
        {!collapsed && <span>Collapse</span>}
      </button>
    </nav>
  );
}
