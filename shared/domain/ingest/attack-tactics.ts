import { ATTACK_TACTIC_ID_PATTERN, ATTACK_TECHNIQUE_ID_PATTERN } from '../alert-format';

/**
 * MITRE ATT&CK Enterprise tactics. Some sources name tactics instead of giving their ids
 * (Wazuh `rule.mitre.tactic`, Suricata `mitre_tactic_name`, TheHive procedures), so importers
 * look the id up by name.
 */
const ENTERPRISE_TACTICS: ReadonlyArray<readonly [id: string, name: string]> = [
  ['TA0043', 'Reconnaissance'],
  ['TA0042', 'Resource Development'],
  ['TA0001', 'Initial Access'],
  ['TA0002', 'Execution'],
  ['TA0003', 'Persistence'],
  ['TA0004', 'Privilege Escalation'],
  ['TA0005', 'Defense Evasion'],
  ['TA0006', 'Credential Access'],
  ['TA0007', 'Discovery'],
  ['TA0008', 'Lateral Movement'],
  ['TA0009', 'Collection'],
  ['TA0011', 'Command and Control'],
  ['TA0010', 'Exfiltration'],
  ['TA0040', 'Impact'],
];

/** `Command_and_Control`, `command-and-control` and `Command And Control` read the same. */
function tacticLookupKey(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, ' ');
}

const TACTIC_BY_NAME = new Map(
  ENTERPRISE_TACTICS.map(([id, name]) => [tacticLookupKey(name), { id, name }]),
);
const TACTIC_BY_ID = new Map(ENTERPRISE_TACTICS.map(([id, name]) => [id, { id, name }]));

/** Resolves a tactic given by id (`TA0002`) or by name (`Execution`); null when unknown. */
export function resolveTactic(idOrName: string): { id: string; name: string } | null {
  const text = idOrName.trim();
  const upper = text.toUpperCase();
  if (ATTACK_TACTIC_ID_PATTERN.test(upper)) {
    return TACTIC_BY_ID.get(upper) ?? { id: upper, name: '' };
  }
  return TACTIC_BY_NAME.get(tacticLookupKey(text)) ?? null;
}

/** Canonical technique id (`t1059.001` → `T1059.001`), or null when it is not one. */
export function normalizeTechniqueId(text: string): string | null {
  const upper = text.trim().toUpperCase();
  return ATTACK_TECHNIQUE_ID_PATTERN.test(upper) ? upper : null;
}

/** Source names such as `Remote_Services` (Suricata metadata) read as `Remote Services`. */
export function readableAttackName(name: string): string {
  return name.replace(/_/g, ' ').replace(/\s+/g, ' ').trim();
}
