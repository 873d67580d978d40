import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import IORedis, { Redis } from 'ioredis';
import { BERTH_CONFIG, BerthConfig } from '@berth/config';
import { redisOptionsFromUrl } from '@berth/queue';
import { certificatesChannel } from './certificate-events';
import { CertificateNotifier } from './certificate-manager';

@Injectable()
export class RedisCertificateNotifier implements CertificateNotifier, OnApplicationShutdown {
  private readonly redis: Redis;
  private readonly channel: string;

  constructor(@Inject(BERTH_CONFIG) config: BerthConfig) {
    this.redis = new IORedis({ ...redisOptionsFromUrl(config.redis.url), lazyConnect: true });
    this.channel = certificatesChannel(config.redis.prefix);
  }

  async issued(hostname: string): Promise<void> {
    await this.redis.publish(this.channel, hostname);
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
