/**
 * The PostgreSQL adapter of the storage port (pg, an optional peer dependency).
 *
 * @packageDocumentation
 */
export { type PostgresStore, type PostgresStoreOptions, postgresStore } from './postgres-store.js';
