import { useEffect } from 'react';
import { useAppStore } from './stores/app';
import { subscribe } from './api/client';
import { Sidebar } from './components/Sidebar';
import { Header } from './components/Header';
import { DemoOffer } from './components/DemoOffer';
import { CasesPage } from './pages/CasesPage';
import { AlertsPage } from './pages/AlertsPage';
import { NotBuiltPage } from './pages/NotBuiltPage';
import { useGlobalShortcuts } from './components/shortcuts';

export function App() {
  const { info, error, page, load, upsertJob, dataChanged } = useAppStore();
  const theme = info?.preferences.theme ?? 'dark';

  useEffect(() => {
    void load();
    const offJobs = subscribe('jobs.changed', upsertJob);
    const offData = subscribe('data.changed', dataChanged);
    return () => {
      offJobs();
      offData();
    };
  }, [load, upsertJob, dataChanged]);

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  useGlobalShortcuts();

  if (error) {
    return (
      <div className="fatal" role="alert">
        <h1>Watchfloor cannot reach its store</h1>
        <p>{error}</p>
        <button type="button" className="btn primary" onClick={() => void load()}>
          Try again
        </button>
      </div>
    );
  }
  if (!info)
    return (
      <div className="loading" aria-busy="true">
        Opening the local store…
      </div>
    );

  return (
    <div className={`shell ${info.preferences.sidebarCollapsed ? 'collapsed' : ''}`}>
      <Sidebar />
      <div className="workarea">
        <Header />
        <main className="page" aria-label={page}>
          {page === 'cases' ? (
            <CasesPage />
          ) : page === 'alerts' ? (
            <AlertsPage />
          ) : (
            <NotBuiltPage page={page} />
          )}
        </main>
      </div>
      <DemoOffer />
    </div>
  );
}
