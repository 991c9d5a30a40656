/**
 * This package's version, as the instrumentation scope version of its tracer and meter. A spec checks it against
 * package.json, so a release that bumps one and not the other fails the tests.
 */
export const packageVersion = '0.1.0';
