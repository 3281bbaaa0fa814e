// Architecture rules checked by `npm run lint:deps` (depcruise libs apps).
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-framework-free',
      severity: 'error',
      comment:
        'libs/domain holds pure business rules: no Nest, TypeORM, Kafka, MySQL driver or ' +
        'validation-decorator imports, and no dependency on the apps or on libs/contracts.',
      from: { path: '^libs/domain/' },
      to: {
        path: [
          '^(node_modules/)?(@nestjs|typeorm|kafkajs|mysql2|class-validator|class-transformer)(/|$)',
          '^apps/',
          '^libs/contracts(/|$)',
        ],
      },
    },
    {
      name: 'partners-use-only-the-sdk',
      severity: 'error',
      comment:
        'What a partner institution installs (libs/partner-sdk) and the reference partner built on it ' +
        '(apps/partner-agent) must not reach into the service: only contracts, domain types and the SDK.',
      from: { path: '^(libs/partner-sdk|apps/partner-agent)/' },
      to: { path: ['^apps/registry/', '^(node_modules/)?(@nestjs|typeorm|mysql2)(/|$)'] },
    },
    {
      name: 'partner-agent-messaging-only-through-the-sdk',
      severity: 'error',
      comment:
        'The reference partner is built on the SDK alone: Kafka (kafkajs or any other client) only through ' +
        '@cd/partner-sdk. Its integration test plays the service and may use kafkajs directly.',
      from: { path: '^apps/partner-agent/', pathNot: '\\.(int-)?spec\\.ts$' },
      to: { path: '^(node_modules/)?(kafkajs|node-rdkafka|@confluentinc|@platformatic/kafka|kafka-node)(/|$)' },
    },
    {
      name: 'contracts-are-framework-free',
      severity: 'error',
      comment: 'libs/contracts is shared with partners: no Nest, TypeORM or service code.',
      from: { path: '^libs/contracts/' },
      to: { path: ['^(node_modules/)?(@nestjs|typeorm|mysql2)(/|$)', '^apps/'] },
    },
    {
      name: 'no-circular',
      severity: 'warn',
      comment: 'Circular dependencies make modules hard to reason about, test and split.',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|coverage|\\.cache|test-artifacts)/' },
    // Also see `import type` and type-only re-exports (they vanish after compilation).
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
