// Three tiers (style.md): pure unit tests, integration tests per module against
// real MariaDB + Kafka, and cross-app end-to-end journeys under test/.
const swc = ['@swc/jest', {
  jsc: {
    target: 'es2022',
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
}];
const moduleNameMapper = {
  '^@cd/domain$': '<rootDir>/libs/domain/src',
  '^@cd/domain/(.*)$': '<rootDir>/libs/domain/src/$1',
  '^@cd/contracts$': '<rootDir>/libs/contracts/src',
  '^@cd/contracts/(.*)$': '<rootDir>/libs/contracts/src/$1',
  '^@cd/partner-sdk$': '<rootDir>/libs/partner-sdk/src',
  '^@cd/partner-sdk/(.*)$': '<rootDir>/libs/partner-sdk/src/$1',
};
const base = { rootDir: __dirname, transform: { '^.+\\.ts$': swc }, moduleNameMapper, testEnvironment: 'node' };

module.exports = {
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts'] },
    {
      ...base,
      displayName: 'integration',
      testMatch: ['<rootDir>/apps/**/*.int-spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      setupFilesAfterEnv: ['<rootDir>/test/support/integration-timeout.ts'],
    },
  ],
};
