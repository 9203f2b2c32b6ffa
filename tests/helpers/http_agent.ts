import env from '#start/env'

export interface AgentResponse {
  status: number
  location: string | null
  headers: Headers
  text: string
  /** The Inertia page object when the response rendered a page. */
  page: { component: string; props: Record<string, any>; flash?: Record<string, any> } | null
  json: any
}

function decodeEntities(value: string) {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
}

/**
 * A browser-like HTTP client for functional tests: keeps cookies (session, XSRF), reads the
 * Inertia page object from HTML, and sends the CSRF token the page gave it, so tests exercise
 * the real middleware stack the way a browser does.
 */
export class HttpAgent {
  cookies = new Map<string, string>()
  csrfToken: string | null = null
  lastPage: string | null = null
  base: string

  constructor(
    public userAgent = 'Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36',
    public ip = '127.0.0.1',
    base?: string
  ) {
    this.base = base ?? `http://${env.get('HOST')}:${env.get('PORT')}`
  }

  #cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
  }

  async request(
    method: string,
    path: string,
    options: {
      form?: Record<string, unknown>
      json?: Record<string, unknown>
      accept?: string
      csrf?: boolean
    } = {}
  ): Promise<AgentResponse> {
    const headers: Record<string, string> = {
      'user-agent': this.userAgent,
      'accept': options.accept ?? 'text/html',
      'x-forwarded-for': this.ip,
      'cookie': this.#cookieHeader(),
    }
    if (this.lastPage) headers.referer = this.lastPage
    let body: string | undefined
    if (method !== 'GET') {
      const payload = { ...(options.form ?? options.json ?? {}) }
      if (options.csrf !== false && this.csrfToken) payload._csrf = this.csrfToken
      headers['content-type'] = 'application/json'
      body = JSON.stringify(payload)
    }
    const response = await fetch(this.base + path, { method, headers, body, redirect: 'manual' })
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';')
      const index = pair.indexOf('=')
      const name = pair.slice(0, index)
      const value = pair.slice(index + 1)
      if (/max-age=0|expires=Thu, 01 Jan 1970/i.test(cookie) || value === '')
        this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
    const text = await response.text()
    let page: AgentResponse['page'] = null
    const match =
      text.match(/<script[^>]*data-page[^>]*>([\s\S]*?)<\/script>/) ??
      text.match(/data-page="(\{[^"]*)"/)
    if (match) {
      page = JSON.parse(decodeEntities(match[1]))
      if (page?.props?.csrfToken) this.csrfToken = page.props.csrfToken
      if (method === 'GET') this.lastPage = this.base + path
    }
    let json: any = null
    if (response.headers.get('content-type')?.includes('json')) {
      try {
        json = JSON.parse(text)
      } catch {}
    }
    return {
      status: response.status,
      location: response.headers.get('location'),
      headers: response.headers,
      text,
      page,
      json,
    }
  }

  get(path: string, accept?: string) {
    return this.request('GET', path, { accept })
  }

  post(path: string, form: Record<string, unknown> = {}, csrf = true) {
    return this.request('POST', path, { form, csrf })
  }

  put(path: string, form: Record<string, unknown> = {}) {
    return this.request('PUT', path, { form })
  }

  delete(path: string) {
    return this.request('DELETE', path, {})
  }

  /** GET the page (to obtain a CSRF token) and then follow one redirect. */
  async visit(path: string) {
    let res = await this.get(path)
    for (let i = 0; i < 5 && res.location; i++)
      res = await this.get(
        new URL(res.location, this.base).pathname + new URL(res.location, this.base).search
      )
    return res
  }

  async signIn(email: string, password: string) {
    await this.visit('/sign-in')
    return this.post('/sign-in', { email, password })
  }
}
