/**
 * careid/storage/file: what careid keeps in the host's file system, on Node (it imports
 * `node:fs`, so it is its own subpath and the root `careid` stays free of Node built-ins).
 * Today: {@link fileCheckpointSink}, the AUD-03 checkpoint sink in a JSON file.
 *
 * @packageDocumentation
 */
export { fileCheckpointSink } from './file-checkpoint-sink.js';
