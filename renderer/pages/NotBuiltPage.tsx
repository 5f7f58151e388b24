import type { Page } from '../stores/app';
import { pageInfo } from '../components/pages';

export function NotBuiltPage({ page }: { page: Page }) {
  const info = pageInfo(page);
  return (
    <section className="empty-state" aria-labelledby="not-built-title">
      <info.icon size={32} aria-hidden />
      <h2 id="not-built-title">{info.label} is not built yet</h2>
      <p>
        This page arrives with {info.comingWith}. Cases work today: open <strong>Cases</strong> in
        the sidebar.
      </p>
    </section>
  );
}
