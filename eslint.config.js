// ESLint flat config: typescript-eslint's recommended rules for the TypeScript code, plus the
// CommonJS scripts (bootstrap, jest config). Run with `npx eslint .` (part of `npm run lint`).
const tseslint = require('typescript-eslint');

/** Node.js globals for plain .js/.cjs files (the `globals` package is not installed). */
const nodeGlobals = Object.fromEntries(
  ['require', 'module', 'exports', '__dirname', '__filename', 'process', 'console', 'Buffer', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'URL', 'fetch'].map(
    (g) => [g, 'readonly'],
  ),
);

module.exports = tseslint.config(
  {
    ignores: ['node_modules/**', 'generated/**', 'admin-ui/dist/**', '.data/**', 'coverage/**', 'test-results/**'],
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      // `_`-prefixed parameters and variables are intentionally unused (signatures, destructuring).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      // The project is CommonJS: a lazy require of a Node built-in or of package.json is fine.
      '@typescript-eslint/no-require-imports': ['error', { allow: ['^node:', 'package\\.json$'] }],
    },
  },
  {
    // Tests read loosely typed JSON bodies; `any` there costs nothing.
    files: ['test/**/*.ts', '**/*.test.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: nodeGlobals },
    rules: {
      // CommonJS files load modules with require().
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
);
