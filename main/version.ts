/** Kept in step with package.json by scripts/build.mjs's check. */
export const APP_VERSION = '0.1.0';
