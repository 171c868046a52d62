/** The in-memory SCIM server moved to src/playground (the playground embeds it); tests import it from here. */
export * from '../../src/playground/scim-server/server.ts';
