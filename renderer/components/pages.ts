import type { LucideIcon } from 'lucide-react';
import {
  Bell,
  Briefcase,
  Hourglass,
  ListChecks,
  Search,
  LayoutDashboard,
  Workflow,
  Building2,
  Settings,
} from 'lucide-react';
import type { Page } from '../stores/app';

export interface PageInfo {
  page: Page;
  label: string;
  icon: LucideIcon;
  /** which issue/spec section will bring the page, said plainly on its placeholder */
  comingWith: string;
}

export const PAGE_INFO: readonly PageInfo[] = [
  { page: 'alerts', label: 'Alerts', icon: Bell, comingWith: 'alert triage (SPEC §2, ALR-1..6)' },
  { page: 'cases', label: 'Cases', icon: Briefcase, comingWith: '' },
  { page: 'waiting-tasks', label: 'Waiting Tasks', icon: Hourglass, comingWith: 'tasks (TSK-2)' },
  { page: 'my-tasks', label: 'My Tasks', icon: ListChecks, comingWith: 'tasks (TSK-3)' },
  { page: 'search', label: 'Search', icon: Search, comingWith: 'search (SRC-1)' },
  {
    page: 'dashboards',
    label: 'Dashboards',
    icon: LayoutDashboard,
    comingWith: 'dashboards (DSH-1)',
  },
  { page: 'workflows', label: 'Workflows', icon: Workflow, comingWith: 'workflows (WFL-1..4)' },
  {
    page: 'organisation',
    label: 'Organisation',
    icon: Building2,
    comingWith: 'administration (ADM-1..3)',
  },
  {
    page: 'settings',
    label: 'Settings',
    icon: Settings,
    comingWith: 'settings (COR-2, COR-3, CAS-8)',
  },
];

export function pageInfo(page: Page): PageInfo {
  return PAGE_INFO.find((p) => p.page === page)!;
}
