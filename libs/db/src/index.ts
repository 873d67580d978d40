export * from './entities';
export { createDataSource, dataSourceOptions, runMigrations, revertLastMigration } from './data-source';
export { DbModule } from './db.module';
export { isUniqueViolation } from './pg-errors';
