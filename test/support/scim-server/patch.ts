/** Moved to src/playground/scim-server; kept so test imports stay unchanged. */
export * from '../../../src/playground/scim-server/patch.ts';
