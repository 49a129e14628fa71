import { type Route, raRoutes } from './routes.js';
import { webauthnRoutes } from './webauthn-routes.js';

/** Every route the handler serves and the OpenAPI document describes. */
export const servedRoutes: readonly Route[] = [...raRoutes, ...webauthnRoutes];
