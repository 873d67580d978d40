export type CommitState = 'pending' | 'success' | 'failure' | 'error';

export interface CommitStatus {
  /** owner/repo */
  repository: string;
  sha: string;
  state: CommitState;
  description: string;
  targetUrl: string;
  token: string;
}

/** Tells GitHub how a commit's deploy went. A port: the real one calls the REST API. */
export interface CommitStatusReporter {
  report(status: CommitStatus): Promise<void>;
}

export const COMMIT_STATUS_REPORTER = Symbol('COMMIT_STATUS_REPORTER');

const TIMEOUT_MS = 10_000;

/** `POST /repos/OWNER/REPO/statuses/SHA` on GitHub's REST API (or whatever base URL is configured). */
export class GithubCommitStatusReporter implements CommitStatusReporter {
  constructor(private readonly apiUrl: string) {}

  async report(status: CommitStatus): Promise<void> {
    const [owner, repo] = status.repository.split('/').map(encodeURIComponent);
    const response = await fetch(`${this.apiUrl}/repos/${owner}/${repo}/statuses/${status.sha}`, {
      method: 'POST',
      headers: {
        Accept: 'application/vnd.github+json',
        Authorization: `Bearer ${status.token}`,
        'Content-Type': 'application/json',
        'User-Agent': 'berth',
        'X-GitHub-Api-Version': '2022-11-28',
      },
      body: JSON.stringify({ state: status.state, target_url: status.targetUrl, description: status.description.slice(0, 140), context: 'berth' }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`GitHub answered ${response.status} to the commit status: ${(await response.text()).slice(0, 200)}`);
  }
}
