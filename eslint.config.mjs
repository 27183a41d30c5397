// Lint for the whole workspace. Module boundaries follow ../shared/STYLE.md:
// app → feature → data-access → model → util (features never import features; models may build on
// models), a scope uses itself and `shared`.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const noIo = ['mqtt', 'aedes', 'aedes-*', 'mqtt-packet', '@grpc/*', 'yargs', 'yargs/*', 'pino', 'undici', 'node:net', 'node:fs', 'node:fs/promises', 'node:child_process', 'node:http', 'node:https'];

const boundaries = {
  enforceBuildableLibDependency: false,
  allow: [],
  banTransitiveDependencies: false,
  depConstraints: [
    { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:model', 'type:util'] },
    // features do not import each other: an app composes them
    { sourceTag: 'type:feature', onlyDependOnLibsWithTags: ['type:data-access', 'type:model', 'type:util'], notDependOnLibsWithTags: ['type:feature'] },
    { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:model', 'type:util'] },
    // a model may build on another model (e.g. the AWS shadow mapping on the Ditto model), never on I/O
    { sourceTag: 'type:model', onlyDependOnLibsWithTags: ['type:model', 'type:util'], bannedExternalImports: noIo },
    { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
    { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
    { sourceTag: 'scope:broker', onlyDependOnLibsWithTags: ['scope:broker', 'scope:shared'] },
    { sourceTag: 'scope:connector', onlyDependOnLibsWithTags: ['scope:connector', 'scope:shared'] },
    { sourceTag: 'scope:container-management', onlyDependOnLibsWithTags: ['scope:container-management', 'scope:shared'] },
    { sourceTag: 'scope:software-update', onlyDependOnLibsWithTags: ['scope:software-update', 'scope:shared'] },
    { sourceTag: 'scope:file-upload', onlyDependOnLibsWithTags: ['scope:file-upload', 'scope:shared'] },
    { sourceTag: 'scope:system-metrics', onlyDependOnLibsWithTags: ['scope:system-metrics', 'scope:shared'] },
    { sourceTag: 'scope:dev-cloud', onlyDependOnLibsWithTags: ['scope:dev-cloud', 'scope:shared'] },
    { sourceTag: 'scope:update-manager', onlyDependOnLibsWithTags: ['scope:update-manager', 'scope:shared'] },
    // The `ledge` CLI hosts every app in one process (all-in-one mode), so it may use every scope.
    { sourceTag: 'scope:ledge', onlyDependOnLibsWithTags: ['*'] },
  ],
};

export default [
  { ignores: ['**/node_modules/**', '**/dist/**', '**/.nx/**', '**/tmp/**', '**/generated/**', 'yocto/**', 'packaging/**/build/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': ['error', boundaries],
      'no-restricted-imports': ['error', { patterns: [{ group: ['../../*/src/*', '**/libs/**'], message: 'Import libraries through their @ledge/* public entry.' }] }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-empty': ['error', { allowEmptyCatch: false }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Build-time stand-ins for CommonJS packages (tools/build-app.mjs aliases them): CommonJS by nature.
    files: ['tools/shims/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.spec.ts', '**/testing/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    // Tests of pure libraries may drive real I/O (a Mosquitto, openssl) and use the data-access libs'
    // test helpers (`@ledge/shared/data-access-mqtt/testing`): lift only the I/O ban and that kind rule there.
    files: ['**/*.spec.ts', '**/testing/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          ...boundaries,
          depConstraints: boundaries.depConstraints.map(({ bannedExternalImports: _b, ...c }) =>
            c.sourceTag === 'type:model' ? { ...c, onlyDependOnLibsWithTags: [...c.onlyDependOnLibsWithTags, 'type:data-access'] } : c,
          ),
        },
      ],
    },
  },
];
