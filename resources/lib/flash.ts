import { watch } from 'vue'
import { usePage } from '@inertiajs/vue3'
import { ElMessage } from 'element-plus'
import { useLabels } from './labels'

/**
 * Shows the server's success flash (an i18n key) as a toast, once per response: every response
 * carries a new flash object, and Inertia stores pages in history with an empty one, so going
 * back never replays a toast.
 */
export function useFlashToasts() {
  const page = usePage()
  const labels = useLabels()
  watch(
    () => page.flash,
    (flash) => {
      const key = flash?.success
      if (key) ElMessage.success({ message: labels.flash(key), grouping: true })
    },
    { immediate: true }
  )
}
