import { computed, reactive, ref, watch, type Ref, type UnwrapRef } from 'vue'
import { router } from '@inertiajs/vue3'
import type { SortOrder } from '../types'

/** What every server-side list understands besides its own filters. */
export interface ServerTableQuery {
  page?: number
  perPage?: number
  sort?: string
  order?: SortOrder
}

type QueryValue = string | number
export type TableSortColumn = { prop: string | null; order: 'ascending' | 'descending' | null }

export interface ServerTableOptions<F extends object, Form extends object> {
  /** The page's base URL, e.g. `/admin/users`. */
  url: string
  /** The `filters` prop as the server sent it (a getter, so it stays reactive). */
  filters: () => F
  /** The editable form state for a set of filters (`{}` gives the empty form). */
  toForm: (filters: Partial<F>) => Form
  /** The query values the form stands for; key order is the order in the URL. */
  fromForm: (form: UnwrapRef<Form>) => Partial<F>
  /** Table column prop → server sort key. Without it the list has no sorting. */
  sortBy?: Record<string, string>
  /** The server's sort when the query names none. */
  defaultSort?: { sort: string; order: SortOrder }
  /** A form field not overwritten by the server while `searchFocused` is true (typing in flight). */
  searchField?: keyof Form
  /** Debounce of `onSearchInput`, in milliseconds. */
  searchDelay?: number
}

/**
 * Server-side filtering, sorting and paging of an Inertia list page: every change is a
 * `router.get` of the base URL with the query, keeping state and scroll.
 */
export function useServerTable<F extends object, Form extends object>(options: ServerTableOptions<F, Form>) {
  const { url, sortBy = {}, searchField, searchDelay = 350 } = options
  const visitOptions = { preserveState: true, preserveScroll: true }

  const filters = reactive(options.toForm(options.filters()))
  const searchFocused = ref(false)

  watch(options.filters, (f) => {
    const next = options.toForm(f) as Record<string, unknown>
    // Do not overwrite what is being typed while a search request is in flight.
    if (searchField !== undefined && searchFocused.value) delete next[searchField as string]
    Object.assign(filters, next)
  })

  /** The server's current query with the form (unless `fromForm` is false) and `changes` on top. */
  function query(changes: Partial<F & ServerTableQuery> = {}, fromForm = true) {
    const merged: Record<string, unknown> = { ...(options.filters() as Record<string, unknown>) }
    if (fromForm) Object.assign(merged, options.fromForm(filters as UnwrapRef<Form>))
    Object.assign(merged, changes)
    const out: Record<string, QueryValue> = {}
    for (const [key, value] of Object.entries(merged)) {
      if (value !== undefined && value !== null && value !== '') out[key] = value as QueryValue
    }
    return out
  }

  function navigate(changes: Partial<F & ServerTableQuery> = {}) {
    router.get(url, query(changes), visitOptions)
  }

  let searchTimer: ReturnType<typeof setTimeout> | undefined

  /** Any filter change starts again at page 1. */
  function apply() {
    clearTimeout(searchTimer)
    navigate({ page: 1 } as Partial<F & ServerTableQuery>)
  }

  function onSearchInput() {
    clearTimeout(searchTimer)
    searchTimer = setTimeout(apply, searchDelay)
  }

  function reset() {
    Object.assign(filters, options.toForm({}))
    router.get(url, {}, visitOptions)
  }

  const propBySort = Object.fromEntries(Object.entries(sortBy).map(([k, v]) => [v, k]))
  const defaultSort = computed(() => {
    const current = options.filters() as ServerTableQuery
    return {
      prop: propBySort[current.sort ?? options.defaultSort?.sort ?? ''],
      order: (current.order ?? options.defaultSort?.order ?? 'asc') === 'asc' ? ('ascending' as const) : ('descending' as const),
    }
  })

  function onSortChange({ prop, order }: TableSortColumn) {
    const changes: ServerTableQuery =
      !prop || !order
        ? { sort: undefined, order: undefined, page: 1 }
        : { sort: sortBy[prop], order: order === 'ascending' ? 'asc' : 'desc', page: 1 }
    navigate(changes as Partial<F & ServerTableQuery>)
  }

  function onPageChange(page: number) {
    navigate({ page } as Partial<F & ServerTableQuery>)
  }

  function onSizeChange(size: number) {
    navigate({ perPage: size, page: 1 } as Partial<F & ServerTableQuery>)
  }

  return {
    filters: filters as UnwrapRef<Form>,
    searchFocused: searchFocused as Ref<boolean>,
    query,
    navigate,
    apply,
    onSearchInput,
    reset,
    defaultSort,
    onSortChange,
    onPageChange,
    onSizeChange,
  }
}
