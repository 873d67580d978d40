export { parseProcfile, ProcfileError } from './procfile';
export { ReleasesError, ReleasesErrorCode } from './releases.errors';
export { ReleaseContent, ReleasesService } from './releases.service';
export { ReleasesModule } from './releases.module';
export { ConfigPatch, ConfigVarsService } from './config-vars.service';
