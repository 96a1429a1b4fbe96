// Lint = the architecture's dependency arrows as errors (nx tags), plus the few rules that keep
// the code honest: config only through @dataengine/config, browser code never reaching server libs.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const SERVER_ONLY = ['@dataengine/api', '@dataengine/config', '@dataengine/db', '@dataengine/engine', '@dataengine/queue', '@dataengine/storage', '@dataengine/testing', '@dataengine/synth/node', '@dataengine/segment/node', '@dataengine/segment/testing'];

const DEP_CONSTRAINTS = [
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:api', 'type:engine', 'type:infra', 'type:core', 'type:contracts', 'type:testing'] },
  { sourceTag: 'type:api', onlyDependOnLibsWithTags: ['type:engine', 'type:infra', 'type:core', 'type:contracts', 'type:testing'] },
  { sourceTag: 'type:engine', onlyDependOnLibsWithTags: ['type:infra', 'type:core', 'type:contracts', 'type:testing'] },
  { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:infra', 'type:core', 'type:contracts', 'type:testing'] },
  { sourceTag: 'type:core', onlyDependOnLibsWithTags: ['type:core', 'type:contracts'] },
  { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'] },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:api', 'type:engine', 'type:infra', 'type:core', 'type:contracts', 'type:testing'] },
  // browser code: isomorphic libraries, plus the API's router *type* (types only: checked below)
  { sourceTag: 'platform:web', onlyDependOnLibsWithTags: ['platform:isomorphic', 'platform:web', 'type:api', 'type:testing'] },
  { sourceTag: 'platform:isomorphic', onlyDependOnLibsWithTags: ['platform:isomorphic'] },
  // cross-library integration suites (tests/integration) may use everything but the apps
  { sourceTag: 'type:test-suite', onlyDependOnLibsWithTags: ['type:api', 'type:engine', 'type:infra', 'type:core', 'type:contracts', 'type:testing'] },
];

// Tests that need libs/testing (which builds on the other libraries) live in tests/integration or
// in an app, never inside a library libs/testing depends on, so the graph stays acyclic.
const boundaries = () => ({
  enforceBuildableLibDependency: false,
  allowCircularSelfDependency: false,
  banTransitiveDependencies: false,
  depConstraints: DEP_CONSTRAINTS,
});

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/.next/**', '**/dist/**', 'libs/db/src/generated/**', 'tmp/**', '.data/**', 'trainer/**', '**/next-env.d.ts'],
  },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.mts'],
    languageOptions: { parser: tseslint.parser, parserOptions: { ecmaVersion: 'latest', sourceType: 'module' } },
    plugins: { '@nx': nx, '@typescript-eslint': tseslint.plugin },
    rules: {
      '@nx/enforce-module-boundaries': ['error', boundaries()],
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'read configuration once, through loadConfig() in @dataengine/config' }],
    },
  },
  {
    // the one place per process that reads the environment, plus tooling and tests
    files: ['libs/config/**', 'libs/testing/**', 'scripts/**', 'bench/**', 'apps/web/server-env.ts', '**/*.test.ts', '**/e2e/**', 'vitest.config.ts', 'prisma.config.ts'],
    rules: { 'no-restricted-properties': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['apps/**', 'libs/**'],
    ignores: ['libs/testing/**', '**/*.test.ts', '**/e2e/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: '@dataengine/testing', message: 'test helpers are for tests, the demo and benchmarks only' }] }] },
  },
  {
    // isomorphic libraries run in the browser too: no Node built-ins
    files: ['libs/contracts/src/**', 'libs/segment/src/**', 'libs/synth/src/**'],
    ignores: ['libs/synth/src/node.ts', 'libs/synth/src/node-io/**', 'libs/segment/src/node.ts', 'libs/segment/src/node/**', 'libs/segment/src/testing/**', '**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['node:*', 'sharp', 'fs', 'path'], message: 'isomorphic code must run in the browser; put Node-only code behind a /node entry point' }] }] },
  },
  {
    // browser tests drive the product from Node (globalSetup starts the real processes)
    files: ['apps/web/e2e/**'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
  {
    files: ['apps/web/**/*.ts', 'apps/web/**/*.tsx'],
    ignores: ['apps/web/e2e/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: SERVER_ONLY, allowTypeImports: true, message: 'the web app may import only types from server-only libraries' }] },
      ],
    },
  },
);
