// Preloaded with `node --import ./test/cli/hide-peers.mjs`: makes the packages named in
// CAREID_HIDE_PEERS (comma-separated) unresolvable, by require(), createRequire and import
// alike, as on a machine where they were never installed.
import Module, { register } from 'node:module';

const hidden = new Set((process.env.CAREID_HIDE_PEERS ?? '').split(',').filter(Boolean));
const isHidden = (specifier) =>
  [...hidden].some((name) => specifier === name || specifier.startsWith(`${name}/`));

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (isHidden(request)) {
    const error = new Error(`Cannot find module '${request}'`);
    error.code = 'MODULE_NOT_FOUND';
    throw error;
  }
  return resolveFilename.call(this, request, ...rest);
};

register(
  `data:text/javascript,${encodeURIComponent(`
    const hidden = ${JSON.stringify([...hidden])};
    export async function resolve(specifier, context, next) {
      if (hidden.some((n) => specifier === n || specifier.startsWith(n + '/'))) {
        const error = new Error("Cannot find package '" + specifier + "' imported from " + context.parentURL);
        error.code = 'ERR_MODULE_NOT_FOUND';
        throw error;
      }
      return next(specifier, context);
    }`)}`,
);
