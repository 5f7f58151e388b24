import { create } from 'zustand';
import type { CaseView, QueueDto } from '../../shared/ipc/contract';
import type { ConditionGroup, ConditionLeaf } from '../../shared/domain/conditions';
import type { CaseSortField, SortDirection } from '../../shared/domain/types';
import { call } from '../api/client';
import { useAppStore } from './app';

/**
 * The Cases workspace (TBL-1..6, QUE-6): which queue is selected, the applied Lucene query, the
 * filter chips, the Created At range and the sort. Together they are the view that the case
 * table pages through, that bulk "all matching" changes and that CSV export writes.
 */

export interface FilterItem {
  id: string;
  leaf: ConditionLeaf;
}

export interface CreatedRange {
  from?: number;
  to?: number;
}

export interface ViewSort {
  field: CaseSortField;
  direction: SortDirection;
}

interface CasesState {
  queues: QueueDto[] | null;
  queuesError: string | null;
  /** null until the queues and the last queue are known; '' when queues are unavailable */
  selectedQueueId: string | null;
  query: string;
  filters: FilterItem[];
  created: CreatedRange;
  sort: ViewSort | null;
  /** rows in the current view, from the first page's total */
  total: number | null;
  init(): Promise<void>;
  loadQueues(): Promise<void>;
  selectQueue(id: string): void;
  setQuery(query: string): void;
  addFilter(leaf: ConditionLeaf): void;
  removeFilter(id: string): void;
  clearFilters(): void;
  setCreated(range: CreatedRange): void;
  setSort(sort: ViewSort | null): void;
  setTotal(total: number | null): void;
}

const DEFAULT_QUEUE_NAME = 'All Open Cases';
let filterSeq = 0;

/** Pinned queues first (QUE-6); otherwise the order main gives (defaults, then custom). */
export function orderQueues(queues: readonly QueueDto[]): QueueDto[] {
  return [...queues.filter((q) => q.pinned), ...queues.filter((q) => !q.pinned)];
}

function defaultQueueId(queues: readonly QueueDto[]): string {
  return (
    queues.find((q) => q.isDefault && q.name === DEFAULT_QUEUE_NAME)?.id ??
    queues.find((q) => q.isDefault)?.id ??
    queues[0]?.id ??
    ''
  );
}

export const useCasesStore = create<CasesState>((set, get) => ({
  queues: null,
  queuesError: null,
  selectedQueueId: null,
  query: '',
  filters: [],
  created: {},
  sort: null,
  total: null,
  async init() {
    const [queues, last] = await Promise.allSettled([
      call('queues.list', {}),
      call('layout.get', { key: 'cases.lastQueue' }),
    ]);
    if (queues.status === 'rejected') {
      // Without queues the table still shows every case (an older main, or a failing store).
      set({
        queues: [],
        queuesError: (queues.reason as Error).message,
        selectedQueueId: get().selectedQueueId ?? '',
      });
      return;
    }
    const list = queues.value;
    const remembered = last.status === 'fulfilled' ? last.value : null;
    const current = get().selectedQueueId;
    const pick = [current, remembered].find(
      (id): id is string => typeof id === 'string' && list.some((q) => q.id === id),
    );
    set({ queues: list, queuesError: null, selectedQueueId: pick ?? defaultQueueId(list) });
  },
  async loadQueues() {
    try {
      const list = await call('queues.list', {});
      const selected = get().selectedQueueId;
      set({
        queues: list,
        queuesError: null,
        // a deleted queue falls back to All Open Cases
        ...(selected && !list.some((q) => q.id === selected)
          ? { selectedQueueId: defaultQueueId(list) }
          : {}),
      });
    } catch (err) {
      set({ queuesError: (err as Error).message });
    }
  },
  selectQueue(id) {
    if (id === get().selectedQueueId) return;
    set({ selectedQueueId: id, total: null });
    void call('layout.save', { key: 'cases.lastQueue', value: id }).catch(() => undefined);
  },
  setQuery: (query) => set({ query: query.trim(), total: null }),
  addFilter: (leaf) =>
    set((s) => ({ filters: [...s.filters, { id: `f${++filterSeq}`, leaf }], total: null })),
  removeFilter: (id) =>
    set((s) => ({ filters: s.filters.filter((f) => f.id !== id), total: null })),
  clearFilters: () => set({ filters: [], created: {}, total: null }),
  setCreated: (created) => set({ created, total: null }),
  setSort: (sort) => set({ sort }),
  setTotal: (total) => set({ total }),
}));

export function filterTree(filters: readonly FilterItem[]): ConditionGroup | undefined {
  if (filters.length === 0) return undefined;
  return { type: 'group', op: 'AND', children: filters.map((f) => f.leaf) };
}

type ViewParts = Pick<CasesState, 'selectedQueueId' | 'query' | 'filters' | 'created'> & {
  sort?: ViewSort | null;
};

/** The view the table, bulk "all matching" and export share (contract caseViewSchema). */
export function buildView(s: ViewParts): CaseView {
  const filters = filterTree(s.filters);
  return {
    ...(s.selectedQueueId ? { queueId: s.selectedQueueId } : {}),
    ...(s.query ? { query: s.query } : {}),
    ...(filters ? { filters } : {}),
    ...(s.created.from !== undefined ? { createdFrom: s.created.from } : {}),
    ...(s.created.to !== undefined ? { createdTo: s.created.to } : {}),
    ...(s.sort ? { sort: s.sort.field, direction: s.sort.direction } : {}),
  };
}

/** A stable key of the view without its sort: a change means other rows, so a new datasource. */
export function viewKey(s: ViewParts): string {
  return JSON.stringify(buildView({ ...s, sort: null }));
}

/** Puts a job main just started into the Task List at once (events keep it current after). */
export async function trackJob(jobId: string): Promise<void> {
  try {
    const job = (await call('jobs.list', {})).find((j) => j.id === jobId);
    if (job) useAppStore.getState().upsertJob(job);
  } catch {
    // the jobs.changed event brings it anyway
  }
}
