import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { AllCommunityModule, ModuleRegistry } from 'ag-grid-community';
import { createWebAdapter } from './api/web-adapter';
import { App } from './App';
import './styles.css';

ModuleRegistry.registerModules([AllCommunityModule]);

// In Electron, preload has exposed window.watchfloor; in browser mode we provide the same API.
if (!window.watchfloor) window.watchfloor = createWebAdapter(window.location);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
