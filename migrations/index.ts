import { InitialSchema1795353600000 } from './1795353600000-initial-schema';

/** Every migration, oldest first. A new migration is added here and nowhere else. */
export const MIGRATIONS = [InitialSchema1795353600000];
