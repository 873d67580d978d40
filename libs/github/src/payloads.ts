import { z } from 'zod';

const OBJECT_ID = z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, 'must be a commit id');

/** The fields of a `push` event Berth acts on; anything else in the payload is ignored, its URLs above all. */
export const pushPayload = z.object({
  ref: z.string().min(1),
  before: OBJECT_ID,
  after: OBJECT_ID,
  deleted: z.boolean().optional(),
  repository: z.object({ full_name: z.string() }),
});

export type PushPayload = z.output<typeof pushPayload>;

export const pingPayload = z.object({ zen: z.string().optional(), hook_id: z.number().optional() });

const ZERO = /^0+$/;

/** What a push means for a link to `repository` on `branch`: deploy `after`, or why not. */
export function pushAction(push: PushPayload, link: { repository: string; branch: string }): { deploy: true } | { deploy: false; why: string } {
  const { branch } = link;
  // GitHub's owner and repository names are case-insensitive.
  if (push.repository.full_name.toLowerCase() !== link.repository.toLowerCase()) return { deploy: false, why: `the push is to ${push.repository.full_name}, not the linked ${link.repository}` };
  if (push.ref.startsWith('refs/tags/')) return { deploy: false, why: `tag ${push.ref.slice('refs/tags/'.length)}` };
  if (push.ref !== `refs/heads/${branch}`) return { deploy: false, why: `${push.ref} is not the linked branch ${branch}` };
  if (push.deleted === true || ZERO.test(push.after)) return { deploy: false, why: `${branch} was deleted` };
  return { deploy: true };
}
