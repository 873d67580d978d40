import type { Request } from 'express';
import { AppDetails } from '@berth/apps';
import { BerthConfig } from '@berth/config';
import { AppEntity, InstanceEntity, ReleaseEntity } from '@berth/db';

export interface PublicUrls {
  /** Where clients reached the api, e.g. http://berth.example.com:3000 */
  apiOrigin: string;
  router: BerthConfig['router'];
}

export function publicUrls(request: Request, config: BerthConfig): PublicUrls {
  const host = request.get('host') ?? `localhost:${config.api.port}`;
  return { apiOrigin: `${request.protocol}://${host}`, router: config.router };
}

export function appView(app: AppEntity, urls: PublicUrls) {
  const port = urls.router.port === 80 ? '' : `:${urls.router.port}`;
  return {
    name: app.name,
    gitUrl: `${urls.apiOrigin}/${app.name}.git`,
    url: `http://${app.name}.${urls.router.domain}${port}/`,
    deployBranch: app.deployBranch,
    httpsRedirect: app.httpsRedirect,
    maxBodyBytes: app.maxBodyBytes,
    formation: app.formation,
    createdAt: app.createdAt.toISOString(),
    updatedAt: app.updatedAt.toISOString(),
  };
}

export function releaseView(release: ReleaseEntity) {
  return {
    version: release.version,
    imageDigest: release.imageDigest,
    description: release.description,
    processTypes: release.processTypes,
    createdAt: release.createdAt.toISOString(),
  };
}

export function instanceView(instance: InstanceEntity) {
  return {
    id: instance.id,
    process: instance.processType,
    port: instance.port,
    status: instance.status,
    containerId: instance.containerId,
    startedAt: instance.createdAt.toISOString(),
  };
}

export function appDetailsView(details: AppDetails, urls: PublicUrls) {
  return {
    ...appView(details.app, urls),
    release: details.release ? releaseView(details.release) : null,
    instances: details.instances.map(instanceView),
  };
}
