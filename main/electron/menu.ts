import { Menu, app, type MenuItemConstructorOptions } from 'electron';
import { openExternalSafely } from './security';

export function buildAppMenu(isDev: boolean): Menu {
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [process.platform === 'darwin' ? { role: 'close' } : { role: 'quit' }],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        ...(isDev ? [{ role: 'toggleDevTools' as const }] : []),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [
        { label: `Watchfloor ${app.getVersion()}`, enabled: false },
        { label: 'MITRE ATT&CK', click: () => openExternalSafely('https://attack.mitre.org/') },
      ],
    },
  ];
  return Menu.buildFromTemplate(template);
}
