export { APP_NAME_PATTERN, RESERVED_APP_NAMES, appNameProblem } from './app-name';
export { AppsError, AppsErrorCode } from './apps.errors';
export { AppDetails, AppSettings, AppsService } from './apps.service';
export { AppsModule } from './apps.module';
export { DomainsService } from './domains.service';
