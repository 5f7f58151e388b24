import { create } from 'zustand';
import type { ChannelResponse, Job, UiPreferencesDto } from '../../shared/ipc/contract';
import { call } from '../api/client';

export const PAGES = [
  'alerts',
  'cases',
  'waiting-tasks',
  'my-tasks',
  'search',
  'dashboards',
  'workflows',
  'organisation',
  'settings',
] as const;
export type Page = (typeof PAGES)[number];

type AppInfo = ChannelResponse<'app.getInfo'>;

interface AppState {
  info: AppInfo | null;
  error: string | null;
  page: Page;
  jobs: Job[];
  /** bumped when main says data changed, so tables refresh */
  dataVersion: number;
  load(): Promise<void>;
  setPage(page: Page): void;
  updatePreferences(patch: Partial<UiPreferencesDto>): Promise<void>;
  upsertJob(job: Job): void;
  setJobs(jobs: Job[]): void;
  dataChanged(): void;
}

export const useAppStore = create<AppState>((set, get) => ({
  info: null,
  error: null,
  page: 'cases',
  jobs: [],
  dataVersion: 0,
  async load() {
    try {
      const [info, jobs] = await Promise.all([call('app.getInfo', {}), call('jobs.list', {})]);
      set({ info, jobs, error: null });
    } catch (err) {
      set({ error: (err as Error).message });
    }
  },
  setPage: (page) => set({ page }),
  async updatePreferences(patch) {
    const info = get().info;
    if (info) set({ info: { ...info, preferences: { ...info.preferences, ...patch } } });
    const preferences = await call('preferences.update', patch);
    const latest = get().info;
    if (latest) set({ info: { ...latest, preferences } });
  },
  upsertJob: (job) =>
    set((s) => {
      const others = s.jobs.filter((j) => j.id !== job.id);
      return { jobs: [job, ...others].sort((a, b) => b.createdAt - a.createdAt) };
    }),
  setJobs: (jobs) => set({ jobs }),
  dataChanged: () => {
    set((s) => ({ dataVersion: s.dataVersion + 1 }));
    void call('app.getInfo', {}).then((info) => set({ info }));
  },
}));
