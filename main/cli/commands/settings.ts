import { type Command } from 'commander';
import {
  CORRELATION_SETTING_KEYS,
  getCorrelationSettings,
  isCorrelationSettingKey,
  parseCorrelationSetting,
  setCorrelationSetting,
} from '../../features/correlation/correlation-settings';

import { CliError, withWorkspace } from '../common';

export function registerSettingsCommands(program: Command, out: (s: string) => void): void {
  const settings = program.command('settings').description('read or change settings');
  settings
    .command('get')
    .argument('<key>', Object.keys(CORRELATION_SETTING_KEYS).join('|'))
    .action((key: string) => {
      if (!isCorrelationSettingKey(key)) {
        throw new CliError(
          `unknown setting "${key}"; known: ${Object.keys(CORRELATION_SETTING_KEYS).join(', ')}`,
          2,
        );
      }
      withWorkspace(program, 'read', (ws) => {
        const all = getCorrelationSettings(ws.store);
        const field = key.slice('correlation.'.length) as keyof typeof all;
        out(JSON.stringify(all[field]) + '\n');
      });
    });
  settings
    .command('set')
    .argument('<key>', Object.keys(CORRELATION_SETTING_KEYS).join('|'))
    .argument('<value>')
    .action((key: string, value: string) => {
      if (!isCorrelationSettingKey(key)) {
        throw new CliError(
          `unknown setting "${key}"; known: ${Object.keys(CORRELATION_SETTING_KEYS).join(', ')}`,
          2,
        );
      }
      let parsed: number | boolean;
      try {
        parsed = parseCorrelationSetting(key, value);
      } catch (e) {
        throw new CliError((e as Error).message, 2);
      }
      withWorkspace(program, true, (ws) =>
        setCorrelationSetting(ws.store, ws.user.login, ws.user.tenantId, key, parsed),
      );
      out(JSON.stringify({ [key]: parsed }) + '\n');
    });
}
