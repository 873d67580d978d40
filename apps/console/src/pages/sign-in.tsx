import { useState } from 'preact/hooks';
import { api, ApiError, signIn, wasSessionEnded } from '../api';
import { useFocusOnChange } from '../hooks';
import { ErrorNote, PageHeading } from '../components/ui';

export function SignIn() {
  const heading = useFocusOnChange<HTMLHeadingElement>('sign-in');
  const [token, setToken] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      // Any /api call proves the token; the apps list is where the console goes next anyway.
      await api('/api/apps', { token: token.trim() });
      signIn(token.trim());
    } catch (caught) {
      const unauthorized = caught instanceof ApiError && caught.status === 401;
      setError(unauthorized ? new Error('Berth did not accept that token. Check it and try again.') : (caught as Error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="narrow">
      <PageHeading headingRef={heading}>Sign in to Berth</PageHeading>
      {wasSessionEnded() && <p class="notice" role="status">Your session ended: sign in again.</p>}
      <form onSubmit={submit} class="card stack">
        <label for="token">API token</label>
        <input id="token" name="token" type="password" autoComplete="current-password" required value={token}
          onInput={(event) => setToken(event.currentTarget.value)} aria-describedby="token-hint" />
        <p id="token-hint" class="hint">
          The admin token Berth printed on its first start, or <code>BERTH_ADMIN_TOKEN</code>. It stays in this tab only.
        </p>
        <ErrorNote error={error} />
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </div>
  );
}
