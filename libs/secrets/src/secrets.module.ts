import { Inject, Injectable, Module } from '@nestjs/common';
import { BERTH_CONFIG, BerthConfig } from '@berth/config';
import { FileMasterKey, MASTER_KEY_SOURCE, MasterKeySource, masterKeyFileOf } from './master-key';
import { SecretBox } from './secret-box';

/** Hands out one SecretBox per purpose, all over the installation's one master key. */
@Injectable()
export class SecretBoxFactory {
  private readonly boxes = new Map<string, SecretBox>();

  constructor(@Inject(MASTER_KEY_SOURCE) private readonly master: MasterKeySource) {}

  forPurpose(purpose: string): SecretBox {
    let box = this.boxes.get(purpose);
    if (!box) this.boxes.set(purpose, (box = new SecretBox(this.master, purpose)));
    return box;
  }
}

/**
 * Secrets at rest. A static module, so every lib that imports it shares one master key
 * source (one read of the key file per process); needs the global ConfigModule.
 */
@Module({
  providers: [
    { provide: MASTER_KEY_SOURCE, inject: [BERTH_CONFIG], useFactory: (config: BerthConfig) => new FileMasterKey(masterKeyFileOf(config)) },
    SecretBoxFactory,
  ],
  exports: [MASTER_KEY_SOURCE, SecretBoxFactory],
})
export class SecretsModule {}
