/** The fault-injecting SCIM server with its request log (tests only); tests import it from here. */
export * from './scim-server/server.ts';
