import 'element-plus/dist/index.css'
import './css/app.css'
import { createApp, h, watch, type DefineComponent } from 'vue'
import { createInertiaApp, usePage } from '@inertiajs/vue3'
import { resolvePageComponent } from '@adonisjs/inertia/helpers'
import AppShell from './layouts/app_shell.vue'
import AuthLayout from './layouts/auth_layout.vue'
import { applyLocale, i18n } from './lib/i18n'
import { elementPlus } from './lib/element_plus'
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
      .use(elementPlus)
      .mount(el)
    // The server decides the language (cookie, then the user's saved choice). Follow the prop,
    // not the `navigate` event: a same-URL visit (the language switch redirects back) has none.
    const page = usePage()
    watch(() => page.props?.locale, applyLocale)
  },
  progress: { color: '#409eff', delay: 200 },
})
