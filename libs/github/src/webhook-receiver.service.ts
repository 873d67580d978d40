import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AppsService } from '@berth/apps';
import { AppEntity, DeliveryResult, GithubDeliveryEntity, GithubLinkEntity, isUniqueViolation } from '@berth/db';
import { JobName, JobQueue } from '@berth/queue';
import { SecretBox } from '@berth/secrets';
import { GithubError, GithubErrorCode } from './github.errors';
import { GITHUB_SECRET_BOX } from './github-links.service';
import { pingPayload, pushAction, pushPayload } from './payloads';
import { verifySignature } from './signature';

export interface WebhookDelivery {
  app: string;
  /** X-GitHub-Event */
  event: string | undefined;
  /** X-GitHub-Delivery */
  deliveryId: string | undefined;
  /** X-GitHub-Hook-ID */
  hookId: string | undefined;
  /** X-Hub-Signature-256 */
  signature: string | undefined;
  body: Buffer;
}

export interface WebhookAnswer {
  status: 200 | 202;
  body: { result: DeliveryResult; delivery: string; detail?: string };
}

/** Deliveries that claim nothing (forged, malformed, replayed); only the newest of these are kept per app. */
const UNCLAIMED = [DeliveryResult.Rejected, DeliveryResult.Invalid, DeliveryResult.Duplicate];
const UNCLAIMED_KEPT = 1000;

type Recorded = Pick<GithubDeliveryEntity, 'result'> & Partial<Pick<GithubDeliveryEntity, 'ref' | 'afterSha' | 'detail'>>;

/**
 * The webhook endpoint's logic: verify, parse, record, and queue a push for the worker. It only
 * touches Postgres and Redis, so it answers in milliseconds whatever the repository's size.
 */
@Injectable()
export class WebhookReceiver {
  constructor(
    private readonly apps: AppsService,
    private readonly queue: JobQueue,
    @InjectRepository(GithubLinkEntity) private readonly links: Repository<GithubLinkEntity>,
    @InjectRepository(GithubDeliveryEntity) private readonly deliveries: Repository<GithubDeliveryEntity>,
    @Inject(GITHUB_SECRET_BOX) private readonly box: SecretBox,
  ) {}

  async receive(delivery: WebhookDelivery): Promise<WebhookAnswer> {
    const app = await this.apps.get(delivery.app);
    const link = await this.links.findOneBy({ appId: app.id });
    if (!link) throw new GithubError(GithubErrorCode.NotLinked, `${app.name} is not linked to a GitHub repository`);
    const event = delivery.event ?? '';
    if (!verifySignature(await this.box.open(link.secretEncrypted), delivery.body, delivery.signature)) {
      await this.record(app, delivery, { result: DeliveryResult.Rejected, detail: delivery.signature ? 'wrong signature' : 'no X-Hub-Signature-256' });
      throw new GithubError(GithubErrorCode.InvalidSignature, 'X-Hub-Signature-256 is missing or does not match the body under this app\'s webhook secret');
    }
    const payload = await this.parse(app, delivery);
    if (event === 'ping') {
      const zen = pingPayload.safeParse(payload).data?.zen;
      return this.claim(app, delivery, { result: DeliveryResult.Pong, detail: zen ?? null }, 200);
    }
    if (event !== 'push') return this.claim(app, delivery, { result: DeliveryResult.Ignored, detail: `the ${event || 'unnamed'} event does not deploy` });
    const push = pushPayload.safeParse(payload);
    if (!push.success) return this.invalid(app, delivery, `not a push payload: ${push.error.issues[0].path.join('.')}: ${push.error.issues[0].message}`);
    const fields = { ref: push.data.ref, afterSha: push.data.after };
    const action = pushAction(push.data, link);
    if (!action.deploy) return this.claim(app, delivery, { ...fields, result: DeliveryResult.Ignored, detail: action.why });
    return this.claim(app, delivery, { ...fields, result: DeliveryResult.Queued, detail: null });
  }

  private async parse(app: AppEntity, delivery: WebhookDelivery): Promise<unknown> {
    if (!delivery.deliveryId) return this.invalid(app, delivery, 'no X-GitHub-Delivery header');
    try {
      return JSON.parse(delivery.body.toString('utf8'));
    } catch (error) {
      return this.invalid(app, delivery, `the body is not JSON (send the webhook with content type application/json): ${(error as Error).message}`);
    }
  }

  private async invalid(app: AppEntity, delivery: WebhookDelivery, why: string): Promise<never> {
    await this.record(app, delivery, { result: DeliveryResult.Invalid, detail: why });
    throw new GithubError(GithubErrorCode.InvalidPayload, why);
  }

  /** Records a signed delivery under its (hook, delivery id) once; a replay is recorded as a duplicate and does nothing. */
  private async claim(app: AppEntity, delivery: WebhookDelivery, outcome: Recorded, status: 200 | 202 = 202): Promise<WebhookAnswer> {
    let row: GithubDeliveryEntity;
    try {
      row = await this.record(app, delivery, outcome);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const detail = 'a replay of an earlier delivery (the same delivery id or the same signed body): nothing done';
      row = await this.record(app, delivery, { ...outcome, result: DeliveryResult.Duplicate, detail });
      return { status: 200, body: { result: row.result, delivery: row.id, detail } };
    }
    if (row.result === DeliveryResult.Queued) await this.enqueue(row);
    return { status, body: { result: row.result, delivery: row.id, ...(row.detail ? { detail: row.detail } : {}) } };
  }

  private async enqueue(row: GithubDeliveryEntity): Promise<void> {
    try {
      await this.queue.enqueue(JobName.GithubPush, { deliveryId: row.id }, { jobId: `github-${row.id}` });
    } catch (error) {
      await this.deliveries.update({ id: row.id }, { result: DeliveryResult.Failed, detail: `could not queue: ${(error as Error).message}` });
      throw error;
    }
  }

  private async record(app: AppEntity, delivery: WebhookDelivery, outcome: Recorded): Promise<GithubDeliveryEntity> {
    const row = await this.deliveries.save(
      this.deliveries.create({
        appId: app.id,
        hookId: (delivery.hookId ?? '').slice(0, 64),
        deliveryId: (delivery.deliveryId ?? '').slice(0, 128),
        bodySha256: createHash('sha256').update(delivery.body).digest('hex'),
        event: (delivery.event ?? '').slice(0, 64),
        ref: outcome.ref ?? null,
        afterSha: outcome.afterSha ?? null,
        result: outcome.result,
        detail: outcome.detail?.slice(0, 1000) ?? null,
      }),
    );
    // Anyone can send unsigned requests: their records must not grow without bound.
    if (UNCLAIMED.includes(row.result)) await this.pruneUnclaimed(app.id);
    return row;
  }

  private async pruneUnclaimed(appId: string): Promise<void> {
    await this.deliveries.query(
      `DELETE FROM github_deliveries WHERE id IN (
         SELECT id FROM github_deliveries WHERE app_id = $1 AND result = ANY($2) ORDER BY created_at DESC OFFSET $3)`,
      [appId, UNCLAIMED, UNCLAIMED_KEPT],
    );
  }
}
