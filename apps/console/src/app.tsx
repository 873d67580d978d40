import { useEffect, useState } from 'preact/hooks';
import { getToken, onAuthChange, signOut } from './api';
import { navigate, useRoute } from './hooks';
import { AppPage } from './pages/app-page';
import { AppsList } from './pages/apps-list';
import { NotFound } from './pages/not-found';
import { SignIn } from './pages/sign-in';

export function App() {
  const [token, setToken] = useState(getToken());
  const route = useRoute();
  useEffect(() => onAuthChange(() => setToken(getToken())), []);

  return (
    <>
      <a class="skip-link" href="#main" onClick={skipToMain}>
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href="#/">
          Berth
        </a>
        {token && (
          <nav aria-label="Main">
            <a href="#/" aria-current={route === '/' ? 'page' : undefined}>
              Apps
            </a>
            <button type="button" class="link" onClick={() => { signOut(); navigate('/'); }}>
              Sign out
            </button>
          </nav>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        {token ? <Routed route={route} token={token} /> : <SignIn />}
      </main>
    </>
  );
}

function Routed({ route, token }: { route: string; token: string }) {
  if (route === '/' || route === '/apps') return <AppsList token={token} />;
  const match = /^\/apps\/([a-z0-9-]+)(?:\/([a-z]+)(?:\/([0-9a-f-]+))?)?$/.exec(route);
  if (match) return <AppPage name={match[1]} tab={match[2] ?? 'overview'} itemId={match[3]} token={token} />;
  return <NotFound />;
}

/** Hash routing owns the fragment, so the skip link moves focus itself instead of navigating. */
function skipToMain(event: Event) {
  event.preventDefault();
  document.getElementById('main')?.focus();
}
