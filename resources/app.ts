import 'element-plus/dist/index.css'
import './css/app.css'
import { createApp, h, type DefineComponent } from 'vue'
import { createInertiaApp, router } from '@inertiajs/vue3'
import { resolvePageComponent } from '@adonisjs/inertia/helpers'
import ElementPlus from 'element-plus'
import AppShell from './layouts/app_shell.vue'
import AuthLayout from './layouts/auth_layout.vue'
import { applyLocale, i18n } from './lib/i18n'
import './types'

const pages = import.meta.glob<DefineComponent>('./pages/**/*.vue')

createInertiaApp({
  title: (title) => (title ? `${title} · Ringdesk` : 'Ringdesk'),
  resolve: (name) =>
    resolvePageComponent(
      `./pages/${name}.vue`,
      pages,
      name.startsWith('auth/') ? AuthLayout : AppShell
    ),
  setup({ el, App, props, plugin }) {
    applyLocale(props.initialPage.props.locale)
    createApp({ render: () => h(App, props) })
      .use(plugin)
      .use(i18n)
      .use(ElementPlus)
      .mount(el)
  },
  progress: { color: '#409eff', delay: 200 },
})

// The server decides the language (cookie, then the user's saved choice): follow it on every visit.
router.on('navigate', (event) => applyLocale(event.detail.page.props.locale))
