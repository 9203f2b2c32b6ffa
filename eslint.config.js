import { configApp } from '@adonisjs/eslint-config'

export default configApp(
  {
    ignores: ['public/assets/**', 'build/**', '.adonisjs/**', 'storage/**', 'resources/**'],
  },
  {
    // Tests read as specifications: `(await agent.get('/')).status` is the clearest way to say it.
    files: ['tests/**/*.ts'],
    rules: { '@unicorn/no-await-expression-member': 'off' },
  }
)
