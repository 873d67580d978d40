import { ApiTokenEntity } from './api-token.entity';
import { AppEntity } from './app.entity';
import { BuildEntity } from './build.entity';
import { ConfigVarEntity } from './config-var.entity';
import { DomainEntity } from './domain.entity';
import { GithubDeliveryEntity, GithubLinkEntity } from './github.entity';
import { InstanceEntity } from './instance.entity';
import { ReleaseEntity } from './release.entity';
import { UserEntity } from './user.entity';

export { ApiTokenEntity, AppEntity, BuildEntity, ConfigVarEntity, DomainEntity, GithubDeliveryEntity, GithubLinkEntity, InstanceEntity, ReleaseEntity, UserEntity };
export { DeliveryResult } from './github.entity';
export { UserRole } from './user.entity';
export { BuildSource, BuildStatus, FINISHED_BUILD_STATUSES } from './build.entity';
export { InstanceStatus } from './instance.entity';
export { ReleaseStatus } from './release.entity';

export const ENTITIES = [
  ApiTokenEntity,
  AppEntity,
  BuildEntity,
  ConfigVarEntity,
  DomainEntity,
  GithubDeliveryEntity,
  GithubLinkEntity,
  InstanceEntity,
  ReleaseEntity,
  UserEntity,
];
