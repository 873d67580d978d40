import { InitialSchema1795353600000 } from './1795353600000-initial-schema';
import { ReleaseStatus1795356000000 } from './1795356000000-release-status';
import { AppFormation1795357000000 } from './1795357000000-app-formation';
import { AppLogs1795358000000 } from './1795358000000-app-logs';

/** Every migration, oldest first. A new migration is added here and nowhere else. */
export const MIGRATIONS = [InitialSchema1795353600000, ReleaseStatus1795356000000, AppFormation1795357000000, AppLogs1795358000000];
