import { InitialSchema1795353600000 } from './1795353600000-initial-schema';
import { ReleaseStatus1795356000000 } from './1795356000000-release-status';
import { AppFormation1795357000000 } from './1795357000000-app-formation';
import { AppMaxBodyBytes1795359200000 } from './1795359200000-app-max-body-bytes';

/** Every migration, oldest first. A new migration is added here and nowhere else. */
export const MIGRATIONS = [InitialSchema1795353600000, ReleaseStatus1795356000000, AppFormation1795357000000, AppMaxBodyBytes1795359200000];
