import type { Store } from '../../store/open';
import {
  alertsPerCaseSchema,
  correlationSettingsSchema,
  correlationTimeoutMinutesSchema,
  type CorrelationSettings,
} from '../../../shared/domain/correlation';
import { z } from 'zod';
import { readSetting, writeSetting } from '../settings/settings';

/** Global settings of correlation (COR-2, COR-3) as CLI and UI keys. */
export const CORRELATION_SETTING_KEYS = {
  'correlation.timeoutMinutes': correlationTimeoutMinutesSchema,
  'correlation.alertsPerCase': alertsPerCaseSchema,
  'correlation.autoCreateCases': z.boolean(),
} as const;
export type CorrelationSettingKey = keyof typeof CORRELATION_SETTING_KEYS;

export function isCorrelationSettingKey(key: string): key is CorrelationSettingKey {
  return Object.hasOwn(CORRELATION_SETTING_KEYS, key);
}

const GLOBAL = '';

export function getCorrelationSettings(store: Store): CorrelationSettings {
  return correlationSettingsSchema.parse({
    timeoutMinutes: readSetting(store, GLOBAL, 'correlation.timeoutMinutes'),
    alertsPerCase: readSetting(store, GLOBAL, 'correlation.alertsPerCase'),
    autoCreateCases: readSetting(store, GLOBAL, 'correlation.autoCreateCases'),
  });
}

/** Parses a text value (CLI) for a key; throws with the key and the allowed range. */
export function parseCorrelationSetting(
  key: CorrelationSettingKey,
  text: string,
): number | boolean {
  const raw: unknown =
    key === 'correlation.autoCreateCases'
      ? text === 'true'
        ? true
        : text === 'false'
          ? false
          : text
      : Number(text);
  const parsed = CORRELATION_SETTING_KEYS[key].safeParse(raw);
  if (!parsed.success) {
    const hint =
      key === 'correlation.timeoutMinutes'
        ? 'a whole number of minutes from 1 to 1440 (24 hours)'
        : key === 'correlation.alertsPerCase'
          ? 'a whole number from 1 to 5000'
          : 'true or false';
    throw new Error(`${key} must be ${hint}, got "${text}"`);
  }
  return parsed.data;
}

export function setCorrelationSetting(
  store: Store,
  actor: string,
  tenantId: string,
  key: CorrelationSettingKey,
  value: number | boolean,
): void {
  writeSetting(store, actor, GLOBAL, key, value, tenantId);
}
