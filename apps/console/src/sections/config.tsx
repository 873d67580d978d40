import { useState } from 'preact/hooks';
import { api, appPath, Release } from '../api';
import { usePoll } from '../hooks';
import { ErrorNote, Notice, Section } from '../components/ui';

type ConfigAnswer = { config: Record<string, string>; release: Release | null };
type Patch = (body: Record<string, string | null>) => Promise<boolean>;

export function ConfigVars({ app, onChange }: { app: string; onChange: () => void }) {
  const config = usePoll((signal) => api<Record<string, string>>(appPath(app, '/config'), { signal }), [app]);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);

  const patch: Patch = async (body) => {
    setError(null);
    setMessage(null);
    try {
      const answer = await api<ConfigAnswer>(appPath(app, '/config'), { method: 'PATCH', body });
      setMessage(answer.release ? `Saved: release v${answer.release.version} is on its way.` : 'Nothing changed.');
      config.reload();
      onChange();
      return true;
    } catch (caught) {
      setError(caught as Error);
      return false;
    }
  };

  return (
    <Section title="Config vars" id="config-heading">
      <p class="hint">Each change makes a new release. Values stay hidden until you reveal them.</p>
      {message && <Notice>{message}</Notice>}
      <ErrorNote error={error ?? config.error} />
      {config.data && <ConfigList config={config.data} patch={patch} />}
      <h3>Set a variable</h3>
      <ConfigForm patch={patch} />
    </Section>
  );
}

function ConfigList({ config, patch }: { config: Record<string, string>; patch: Patch }) {
  const [revealed, setRevealed] = useState<Set<string>>(new Set());
  const toggle = (name: string) => {
    const next = new Set(revealed);
    if (!next.delete(name)) next.add(name);
    setRevealed(next);
  };
  const entries = Object.entries(config).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return <p>No config vars.</p>;
  return (
    <dl class="config-list">
      {entries.map(([name, secret]) => {
        const shown = revealed.has(name);
        return (
          <div key={name} class="config-row" data-testid={`config-${name}`}>
            <dt><code>{name}</code></dt>
            <dd>
              <code class="config-value">{shown ? secret : '••••••••'}</code>
              <button type="button" class="secondary" aria-pressed={shown} aria-label={`${shown ? 'Hide' : 'Reveal'} the value of ${name}`} onClick={() => toggle(name)}>
                {shown ? 'Hide' : 'Reveal'}
              </button>
              <button type="button" class="danger" aria-label={`Remove ${name}`} onClick={() => patch({ [name]: null })}>
                Remove
              </button>
            </dd>
          </div>
        );
      })}
    </dl>
  );
}

function ConfigForm({ patch }: { patch: Patch }) {
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const submit = async (event: Event) => {
    event.preventDefault();
    if (await patch({ [key.trim()]: value })) {
      setKey('');
      setValue('');
    }
  };
  return (
    <form onSubmit={submit} class="inline-form">
      <div class="field">
        <label for="config-key">Name</label>
        <input id="config-key" required value={key} autoComplete="off" spellcheck={false} pattern="[A-Za-z_][A-Za-z0-9_]*"
          onInput={(event) => setKey(event.currentTarget.value)} />
      </div>
      <div class="field">
        <label for="config-value">Value</label>
        <input id="config-value" value={value} autoComplete="off" spellcheck={false} onInput={(event) => setValue(event.currentTarget.value)} />
      </div>
      <button type="submit">Save</button>
    </form>
  );
}
