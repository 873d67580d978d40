export { BuildLogs } from './build-logs';
export { BuildsModule } from './builds.module';
export { BuildsService, NewBuild } from './builds.service';
