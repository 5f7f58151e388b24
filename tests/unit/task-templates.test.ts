import { describe, expect, it } from 'vitest';
import {
  BUILT_IN_TASK_TEMPLATES,
  mergeTaskTemplates,
  parseTaskTemplateFile,
  taskTemplateSchema,
  type TaskTemplate,
} from '../../shared/domain/task-templates';

const minimal = {
  id: 'ransomware',
  name: 'Ransomware',
  tasks: [{ group: 'Containment', title: 'Isolate affected hosts' }],
};

describe('BUILT_IN_TASK_TEMPLATES', () => {
  it('covers phishing, malware on an endpoint, account compromise and data exfiltration', () => {
    expect(BUILT_IN_TASK_TEMPLATES.map((template) => template.id)).toEqual([
      'phishing',
      'malware-endpoint',
      'account-compromise',
      'data-exfiltration',
    ]);
  });

  it('gives every task a group, a title and a description', () => {
    for (const template of BUILT_IN_TASK_TEMPLATES) {
      expect(template.tasks.length).toBeGreaterThanOrEqual(5);
      for (const task of template.tasks) {
        expect(task.group).not.toBe('');
        expect(task.title).not.toBe('');
        expect(task.description).not.toBe('');
      }
    }
  });

  it('round-trips through JSON as a user file would', () => {
    const parsed = parseTaskTemplateFile(JSON.stringify(BUILT_IN_TASK_TEMPLATES));
    expect(parsed).toEqual({ ok: true, templates: BUILT_IN_TASK_TEMPLATES });
  });
});

describe('parseTaskTemplateFile', () => {
  it('accepts one template and fills the optional fields', () => {
    expect(parseTaskTemplateFile(JSON.stringify(minimal))).toEqual({
      ok: true,
      templates: [
        {
          id: 'ransomware',
          name: 'Ransomware',
          description: '',
          tasks: [{ group: 'Containment', title: 'Isolate affected hosts', description: '' }],
        },
      ],
    });
  });

  it('accepts a list of templates and trims names', () => {
    const parsed = parseTaskTemplateFile(
      JSON.stringify([minimal, { ...minimal, id: 'ddos', name: '  DDoS  ' }]),
    );
    expect(parsed.ok && parsed.templates.map((template) => template.name)).toEqual([
      'Ransomware',
      'DDoS',
    ]);
  });

  it.each([
    ['{', /^not JSON: /],
    [JSON.stringify({ ...minimal, id: 'Bad Id' }), /^id: the template id is lower-case letters/],
    [JSON.stringify({ ...minimal, tasks: [] }), /^tasks: a template holds at least one task$/],
    [
      JSON.stringify({ ...minimal, tasks: [{ group: 'G', title: '   ' }] }),
      /^tasks\.0\.title: the task title is empty$/,
    ],
    [
      JSON.stringify({ ...minimal, tasks: [{ group: 'G', title: 'x'.repeat(201) }] }),
      /^tasks\.0\.title: the task title is longer than 200 characters$/,
    ],
    [
      JSON.stringify({
        ...minimal,
        tasks: [
          { group: 'G', title: 'Same' },
          { group: 'g', title: 'same' },
        ],
      }),
      /^tasks\.1\.title: the task 'same' appears twice in group 'g'$/,
    ],
    [JSON.stringify([minimal, minimal]), /^1\.id: the template id 'ransomware' appears twice$/],
    [JSON.stringify({ ...minimal, owner: 'x' }), /owner/],
    [JSON.stringify('a string'), /./],
  ])('refuses %s, saying where', (text, message) => {
    const parsed = parseTaskTemplateFile(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors.some((error) => message.test(error))).toBe(true);
  });
});

describe('mergeTaskTemplates', () => {
  it('lets a user template replace the built-in one with its id and keeps the rest', () => {
    const own: TaskTemplate = taskTemplateSchema.parse({
      ...minimal,
      id: 'phishing',
      name: 'Our phishing',
    });
    const merged = mergeTaskTemplates(BUILT_IN_TASK_TEMPLATES, [own]);
    expect(merged).toHaveLength(BUILT_IN_TASK_TEMPLATES.length);
    expect(merged.find((template) => template.id === 'phishing')?.name).toBe('Our phishing');
  });
});
