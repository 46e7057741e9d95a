import { useEffect } from 'react';
import { useAppStore } from '../../store/store-context';
import { NoticeList } from '../chat/notice-list';
import { AddProviderForm } from './add-provider-form';
import { ProviderCard } from './provider-card';

/** Cloud and OpenAI-compatible providers: add one, test it, see its models and health. */
export function ProvidersPage() {
  const providers = useAppStore((s) => s.providers);
  const status = useAppStore((s) => s.providersStatus);
  const loadHealth = useAppStore((s) => s.loadHealth);

  useEffect(() => {
    void loadHealth();
  }, [loadHealth]);

  return (
    <div className="page">
      <header className="page__header">
        <h1 className="page__title">Providers</h1>
      </header>
      <NoticeList />
      <div className="page__body">
        <section aria-labelledby="providers-title" className="page__section">
          <h2 id="providers-title" className="panel__title">
            Configured
          </h2>
          {providers.length === 0 && <p className="muted">{status === 'ready' ? 'No providers yet. Add one below.' : 'Loading…'}</p>}
          {providers.map((provider) => (
            <ProviderCard key={provider.name} provider={provider} />
          ))}
        </section>
        <AddProviderForm />
      </div>
    </div>
  );
}
