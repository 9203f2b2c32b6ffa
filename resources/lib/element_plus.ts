import type { App, Plugin } from 'vue'
import * as ElementPlus from 'element-plus'

/**
 * Registers only the Element Plus components the pages use, so the bundle does not carry the
 * whole library. A page that starts using another <el-*> component adds it here.
 */
const components: Plugin[] = [
  ElementPlus.ElAlert,
  ElementPlus.ElResult,
  ElementPlus.ElAside,
  ElementPlus.ElButton,
  ElementPlus.ElCard,
  ElementPlus.ElCheckbox,
  ElementPlus.ElConfigProvider,
  ElementPlus.ElContainer,
  ElementPlus.ElDatePicker,
  ElementPlus.ElDescriptions,
  ElementPlus.ElDescriptionsItem,
  ElementPlus.ElDialog,
  ElementPlus.ElDropdown,
  ElementPlus.ElDropdownItem,
  ElementPlus.ElDropdownMenu,
  ElementPlus.ElForm,
  ElementPlus.ElFormItem,
  ElementPlus.ElHeader,
  ElementPlus.ElIcon,
  ElementPlus.ElInput,
  ElementPlus.ElInputNumber,
  ElementPlus.ElMain,
  ElementPlus.ElMenu,
  ElementPlus.ElMenuItem,
  ElementPlus.ElOption,
  ElementPlus.ElPagination,
  ElementPlus.ElRadio,
  ElementPlus.ElRadioGroup,
  ElementPlus.ElSelect,
  ElementPlus.ElSwitch,
  ElementPlus.ElTable,
  ElementPlus.ElTableColumn,
  ElementPlus.ElTag,
  ElementPlus.ElTooltip,
  ElementPlus.ElDivider,
  ElementPlus.ElSubMenu,
  ElementPlus.ElEmpty,
  ElementPlus.ElTimeline,
  ElementPlus.ElTimelineItem,
  ElementPlus.ElTree,
  ElementPlus.ElTabs,
  ElementPlus.ElTabPane,
]

export const elementPlus: Plugin = {
  install(app: App) {
    for (const component of components) app.use(component)
  },
}
