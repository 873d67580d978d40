import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AppEntity } from '@berth/db';

@Injectable()
export class FormationService {
  constructor(@InjectRepository(AppEntity) private readonly apps: Repository<AppEntity>) {}

  /** Merges counts into the app's formation; answers the whole formation. */
  async update(appId: string, counts: Record<string, number>): Promise<Record<string, number>> {
    const app = await this.apps.findOneByOrFail({ id: appId });
    const formation = { ...app.formation, ...counts };
    await this.apps.update({ id: appId }, { formation });
    return formation;
  }
}
