// Marks the page as able to run GOV.UK Frontend's scripts, then starts its components (error summary focus,
// and so on). An external module, as the Content-Security-Policy allows no inline script.
import { initAll } from '/vendor/govuk-frontend/govuk-frontend.min.js'
import { initBudgetGrid } from '/js/budget-grid.js'
import { initImportProgress } from '/js/import-progress.js'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')
initAll()

for (const grid of document.querySelectorAll('[data-budget-grid]')) initBudgetGrid(grid)
for (const progress of document.querySelectorAll('[data-import-progress]')) initImportProgress(progress)

// MOJ Frontend's sortable table, loaded only on pages that have one.
const sortable = document.querySelectorAll('[data-module="moj-sortable-table"]')
if (sortable.length > 0) {
  const { SortableTable } = await import('/vendor/moj-frontend/sortable-table.bundle.mjs')
  for (const table of sortable) new SortableTable(table)
}
