import { InitialSchema1795353600000 } from './1795353600000-initial-schema';
import { ReleaseStatus1795356000000 } from './1795356000000-release-status';
import { AppFormation1795357000000 } from './1795357000000-app-formation';
import { AppLogs1795358000000 } from './1795358000000-app-logs';
import { Certificates1795359000000 } from './1795359000000-certificates';
import { AppMaxBodyBytes1795359200000 } from './1795359200000-app-max-body-bytes';
import { InstanceUnhealthy1795359500000 } from './1795359500000-instance-unhealthy';
import { Github1795360000000 } from './1795360000000-github';

/** Every migration, oldest first. A new migration is added here and nowhere else. */
export const MIGRATIONS = [InitialSchema1795353600000, ReleaseStatus1795356000000, AppFormation1795357000000, AppLogs1795358000000, Certificates1795359000000, AppMaxBodyBytes1795359200000, InstanceUnhealthy1795359500000, Github1795360000000];
