import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/*.d.ts'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@layerprune/cli', '@layerprune/cli/*'], message: 'No package may import the CLI.' },
            { group: ['../../*/src/*', '../../../packages/*'], message: 'Import other packages by name, not by path.' },
          ],
        },
      ],
    },
  },
);
