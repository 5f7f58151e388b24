import { z } from 'zod';

/**
 * Task templates (TSK-1 "add from a task template list"): a named list of tasks, each with a
 * group, a title and a description (markdown), that an analyst adds to a case in one step.
 * Built-in templates cover the common SOC case types; users import their own as JSON (one template or a list of them,
 * `parseTaskTemplateFile`).
 *
 * The tasks follow the incident-handling phases most playbooks use (NIST SP 800-61:
 * identification, containment, eradication, recovery, lessons learned), one phase a group, so a
 * case's task list reads in the order the work is done.
 */

const trimmed = (max: number, what: string) =>
  z.string().trim().min(1, `${what} is empty`).max(max, `${what} is longer than ${max} characters`);

export const taskTemplateTaskSchema = z.strictObject({
  group: trimmed(100, 'the task group'),
  title: trimmed(200, 'the task title'),
  description: z
    .string()
    .max(20_000, 'the task description is longer than 20000 characters')
    .default(''),
});
export type TaskTemplateTask = z.infer<typeof taskTemplateTaskSchema>;

export const taskTemplateSchema = z
  .strictObject({
    /** Stable id: lower-case letters, digits and hyphens (`phishing`, `my-ransomware`). */
    id: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9-]{0,63}$/,
        'the template id is lower-case letters, digits and hyphens',
      ),
    name: trimmed(100, 'the template name'),
    description: z.string().max(2_000).default(''),
    tasks: z
      .array(taskTemplateTaskSchema)
      .min(1, 'a template holds at least one task')
      .max(200, 'a template holds at most 200 tasks'),
  })
  .superRefine((template, context) => {
    const seen = new Set<string>();
    template.tasks.forEach((task, index) => {
      const key = `${task.group}\u0000${task.title}`.toLowerCase();
      if (seen.has(key)) {
        context.addIssue({
          code: 'custom',
          path: ['tasks', index, 'title'],
          message: `the task '${task.title}' appears twice in group '${task.group}'`,
        });
      }
      seen.add(key);
    });
  });
export type TaskTemplate = z.infer<typeof taskTemplateSchema>;

/** A list of templates with distinct ids (a user's file holds one template or such a list). */
export const taskTemplateListSchema = z
  .array(taskTemplateSchema)
  .min(1, 'the file holds no template')
  .superRefine((templates, context) => {
    const ids = new Set<string>();
    templates.forEach((template, index) => {
      if (ids.has(template.id)) {
        context.addIssue({
          code: 'custom',
          path: [index, 'id'],
          message: `the template id '${template.id}' appears twice`,
        });
      }
      ids.add(template.id);
    });
  });

/**
 * Parses a user's template file (JSON text: one template, or a list of them). Errors name where
 * the problem is (`tasks.2.title: the task title is empty`; `1.id: …` in a list) and nothing is
 * taken from a file with any error.
 */
export function parseTaskTemplateFile(
  jsonText: string,
): { ok: true; templates: TaskTemplate[] } | { ok: false; errors: string[] } {
  let data: unknown;
  try {
    data = JSON.parse(jsonText);
  } catch (error) {
    return { ok: false, errors: [`not JSON: ${(error as Error).message}`] };
  }
  const isList = Array.isArray(data);
  const parsed = taskTemplateListSchema.safeParse(isList ? data : [data]);
  if (parsed.success) return { ok: true, templates: parsed.data };
  const errors = parsed.error.issues.map((issue) => {
    // A single template was parsed as a list of one: its paths start with that list's 0.
    const path = isList ? issue.path : issue.path.slice(1);
    return path.length === 0 ? issue.message : `${path.join('.')}: ${issue.message}`;
  });
  return { ok: false, errors };
}

/**
 * Built-in templates and user templates as one list for the picker: a user template with a
 * built-in's id replaces it (a team's own phishing playbook wins over ours).
 */
