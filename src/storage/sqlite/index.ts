/**
 * The SQLite adapter of the storage port (better-sqlite3, an optional peer dependency).
 *
 * @packageDocumentation
 */
export { type SqliteStore, type SqliteStoreOptions, sqliteStore } from './sqlite-store.js';
