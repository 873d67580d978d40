import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Job } from 'bullmq';
import { CertificateManager } from '@berth/certificates';
import { JobName, JobPayloads, QueueName } from '@berth/queue';

/** A custom domain was added: order its certificate now rather than at the next scan. */
@Processor(QueueName.Certificates)
export class CertificatesProcessor extends WorkerHost {
  constructor(private readonly certificates: CertificateManager) {
    super();
  }

  async process(job: Job): Promise<void> {
    if (job.name !== JobName.IssueCertificate) throw new Error(`the certificates queue has no handler for job "${job.name}"`);
    await this.certificates.issueIfDue((job.data as JobPayloads[JobName.IssueCertificate]).hostname);
  }
}
