import * as Dialog from '@radix-ui/react-dialog';
import { useState } from 'react';
import { useAppStore } from '../stores/app';
import { call } from '../api/client';

const DEMO_SIZES = [2_000, 20_000, 200_000];

/** First run: an empty store offers realistic demo data (issue 2, item 8). */
export function DemoOffer() {
  const { info, updatePreferences, upsertJob } = useAppStore();
  const [size, setSize] = useState(DEMO_SIZES[1]!);
  const [error, setError] = useState<string | null>(null);
  const open =
    !!info && info.caseCount === 0 && info.alertCount === 0 && !info.preferences.demoOfferDismissed;
  const load = async () => {
    try {
      const { jobId } = await call('demo.load', { alerts: size, seed: 1 });
      const jobs = await call('jobs.list', {});
      const job = jobs.find((j) => j.id === jobId);
      if (job) upsertJob(job);
      await updatePreferences({ demoOfferDismissed: true });
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <Dialog.Root
      open={open}
      onOpenChange={(o) => !o && void updatePreferences({ demoOfferDismissed: true })}
    >
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog" aria-describedby="demo-offer-desc">
          <Dialog.Title>Welcome to Watchfloor</Dialog.Title>
          <p id="demo-offer-desc">
            Your local store is empty. Load demo data to explore: alerts from SIEM, EDR, IDS and
            email gateway sources with MITRE ATT&amp;CK techniques, grouped into cases across three
            tenants. You can also start empty and import your own alerts later.
          </p>
          <fieldset className="demo-sizes">
            <legend>How much</legend>
            {DEMO_SIZES.map((n) => (
              <label key={n}>
                <input
                  type="radio"
                  name="demo-size"
                  checked={size === n}
                  onChange={() => setSize(n)}
                />
                {n.toLocaleString('en')} alerts
              </label>
            ))}
          </fieldset>
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
          <div className="dialog-actions">
            <Dialog.Close asChild>
              <button type="button" className="btn">
                Start empty
              </button>
            </Dialog.Close>
            <button type="button" className="btn primary" onClick={() => void load()}>
              Load demo data
            </button>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