export function mergeTaskTemplates(
  builtIn: readonly TaskTemplate[],
  user: readonly TaskTemplate[],
): TaskTemplate[] {
  const byId = new Map<string, TaskTemplate>();
  for (const template of [...builtIn, ...user]) byId.set(template.id, template);
  return [...byId.values()];
}

const IDENTIFICATION = 'Identification';
const CONTAINMENT = 'Containment';
const ERADICATION = 'Eradication';
const RECOVERY = 'Recovery';
const LESSONS = 'Lessons learned';

const closeOut: TaskTemplateTask[] = [
  {
    group: LESSONS,
    title: 'Write the case summary and outcome',
    description:
      'What happened, how it was found, what was affected, what was done, and the outcome (True Positive, False Positive, Indeterminate, Other).',
  },
  {
    group: LESSONS,
    title: 'Tune detections',
    description:
      'Note the detection rules that fired or missed, and ask for tuning where the alert was noisy or late.',
  },
];

const BUILT_IN_DEFINITIONS: z.input<typeof taskTemplateSchema>[] = [
  {
    id: 'phishing',
    name: 'Phishing',
    description: 'A reported or detected phishing mail: scope, block, clean up, recover accounts.',
    tasks: [
      {
        group: IDENTIFICATION,
        title: 'Collect the original message',
        description:
          'Get the reported mail as .eml (with full headers) into the evidence locker; never forward it as an attachment of a new mail.',
      },
      {
        group: IDENTIFICATION,
        title: 'Analyse headers and sender',
        description:
          'Return-Path, Received chain, SPF/DKIM/DMARC results, reply-to, display-name spoofing; add sender address, sending IP and domains as observables.',
      },
      {
        group: IDENTIFICATION,
        title: 'Extract and analyse URLs and attachments',
        description:
          'Add URLs, domains and attachment hashes as observables (defanged values are accepted); check them against the local IOC lists and other cases.',
      },
      {
        group: IDENTIFICATION,
        title: 'Find every recipient',
        description:
          'Search the mail gateway for the same sender, subject or URL; list recipients, who opened, clicked or replied.',
      },
      {
        group: CONTAINMENT,
        title: 'Block sender, URLs and domains',
        description:
          'Block at the mail gateway, web proxy and DNS; record each block in a task log.',
      },
      {
        group: CONTAINMENT,
        title: 'Purge the message from mailboxes',
        description: 'Remove every copy from recipient mailboxes and note how many were removed.',
      },
      {
        group: ERADICATION,
        title: 'Reset credentials of users who submitted them',
        description:
          'Reset passwords, revoke sessions and tokens, check MFA methods for additions.',
      },
      {
        group: ERADICATION,
        title: 'Check hosts of users who opened attachments',
        description:
          'EDR scan and review of process activity after the time the attachment was opened.',
      },
      {
        group: RECOVERY,
        title: 'Inform the affected users',
        description: 'Tell recipients what to look for and how to report; thank the reporter.',
      },
      ...closeOut,
    ],
  },
  {
    id: 'malware-endpoint',
    name: 'Malware on an endpoint',
    description: 'Malware detected or suspected on a workstation or server.',
    tasks: [
      {
        group: IDENTIFICATION,
        title: 'Confirm the detection',
        description:
          'Review the EDR/AV alert, the process tree, command lines and parent process; rule out a false positive.',
      },
      {
        group: IDENTIFICATION,
        title: 'Collect artefacts',
        description:
          'Sample (hash first), persistence entries (registry run keys, services, scheduled tasks), and a triage collection into the evidence locker.',
      },
      {
        group: IDENTIFICATION,
        title: 'Scope: find the same indicators elsewhere',
        description:
          'Search for the hashes, file names, C2 domains and IPs across endpoints and proxy logs; add other hosts to the case.',
      },
      {
        group: CONTAINMENT,
        title: 'Isolate the host',
        description: 'Network-isolate through the EDR; keep it powered on if memory may be needed.',
      },
      {
        group: CONTAINMENT,
        title: 'Block indicators',
        description: 'Block hashes in EDR and C2 domains/IPs at the proxy, firewall and DNS.',
      },
      {
        group: ERADICATION,
        title: 'Remove the malware and its persistence',
        description: 'Or reimage the host when the infection cannot be fully understood.',
      },
      {
        group: ERADICATION,
        title: 'Reset credentials used on the host',
        description: 'Accounts that logged on to the host since the first sign of infection.',
      },
      {
        group: RECOVERY,
        title: 'Return the host to service',
        description: 'Lift isolation after a clean scan; watch the host for a week.',
      },
      ...closeOut,
    ],
  },
  {
    id: 'account-compromise',
    name: 'Account compromise',
    description: 'A user or service account used by someone other than its owner.',
    tasks: [
      {
        group: IDENTIFICATION,
        title: 'Confirm with the account owner',
        description:
          'Through a channel other than the possibly compromised account: were the sign-ins, locations and devices theirs?',
      },
      {
        group: IDENTIFICATION,
        title: 'Review sign-in and audit logs',
        description:
          'Sign-ins (IPs, user agents, locations), MFA prompts, new devices, mailbox rules, OAuth consents, privilege changes; add IPs and user agents as observables.',
      },
      {
        group: IDENTIFICATION,
        title: 'Find what the attacker accessed',
        description:
          'Files, mail, systems and data reached with the account during the compromise window.',
      },
      {
        group: CONTAINMENT,
        title: 'Disable the account or revoke its sessions',
        description:
          'Revoke refresh tokens and sessions; disable it when the owner is not reachable.',
      },
      {
        group: ERADICATION,
        title: 'Reset the password and MFA methods',
        description: 'Remove MFA methods, app passwords and OAuth grants the attacker added.',
      },
      {
        group: ERADICATION,
        title: 'Remove attacker changes',
        description:
          'Inbox rules, forwarding, delegated access, new accounts or keys created from it.',
      },
      {
        group: RECOVERY,
        title: 'Re-enable the account with the owner',
        description: 'Enrol MFA again with the owner present; watch the account for two weeks.',
      },
      ...closeOut,
    ],
  },
  {
    id: 'data-exfiltration',
    name: 'Data exfiltration',
    description: 'Data suspected of leaving the organisation.',
    tasks: [
      {
        group: IDENTIFICATION,
        title: 'Establish what data left, and how',
        description:
          'Channel (web upload, cloud storage, mail, removable media, DNS), volume, time window, destination; add destinations as observables.',
      },
      {
        group: IDENTIFICATION,
        title: 'Identify the actor',
        description: 'Insider or outsider; the accounts and hosts involved.',
      },
      {
        group: IDENTIFICATION,
        title: 'Classify the data',
        description:
          'Personal data, customer data, credentials, intellectual property: this decides who must be told.',
      },
      {
        group: CONTAINMENT,
        title: 'Stop the transfer',
        description: 'Block destinations, revoke shares and access, isolate hosts as needed.',
      },
      {
        group: CONTAINMENT,
        title: 'Preserve evidence',
        description:
          'Logs, proxy records and disk images into the evidence locker with hashes; keep a chain of custody when legal action is possible.',
      },
      {
        group: ERADICATION,
        title: 'Close the path used',
        description:
          'Fix the misconfiguration, remove the tool, or revoke the access that allowed it.',
      },
      {
        group: RECOVERY,
        title: 'Notify as required',
        description:
          'Legal, privacy officer, data owners; regulators and affected people within the legal deadlines (e.g. 72 hours under GDPR).',
      },
      ...closeOut,
    ],
  },
];

/** The built-in templates (TSK-1), validated like a user's file so they can never drift. */
export const BUILT_IN_TASK_TEMPLATES: readonly TaskTemplate[] =
  taskTemplateListSchema.parse(BUILT_IN_DEFINITIONS);
