import { gitRemoteLine } from '../api';
import { CopyButton } from './ui';

/** The two commands that deploy an app, the first with this session's token so it works as pasted. */
export function GitRemote({ gitUrl, token }: { gitUrl: string; token: string }) {
  const line = gitRemoteLine(gitUrl, token);
  return (
    <div class="git-remote">
      <p>Deploy it with git, from your project's directory:</p>
      <div class="command">
        <code data-testid="git-remote">{line}</code>
        <CopyButton text={line} label="Copy the git remote command" />
      </div>
      <div class="command">
        <code>git push paas main</code>
      </div>
    </div>
  );
}
