import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * Long fault runs (`npm run test:long`, also run by .ci/run after `npm test`): files under
 * test/long/ end in `.long.ts`, so the default suite never picks them up.
 */
export default defineConfig({ test: { ...base.test, include: ['test/long/**/*.long.ts'], testTimeout: 300_000 } });
