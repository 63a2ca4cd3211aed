import { packageTestConfig } from '../../vitest.shared.js';

// The reliability suite runs the built bin many times per test (each start ~1 s,
// more on a loaded machine): a generous limit, not a duration.
export default packageTestConfig({ testTimeout: 300_000, hookTimeout: 120_000 });
