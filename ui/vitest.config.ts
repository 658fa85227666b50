import { defineConfig } from 'vitest/config';

// Unit tests of UI logic run in Node; rendering is tested in the real app window (tests/e2e).
export default defineConfig({
  test: {
    environment: 'node',
    include: ['tests/unit/**/*.test.ts'],
  },
});
